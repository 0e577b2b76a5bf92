package weights

import "errors"

// The errors Decode and Encode return, always wrapped with context (which
// field, which tensor, what was found and what was wanted). Test with
// errors.Is.
var (
	ErrTruncated  = errors.New("weights: truncated file")
	ErrMagic      = errors.New("weights: not an alexnet weight file (bad magic)")
	ErrVersion    = errors.New("weights: unsupported version")
	ErrChecksum   = errors.New("weights: checksum mismatch")
	ErrTrailing   = errors.New("weights: trailing bytes")
	ErrTooLarge   = errors.New("weights: size too large")
	ErrFormat     = errors.New("weights: malformed field")
	ErrArch       = errors.New("weights: bad architecture")
	ErrLabels     = errors.New("weights: bad labels")
	ErrPreprocess = errors.New("weights: bad preprocessing")
	ErrCalib      = errors.New("weights: bad calibration")
	ErrDType      = errors.New("weights: unknown tensor type")
	ErrShape      = errors.New("weights: bad tensor shape")
	ErrName       = errors.New("weights: tensor not in the architecture")
	ErrDuplicate  = errors.New("weights: duplicate tensor")
	ErrMissing    = errors.New("weights: missing tensor")
	ErrOffset     = errors.New("weights: bad tensor offset or padding")
	ErrValue      = errors.New("weights: bad tensor value")
	ErrControl    = errors.New("weights: control character in a string")
	ErrCost       = errors.New("weights: model too costly to run")
)
