package weights

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"unicode/utf8"

	"alexnet/nn"
)

// Minimum encoded sizes, used to bound counts by the bytes left before any
// slice of that count is made.
const (
	headSize       = 4 + 4 + 8                       // magic, version, file size
	minLayerSize   = 4 + 4 + 6*4 + 1 + 4 + 3*4 + 4*4 // two empty strings and the fixed fields
	minLabelSize   = 4                               // an empty string
	minTensorSize  = 4 + 1 + 1 + 4 + 8               // empty name, dtype, ndim, one dim, offset
	checksumSize   = 4
	maxTensorCount = 2 * nn.MaxLayers // a weight and a bias per layer
)

// Decode parses and validates a weight file; see the package documentation
// for the layout and the checks. The returned model owns its memory (it
// does not alias b).
func Decode(b []byte) (*Model, error) {
	if len(b) < len(Magic) {
		if string(b) == Magic[:len(b)] {
			return nil, fmt.Errorf("%w: %d bytes, a weight file starts with %d bytes of header", ErrTruncated, len(b), headSize)
		}
		return nil, fmt.Errorf("%w: starts with %q, want %q", ErrMagic, b, Magic)
	}
	if string(b[:4]) != Magic {
		return nil, fmt.Errorf("%w: starts with %q, want %q", ErrMagic, b[:4], Magic)
	}
	if len(b) < headSize {
		return nil, fmt.Errorf("%w: %d bytes, the fixed header alone is %d", ErrTruncated, len(b), headSize)
	}
	version := binary.LittleEndian.Uint32(b[4:])
	if version == 0 || version > MaxPlausibleVersion {
		// "ALXN this is text" reads as version 1768453152: not a weight
		// file that a newer program would read, but something else.
		return nil, fmt.Errorf("%w: starts with %q but its version field is %d, which no weight file has", ErrMagic, Magic, version)
	}
	if version > Version {
		return nil, fmt.Errorf("%w: version %d, want 1..%d (it is newer than this program: update alexnet)", ErrVersion, version, Version)
	}
	size := binary.LittleEndian.Uint64(b[8:])
	switch {
	case size < headSize+checksumSize:
		return nil, fmt.Errorf("%w: header says the file is %d bytes, less than the %d of header and checksum", ErrFormat, size, headSize+checksumSize)
	case uint64(len(b)) < size:
		return nil, fmt.Errorf("%w: %d bytes, the header says %d", ErrTruncated, len(b), size)
	case uint64(len(b)) > size:
		return nil, fmt.Errorf("%w: %d bytes after the %d the header says", ErrTrailing, uint64(len(b))-size, size)
	}
	body := b[:len(b)-checksumSize]
	if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(b[len(body):]); got != want {
		return nil, fmt.Errorf("%w: computed %08x, stored %08x (file damaged?)", ErrChecksum, got, want)
	}

	r := &reader{b: body, off: headSize}
	m := &Model{}
	m.Name = r.str("model name")
	a := &m.Arch
	a.Name = r.str("arch name")
	a.InC, a.InH, a.InW = r.i32("input C"), r.i32("input H"), r.i32("input W")
	nl := r.count("layer count", minLayerSize, nn.MaxLayers)
	if r.err != nil {
		return nil, r.err
	}
	a.Layers = make([]nn.Layer, nl)
	for i := range a.Layers {
		l := &a.Layers[i]
		what := func(f string) string { return fmt.Sprintf("layer %d %s", i, f) }
		l.Op = nn.Op(r.str(what("op")))
		l.Name = r.str(what("name"))
		l.InC, l.OutC, l.Kernel = r.i32(what("inC")), r.i32(what("outC")), r.i32(what("kernel"))
		l.Stride, l.Pad, l.Groups = r.i32(what("stride")), r.i32(what("pad")), r.i32(what("groups"))
		switch c := r.u8(what("ceil mode")); c {
		case 0:
		case 1:
			l.CeilMode = true
		default:
			r.fail(fmt.Errorf("%w: %s is %d, want 0 or 1", ErrFormat, what("ceil mode"), c))
		}
		l.Size = r.i32(what("lrn size"))
		l.Alpha, l.Beta, l.K = r.f32(what("lrn alpha")), r.f32(what("lrn beta")), r.f32(what("lrn k"))
		l.OutH, l.OutW = r.i32(what("pool outH")), r.i32(what("pool outW"))
		l.In, l.Out = r.i32(what("linear in")), r.i32(what("linear out"))
		if version >= 2 {
			if nf := r.count(what("from count"), 4, nn.MaxLayers); nf > 0 {
				l.From = make([]int, nf)
				for j := range l.From {
					l.From[j] = r.i32(what("from"))
				}
			}
		}
		if r.err != nil {
			return nil, r.err
		}
	}
	nlab := r.count("label count", minLabelSize, -1)
	if r.err != nil {
		return nil, r.err
	}
	m.Labels = make([]string, nlab)
	for i := range m.Labels {
		m.Labels[i] = r.str(fmt.Sprintf("label %d", i))
	}
	p := &m.Prep
	p.Resize, p.CropH, p.CropW = r.i32("resize"), r.i32("crop H"), r.i32("crop W")
	for c := range 3 {
		p.Mean[c] = r.f32("mean")
	}
	for c := range 3 {
		p.Std[c] = r.f32("std")
	}
	m.Calib.Temperature = r.f32("temperature")
	m.Calib.Threshold = r.f32("threshold")
	if r.err != nil {
		return nil, r.err
	}
	ps, err := validateHeader(m)
	if err != nil {
		return nil, err
	}

	nt := r.count("tensor count", minTensorSize, maxTensorCount)
	if r.err != nil {
		return nil, r.err
	}
	type entry struct {
		n, off, size int
	}
	tc := newTensorChecker(ps)
	m.Tensors = make([]Tensor, nt)
	entries := make([]entry, nt)
	end := 0 // end of the previous tensor's data, relative to the data section
	for i := range m.Tensors {
		t := &m.Tensors[i]
		t.Name = r.str(fmt.Sprintf("tensor %d name", i))
		t.Type = DType(r.u8(fmt.Sprintf("tensor %q dtype", t.Name)))
		nd := int(r.u8(fmt.Sprintf("tensor %q ndim", t.Name)))
		if r.err != nil {
			return nil, r.err
		}
		if nd < 1 || nd > MaxNDim {
			return nil, fmt.Errorf("%w: tensor %q has %d dims, want 1..%d", ErrShape, t.Name, nd, MaxNDim)
		}
		t.Shape = make([]int, nd)
		for j := range t.Shape {
			d := r.u32(fmt.Sprintf("tensor %q dim %d", t.Name, j))
			if d > nn.MaxFloats {
				return nil, fmt.Errorf("%w: tensor %q dim %d is %d", ErrTooLarge, t.Name, j, d)
			}
			t.Shape[j] = int(d)
		}
		off := r.u64(fmt.Sprintf("tensor %q offset", t.Name))
		if r.err != nil {
			return nil, r.err
		}
		n, err := tc.check(t.Name, t.Type, t.Shape)
		if err != nil {
			return nil, err
		}
		if want := alignUp(end); off != uint64(want) {
			return nil, fmt.Errorf("%w: tensor %q at offset %d, want %d (the previous tensor's end aligned to %d)", ErrOffset, t.Name, off, want, Align)
		}
		size := dataSize(t.Type, t.Shape[0], n)
		entries[i] = entry{n, int(off), size}
		end = int(off) + size
		if end > len(body) { // keeps end small; the exact check comes with the data start
			return nil, fmt.Errorf("%w: tensor %q data ends at %d, past the end of the file", ErrTruncated, t.Name, end)
		}
	}
	if err := tc.missing(); err != nil {
		return nil, err
	}
	if err := checkCost(m); err != nil {
		return nil, err
	}

	// The data section starts at the header's end aligned to Align, with zero padding.
	start := alignUp(r.off)
	if start > len(body) {
		return nil, fmt.Errorf("%w: data section starts at %d, past the end of the file", ErrTruncated, start)
	}
	if !allZero(body[r.off:start]) {
		return nil, fmt.Errorf("%w: non-zero padding between the header and the data at %d", ErrOffset, r.off)
	}
	data := body[start:]
	if end > len(data) {
		return nil, fmt.Errorf("%w: tensor data needs %d bytes, the file has %d", ErrTruncated, end, len(data))
	}
	if end < len(data) {
		return nil, fmt.Errorf("%w: %d bytes between the last tensor and the checksum", ErrTrailing, len(data)-end)
	}
	prev := 0
	for i := range m.Tensors {
		t, e := &m.Tensors[i], entries[i]
		if !allZero(data[prev:e.off]) {
			return nil, fmt.Errorf("%w: non-zero padding before tensor %q", ErrOffset, t.Name)
		}
		prev = e.off + e.size
		src := data[e.off:prev]
		switch t.Type {
		case F32:
			t.F32 = make([]float32, e.n)
			for j := range t.F32 {
				t.F32[j] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*j:]))
			}
		case F16:
			t.F32 = make([]float32, e.n)
			for j := range t.F32 {
				t.F32[j] = f16to32(binary.LittleEndian.Uint16(src[2*j:]))
			}
		case Q8:
			rows := t.Shape[0]
			t.Scale = make([]float32, rows)
			for j := range t.Scale {
				t.Scale[j] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*j:]))
			}
			q := src[4*rows:]
			t.Q8 = make([]int8, e.n)
			for j := range t.Q8 {
				t.Q8[j] = int8(q[j])
			}
		case Q4:
			rows := t.Shape[0]
			ns := rows * nn.Q4Groups(e.n/rows, Q4Group)
			t.Scale = make([]float32, ns)
			for j := range t.Scale {
				t.Scale[j] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*j:]))
			}
			t.Q4 = append([]byte(nil), src[4*ns:]...)
			t.Group = Q4Group
		}
		if err := checkValues(t); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// reader reads little-endian fields from b. The first failure sticks in err
