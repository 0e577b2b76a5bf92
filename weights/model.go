package weights

import (
	"fmt"
	"math"
	"slices"
	"unicode"
	"unicode/utf8"

	"alexnet/nn"
)

// Format constants; see the package documentation for the layout.
const (
	Magic   = "ALXN"
	Version = 2 // the newest version; Encode writes 1 when the model fits it (see FileVersion)
	// MaxPlausibleVersion: the version changes only for structural
	// changes, so a version field of 0 or above this is not a weight file
	// (ErrMagic), not a newer one (ErrVersion).
	MaxPlausibleVersion = 1000
	Align               = 32      // tensor data alignment, in bytes from the start of the file
	MaxString           = 1 << 12 // longest string (name, label), in bytes
	MaxNDim             = 4       // most dims a tensor has
	Q4Group             = 64      // values per scale of a Q4 tensor's row
)

// DType is how a tensor's values are stored.
type DType uint8

const (
	F32 DType = iota // float32
	F16              // IEEE binary16, widened to float32 on load
	Q8               // int8 with one float32 scale per output channel (Shape[0] row)
	Q4               // int4 in -7..7, two per byte, one float32 scale per Q4Group values of a row
)

func (t DType) String() string {
	switch t {
	case F32:
		return "f32"
	case F16:
		return "f16"
	case Q8:
		return "int8"
	case Q4:
		return "int4"
	}
	return fmt.Sprintf("dtype(%d)", uint8(t))
}

// Tensor is one named parameter. For F32 and F16, Weight.F32 holds the values
// (for F16, already rounded to float16 precision); for Q8, Weight.Q8 and
// Weight.Scale; for Q4, Weight.Q4 (nn.Q4Pack's layout), Weight.Scale and
// Weight.Group (= Q4Group).
type Tensor struct {
	Name string
	Type DType
	nn.Weight
}

// Preprocess is how an image becomes the network's input.
type Preprocess struct {
	Resize       int // shorter side is resized to this (bilinear, antialiased like PIL), then
	CropH, CropW int // a centre crop of CropH x CropW (= the arch input). Resize 0: squash the whole image to CropH x CropW.
	Mean, Std    [3]float32
}

// Calibration turns logits into honest probabilities: softmax(logits /
// Temperature). A top probability below Threshold is reported as "not sure".
type Calibration struct {
	Temperature float32 // 1 = none
	Threshold   float32 // calibrated top prob below this = "not sure"; 0 = never
}

// Model is the whole content of a weight file.
type Model struct {
	Name    string
	Arch    nn.Arch
	Labels  []string
	Prep    Preprocess
	Calib   Calibration
	Tensors []Tensor
}

// ImageNet normalisation, on pixel/255, as torchvision uses it.
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// DefaultPreprocess is the preprocessing each known architecture is trained
// with: seed Resize(224)+CenterCrop(224) (the flowers training), torchvision
// Resize(256)+CenterCrop(224) (its ImageNet recipe), paper 227+227; anything
// else resizes to the input size. All use ImageNet mean and std.
func DefaultPreprocess(a nn.Arch) Preprocess {
	p := Preprocess{Resize: a.InH, CropH: a.InH, CropW: a.InW, Mean: ImageNetMean, Std: ImageNetStd}
	if a.InW > a.InH {
		p.Resize = a.InW
	}
	if a.Name == "torchvision" && a.InH == 224 && a.InW == 224 {
		p.Resize = 256
	}
	return p
}

