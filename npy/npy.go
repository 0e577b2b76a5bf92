// Package npy reads NumPy .npy files holding float32 little-endian C-order
// arrays, the form `np.save(path, x.astype(np.float32))` writes, and writes
// them (for tests and fixtures).
//
// The format (numpy.lib.format, versions 1.0, 2.0 and 3.0):
//
//	magic        "\x93NUMPY"
//	version      two bytes, major and minor (1.0, 2.0 or 3.0)
//	header len   u16 little-endian (1.0), u32 (2.0, 3.0)
//	header       a Python dict literal, ASCII (UTF-8 in 3.0), padded with
//	             spaces and ended by '\n':
//	             {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }
//	data         product(shape) float32 values, little-endian, C order
//
// Read accepts exactly this and nothing else: descr '<f4', fortran_order
// False, a shape of non-negative ints, and data that ends at the end of the
// file. It never panics and allocates only after checking that the file
// holds the data.
package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Errors Read returns, wrapped with context; test with errors.Is.
var (
	ErrMagic     = errors.New("npy: not a .npy file (bad magic)")
	ErrVersion   = errors.New("npy: unsupported version")
	ErrTruncated = errors.New("npy: truncated file")
	ErrHeader    = errors.New("npy: malformed header")
	ErrDType     = errors.New("npy: unsupported dtype")
	ErrOrder     = errors.New("npy: Fortran order not supported")
	ErrShape     = errors.New("npy: bad shape")
	ErrTooLarge  = errors.New("npy: array too large")
	ErrTrailing  = errors.New("npy: trailing bytes")
)

const (
	magic = "\x93NUMPY"
	// MaxElems is the largest array Read accepts, in values (1 GiB of float32).
	MaxElems = 1 << 28
	// MaxDims is the most dimensions Read accepts.
	MaxDims = 32
)

// Array is a float32 array in C order.
type Array struct {
	Shape []int
	Data  []float32
}

// Read parses a .npy file.
func Read(b []byte) (*Array, error) {
	if len(b) < len(magic) {
		if strings.HasPrefix(magic, string(b)) {
			return nil, fmt.Errorf("%w: %d bytes", ErrTruncated, len(b))
		}
		return nil, fmt.Errorf("%w: starts with %q", ErrMagic, b)
	}
	if string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: starts with %q, want %q", ErrMagic, b[:len(magic)], magic)
	}
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: no version", ErrTruncated)
	}
	major, minor := b[6], b[7]
	var hlen uint64
	var rest []byte
	switch {
	case major == 1 && minor == 0:
		if len(b) < 10 {
			return nil, fmt.Errorf("%w: no header length", ErrTruncated)
		}
		hlen, rest = uint64(binary.LittleEndian.Uint16(b[8:])), b[10:]
	case (major == 2 || major == 3) && minor == 0:
		if len(b) < 12 {
			return nil, fmt.Errorf("%w: no header length", ErrTruncated)
		}
		hlen, rest = uint64(binary.LittleEndian.Uint32(b[8:])), b[12:]
	default:
		return nil, fmt.Errorf("%w: %d.%d, want 1.0, 2.0 or 3.0", ErrVersion, major, minor)
	}
	if hlen > uint64(len(rest)) {
		return nil, fmt.Errorf("%w: header of %d bytes, %d left", ErrTruncated, hlen, len(rest))
	}
	shape, err := parseHeader(string(rest[:hlen]))
	if err != nil {
		return nil, err
	}
	n := 1
	for _, d := range shape {
		if d > MaxElems || n*d > MaxElems {
			return nil, fmt.Errorf("%w: shape %v is more than %d values", ErrTooLarge, shape, MaxElems)
		}
		n *= d
	}
	data := rest[hlen:]
	switch {
	case len(data) < 4*n:
		return nil, fmt.Errorf("%w: shape %v needs %d bytes of data, %d left", ErrTruncated, shape, 4*n, len(data))
	case len(data) > 4*n:
		return nil, fmt.Errorf("%w: %d bytes after the %d of shape %v", ErrTrailing, len(data)-4*n, 4*n, shape)
	}
	a := &Array{Shape: shape, Data: make([]float32, n)}
	for i := range a.Data {
		a.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return a, nil
}