// (naming the field) and later reads return zero values.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) next(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b)-r.off {
		r.fail(fmt.Errorf("%w: reading %s at byte %d", ErrTruncated, what, r.off))
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *reader) u8(what string) uint8 {
	if p := r.next(1, what); p != nil {
		return p[0]
	}
	return 0
}

func (r *reader) u32(what string) uint32 {
	if p := r.next(4, what); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (r *reader) u64(what string) uint64 {
	if p := r.next(8, what); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

func (r *reader) i32(what string) int     { return int(int32(r.u32(what))) }
func (r *reader) f32(what string) float32 { return math.Float32frombits(r.u32(what)) }

func (r *reader) str(what string) string {
	n := r.u32(what + " length")
	if r.err != nil {
		return ""
	}
	if n > MaxString {
		r.fail(fmt.Errorf("%w: %s is %d bytes, max %d", ErrTooLarge, what, n, MaxString))
		return ""
	}
	p := r.next(int(n), what)
	if r.err == nil && !utf8.Valid(p) {
		r.fail(fmt.Errorf("%w: %s is not UTF-8", ErrFormat, what))
	}
	return string(p)
}

// count reads a u32 count of records of at least minSize bytes each and
// checks it against the bytes left (and against limit when limit >= 0), so
// that a slice of that length is justified by the file's size.
func (r *reader) count(what string, minSize, limit int) int {
	n := r.u32(what)
	if r.err != nil {
		return 0
	}
	if limit >= 0 && n > uint32(limit) {
		r.fail(fmt.Errorf("%w: %s is %d, max %d", ErrTooLarge, what, n, limit))
		return 0
	}
	if uint64(n)*uint64(minSize) > uint64(len(r.b)-r.off) {
		r.fail(fmt.Errorf("%w: %s is %d, but only %d bytes are left", ErrTooLarge, what, n, len(r.b)-r.off))
		return 0
	}
	return int(n)
}