// Quantize makes a tensor of the given type from float32 values in PyTorch
// layout. Q8 is symmetric per output channel: each Shape[0] row r gets
// scale = max|x|/127 and q = round(x/scale) in -127..127 (a zero row gets
// scale 0). F16 rounds each value to the nearest float16 (ties to even) and
// keeps it as float32, so the tensor holds exactly what the file will. Q4
// is symmetric per group of Q4Group values of a row (the last group of a row
// may be shorter): scale = max|x|/7 and q = round(x/scale) in -7..7 (a zero
// group gets scale 0), packed as nn.Q4Pack. F32 copies. A shape that does
// not match len(data) is kept as is; Encode rejects it with ErrShape. A
// NaN or infinite value is kept whatever the type (as the row's or group's
// scale for Q8 and Q4, as itself otherwise), so Encode rejects it with
// ErrValue: a quantisation never hides one.
func Quantize(name string, shape []int, data []float32, t DType) Tensor {
	w := nn.Weight{Shape: append([]int(nil), shape...)}
	rows, n := 0, 1
	if len(shape) > 0 {
		rows = shape[0]
	}
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt32/d) {
			n = -1
			break
		}
		n *= d
	}
	switch {
	case t == Q8 && n == len(data) && rows > 0:
		w.Q8 = make([]int8, n)
		w.Scale = make([]float32, rows)
		rowLen := n / rows
		for r := range rows {
			row := data[r*rowLen : (r+1)*rowLen]
			var m float64
			for _, v := range row {
				m = math.Max(m, math.Abs(float64(v)))
			}
			if m == 0 {
				continue // zero row
			}
			if math.IsInf(m, 0) || math.IsNaN(m) {
				w.Scale[r] = float32(m) // Encode rejects it (ErrValue)
				continue
			}
			s := float32(m / 127)
			w.Scale[r] = s
			q := w.Q8[r*rowLen : (r+1)*rowLen]
			for j, v := range row {
				x := math.RoundToEven(float64(v) / float64(s))
				q[j] = int8(max(-127, min(127, x)))
			}
		}
	case t == Q4 && n == len(data) && rows > 0:
		rowLen := n / rows
		ng := nn.Q4Groups(rowLen, Q4Group)
		q := make([]int8, n)
		w.Scale = make([]float32, rows*ng)
		w.Group = Q4Group
		for r := range rows {
			for g := range ng {
				lo, hi := r*rowLen+g*Q4Group, r*rowLen+min((g+1)*Q4Group, rowLen)
				var m float64
				for _, v := range data[lo:hi] {
					m = math.Max(m, math.Abs(float64(v)))
				}
				if m == 0 {
					continue
				}
				if math.IsInf(m, 0) || math.IsNaN(m) {
					w.Scale[r*ng+g] = float32(m) // Encode rejects it (ErrValue)
					continue
				}
				s := float32(m / 7)
				w.Scale[r*ng+g] = s
				for i := lo; i < hi; i++ {
					x := math.RoundToEven(float64(data[i]) / float64(s))
					q[i] = int8(max(-7, min(7, x)))
				}
			}
		}
		w.Q4 = nn.Q4Pack(q, rows, rowLen)
	case t == F16:
		w.F32 = make([]float32, len(data))
		for i, v := range data {
			w.F32[i] = f16to32(f32to16(v))
		}
	default:
		w.F32 = append([]float32(nil), data...)
	}
	return Tensor{Name: name, Type: t, Weight: w}
}

// FileVersion is the format version Encode writes for the architecture:
// 1 unless a layer takes earlier layers (nn.Layer.From, the "globalpool"
// op of a taught model), which only version 2 stores. So every model
// version 1 can hold is written exactly as before version 2 existed.
func FileVersion(a nn.Arch) uint32 {
	for _, l := range a.Layers {
		if len(l.From) > 0 {
			return 2
		}
	}
	return 1
}

// Net builds the engine for the model.
func (m *Model) Net() (*nn.Net, error) {
	return nn.New(m.Arch, m.params())
}

// NetPart builds part k of parts of the engine for the model (nn.NewPart):
// it computes its share of each layer and exchanges shares through ex.
func (m *Model) NetPart(k, parts int, ex nn.Exchange) (*nn.Net, error) {
	return nn.NewPart(m.Arch, m.params(), k, parts, ex)
}

func (m *Model) params() map[string]nn.Weight {
	params := make(map[string]nn.Weight, len(m.Tensors))
	for _, t := range m.Tensors {
		params[t.Name] = t.Weight
	}
	return params
}