// parseHeader reads the dict literal and returns the shape.
func parseHeader(h string) ([]int, error) {
	p := &parser{s: h}
	var descr, order, shape bool
	var dims []int
	p.space()
	if !p.eat('{') {
		return nil, p.fail("want '{'")
	}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, ok := p.str()
		if !ok {
			return nil, p.fail("want a quoted key")
		}
		p.space()
		if !p.eat(':') {
			return nil, p.fail("want ':' after " + strconv.Quote(key))
		}
		p.space()
		switch key {
		case "descr":
			d, ok := p.str()
			if !ok {
				return nil, p.fail("descr: want a string")
			}
			if d != "<f4" {
				hint := ""
				switch d {
				case ">f4":
					hint = " (big-endian; save a little-endian array)"
				case "<f8", "<f2", "<i8", "<i4", "|u1":
					hint = " (save x.astype(np.float32))"
				}
				return nil, fmt.Errorf("%w: %q, want '<f4'%s", ErrDType, d, hint)
			}
			descr = true
		case "fortran_order":
			switch {
			case p.word("False"):
			case p.word("True"):
				return nil, fmt.Errorf("%w (save np.ascontiguousarray(x))", ErrOrder)
			default:
				return nil, p.fail("fortran_order: want True or False")
			}
			order = true
		case "shape":
			var err error
			if dims, err = p.tuple(); err != nil {
				return nil, err
			}
			shape = true
		default:
			return nil, p.fail("unknown key " + strconv.Quote(key))
		}
		p.space()
		if !p.eat(',') {
			p.space()
			if !p.eat('}') {
				return nil, p.fail("want ',' or '}'")
			}
			break
		}
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.fail("text after '}'")
	}
	if !descr || !order || !shape {
		return nil, fmt.Errorf("%w: needs descr, fortran_order and shape", ErrHeader)
	}
	return dims, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) fail(msg string) error {
	return fmt.Errorf("%w: %s at byte %d of %q", ErrHeader, msg, p.i, p.s)
}

func (p *parser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *parser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) word(w string) bool {
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

// str reads a '...' or "..." literal without escapes.
func (p *parser) str() (string, bool) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", false
	}
	p.i += end + 2
	return v, true
}

// tuple reads (), (n,), (a, b, ...) of non-negative ints.
func (p *parser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, p.fail("shape: want '('")
	}
	dims := []int{}
	for {
		p.space()
		if p.eat(')') {
			break
		}
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i {
			if p.i < len(p.s) && p.s[p.i] == '-' {
				return nil, fmt.Errorf("%w: negative dimension in %q", ErrShape, p.s)
			}
			return nil, p.fail("shape: want a number")
		}
		if j-p.i > 10 {
			return nil, fmt.Errorf("%w: dimension %s", ErrTooLarge, p.s[p.i:j])
		}
		d, err := strconv.Atoi(p.s[p.i:j])
		if err != nil {
			return nil, p.fail("shape: " + err.Error())
		}
		p.i = j
		if len(dims) == MaxDims {
			return nil, fmt.Errorf("%w: more than %d dimensions", ErrShape, MaxDims)
		}
		dims = append(dims, d)
		p.space()
		if !p.eat(',') {
			p.space()
			if !p.eat(')') {
				return nil, p.fail("shape: want ',' or ')'")
			}
			break
		}
	}
	return dims, nil
}

// Write encodes a float32 array as a version 1.0 .npy file, as np.save does:
// header padded with spaces so the data starts at a multiple of 64.
func Write(shape []int, data []float32) ([]byte, error) {
	n := 1
	dims := make([]string, len(shape))
	for i, d := range shape {
		if d < 0 || d > MaxElems || n*d > MaxElems {
			return nil, fmt.Errorf("%w: %v", ErrShape, shape)
		}
		n *= d
		dims[i] = strconv.Itoa(d)
	}
	if n != len(data) {
		return nil, fmt.Errorf("%w: shape %v has %d values, data %d", ErrShape, shape, n, len(data))
	}
	t := strings.Join(dims, ", ")
	if len(shape) == 1 {
		t += ","
	}
	h := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", t)
	pad := 64 - (10+len(h)+1)%64
	if pad == 64 {
		pad = 0
	}
	h += strings.Repeat(" ", pad) + "\n"
	if len(h) > math.MaxUint16 {
		return nil, fmt.Errorf("%w: header too long", ErrShape)
	}
	b := make([]byte, 0, 10+len(h)+4*n)
	b = append(b, magic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	b = append(b, h...)
	for _, v := range data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b, nil
}