// numElems is the product of dims, or an ErrTooLarge/ErrShape error when a
// dim is out of range or the product exceeds nn.MaxFloats.
func numElems(name string, dims []int) (int, error) {
	if len(dims) < 1 || len(dims) > MaxNDim {
		return 0, fmt.Errorf("%w: tensor %q has %d dims, want 1..%d", ErrShape, name, len(dims), MaxNDim)
	}
	n := 1
	for _, d := range dims {
		if d < 1 || d > nn.MaxFloats {
			return 0, fmt.Errorf("%w: tensor %q dims %v out of range", ErrShape, name, dims)
		}
		n *= d // both <= 2^28 before the check below, no overflow on 64 bits... guard 32 bits too
		if n > nn.MaxFloats || n < 0 {
			return 0, fmt.Errorf("%w: tensor %q dims %v exceed %d values", ErrTooLarge, name, dims, nn.MaxFloats)
		}
	}
	return n, nil
}

func finite32(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

func checkString(what, s string) error {
	if len(s) > MaxString {
		return fmt.Errorf("%w: %s is %d bytes, max %d", ErrTooLarge, what, len(s), MaxString)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not UTF-8", ErrFormat, what)
	}
	for i, r := range s {
		if unicode.IsControl(r) || bidiControl(r) {
			return fmt.Errorf("%w: %s has %U at byte %d (%q)", ErrControl, what, r, i, s)
		}
	}
	return nil
}

// bidiControl reports the Unicode bidirectional embeddings, overrides and
// isolates (U+202A-U+202E, U+2066-U+2069), which reorder the text printed
// after them. With unicode.IsControl (C0, DEL and C1: newline, tab, the ESC
// of ANSI sequences) they are refused in every string of a weight file, so
// that a label or a name prints as one plain run of text.
func bidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// validateHeader checks the architecture, labels, preprocessing and
// calibration, and returns the parameters the architecture needs.
func validateHeader(m *Model) ([]nn.Param, error) {
	if err := checkString("model name", m.Name); err != nil {
		return nil, err
	}
	if err := checkString("arch name", m.Arch.Name); err != nil {
		return nil, err
	}
	for i, l := range m.Arch.Layers {
		if err := checkString(fmt.Sprintf("layer %d op", i), string(l.Op)); err != nil {
			return nil, err
		}
		if err := checkString(fmt.Sprintf("layer %d name", i), l.Name); err != nil {
			return nil, err
		}
	}
	for i, l := range m.Arch.Layers {
		for _, v := range append([]int{l.InC, l.OutC, l.Kernel, l.Stride, l.Pad, l.Groups, l.Size, l.OutH, l.OutW, l.In, l.Out}, l.From...) {
			if v != int(int32(v)) {
				return nil, fmt.Errorf("%w: layer %d: field %d does not fit 32 bits", ErrArch, i, v)
			}
		}
	}
	if _, err := m.Arch.Shapes(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrArch, err)
	}
	if c := m.Arch.Classes(); len(m.Labels) != c {
		return nil, fmt.Errorf("%w: %d labels for %d classes", ErrLabels, len(m.Labels), c)
	}
	for i, l := range m.Labels {
		if err := checkString(fmt.Sprintf("label %d", i), l); err != nil {
			return nil, err
		}
	}
	p := m.Prep
	if p.CropH != m.Arch.InH || p.CropW != m.Arch.InW {
		return nil, fmt.Errorf("%w: crop %dx%d, the architecture takes %dx%d", ErrPreprocess, p.CropH, p.CropW, m.Arch.InH, m.Arch.InW)
	}
	if p.Resize != 0 && (p.Resize < max(p.CropH, p.CropW) || p.Resize > nn.MaxDim) {
		return nil, fmt.Errorf("%w: resize %d, want 0 or %d..%d", ErrPreprocess, p.Resize, max(p.CropH, p.CropW), nn.MaxDim)
	}
	if m.Arch.InC != 3 {
		return nil, fmt.Errorf("%w: images give 3 channels, the architecture takes %d", ErrPreprocess, m.Arch.InC)
	}
	for c := range 3 {
		if !finite32(p.Mean[c]) || !finite32(p.Std[c]) || !(p.Std[c] > 0) {
			return nil, fmt.Errorf("%w: channel %d mean %g std %g", ErrPreprocess, c, p.Mean[c], p.Std[c])
		}
	}
	c := m.Calib
	if !finite32(c.Temperature) || !(c.Temperature > 0) {
		return nil, fmt.Errorf("%w: temperature %g, want > 0", ErrCalib, c.Temperature)
	}
	if !(c.Threshold >= 0 && c.Threshold <= 1) {
		return nil, fmt.Errorf("%w: threshold %g, want 0..1", ErrCalib, c.Threshold)
	}
	return m.Arch.Params(), nil
}

// tensorChecker matches tensor records against the architecture's params.
type tensorChecker struct {
	want map[string][]int
	seen map[string]bool
	ps   []nn.Param
}

func newTensorChecker(ps []nn.Param) *tensorChecker {
	tc := &tensorChecker{want: make(map[string][]int, len(ps)), seen: make(map[string]bool, len(ps)), ps: ps}
	for _, p := range ps {
		tc.want[p.Name] = p.Shape
	}
	return tc
}

// check validates one tensor's name, type and dims and returns its number of values.
func (tc *tensorChecker) check(name string, t DType, dims []int) (int, error) {
	if err := checkString("tensor name", name); err != nil {
		return 0, err
	}
	if t > Q4 {
		return 0, fmt.Errorf("%w: tensor %q has type %d, want 0 (f32), 1 (f16), 2 (int8) or 3 (int4)", ErrDType, name, uint8(t))
	}
	n, err := numElems(name, dims)
	if err != nil {
		return 0, err
	}
	want, ok := tc.want[name]
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrName, name)
	}
	if tc.seen[name] {
		return 0, fmt.Errorf("%w: %q", ErrDuplicate, name)
	}
	tc.seen[name] = true
	if !slices.Equal(dims, want) {
		return 0, fmt.Errorf("%w: tensor %q is %v, the architecture wants %v", ErrShape, name, dims, want)
	}
	return n, nil
}

func (tc *tensorChecker) missing() error {
	for _, p := range tc.ps {
		if !tc.seen[p.Name] {
			return fmt.Errorf("%w: %q %v", ErrMissing, p.Name, p.Shape)
		}
	}
	return nil
}

// checkValues checks that floats are finite, scales are finite and >= 0,
// and that Q4 values are in -7..7 (nibbles 1..15) with the padding nibbles
// of each row 0.
func checkValues(t *Tensor) error {
	if t.Type == Q4 {
		rows := t.Shape[0]
		rowLen := productOf(t.Shape) / rows
		rb := nn.Q4RowBytes(rowLen)
		for r := range rows {
			row := t.Q4[r*rb : (r+1)*rb]
			// Every nibble of the full blocks holds q+8 for q in -7..7: not 0.
			for j, b := range row[:rowLen/nn.Q4Block*16] {
				if b&0x0f == 0 || b&0xf0 == 0 {
					i := j/16*nn.Q4Block + j%16 // the value the low nibble holds
					if b&0x0f != 0 {
						i += 16
					}
					return fmt.Errorf("%w: tensor %q row %d value %d is -8 (nibble 0), want -7..7", ErrValue, t.Name, r, i)
				}
			}
			// The last block, if partial: values, then padding nibbles 0.
			if rowLen%nn.Q4Block == 0 {
				continue
			}
			base := rowLen / nn.Q4Block * nn.Q4Block
			last := row[len(row)-16:]
			for i := range nn.Q4Block {
				nib := last[i%16] & 0x0f
				if i >= 16 {
					nib = last[i%16] >> 4
				}
				switch {
				case base+i < rowLen && nib == 0:
					return fmt.Errorf("%w: tensor %q row %d value %d is -8 (nibble 0), want -7..7", ErrValue, t.Name, r, base+i)
				case base+i >= rowLen && nib != 0:
					return fmt.Errorf("%w: tensor %q row %d: padding nibble %d (past the row's %d values) is %d, want 0", ErrValue, t.Name, r, base+i, rowLen, nib)
				}
			}
		}
	}
	for i, v := range t.F32 {
		if !finite32(v) {
			return fmt.Errorf("%w: tensor %q value %d is %g", ErrValue, t.Name, i, v)
		}
	}
	for i, s := range t.Scale {
		if !finite32(s) || s < 0 {
			return fmt.Errorf("%w: tensor %q scale %d is %g", ErrValue, t.Name, i, s)
		}
	}
	return nil
}
