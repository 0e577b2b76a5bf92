package weights

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"alexnet/nn"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode writes the model in the format of the package documentation. It
// checks the model as Decode would (architecture, labels, preprocessing,
// calibration, every tensor's name, type, shape, length and values) so it
// never writes a file Decode rejects. Tensors are written in the
// architecture's parameter order, whatever their order in m.Tensors.
func Encode(m *Model) ([]byte, error) {
	ps, err := validateHeader(m)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*Tensor, len(m.Tensors))
	tc := newTensorChecker(ps)
	for i := range m.Tensors {
		t := &m.Tensors[i]
		n, err := tc.check(t.Name, t.Type, t.Shape)
		if err != nil {
			return nil, err
		}
		switch t.Type {
		case Q8:
			if len(t.Q8) != n || len(t.Scale) != t.Shape[0] {
				return nil, fmt.Errorf("%w: int8 tensor %q has %d values and %d scales, shape %v wants %d and %d", ErrShape, t.Name, len(t.Q8), len(t.Scale), t.Shape, n, t.Shape[0])
			}
		case Q4:
			rows := t.Shape[0]
			nb, ns := rows*nn.Q4RowBytes(n/rows), rows*nn.Q4Groups(n/rows, Q4Group)
			if t.Group != Q4Group || len(t.Q4) != nb || len(t.Scale) != ns {
				return nil, fmt.Errorf("%w: int4 tensor %q has group %d, %d bytes and %d scales, shape %v wants %d, %d and %d", ErrShape, t.Name, t.Group, len(t.Q4), len(t.Scale), t.Shape, Q4Group, nb, ns)
			}
		default:
			if len(t.F32) != n {
				return nil, fmt.Errorf("%w: tensor %q has %d values, shape %v wants %d", ErrShape, t.Name, len(t.F32), t.Shape, n)
			}
		}
		if err := checkValues(t); err != nil {
			return nil, err
		}
		if t.Type == F16 {
			for j, v := range t.F32 {
				if h := f32to16(v); h&0x7c00 == 0x7c00 {
					return nil, fmt.Errorf("%w: tensor %q value %d (%g) overflows float16", ErrValue, t.Name, j, v)
				}
			}
		}
		byName[t.Name] = t
	}
	if err := tc.missing(); err != nil {
		return nil, err
	}
	if err := checkCost(m); err != nil {
		return nil, err
	}
	ordered := make([]*Tensor, len(ps))
	for i, p := range ps {
		ordered[i] = byName[p.Name]
	}
	return encode(m, ordered), nil
}

// encode writes m with the given tensors, in that order, checking nothing
// (the tests use it to build bad files).
func encode(m *Model, ts []*Tensor) []byte {
	var w writer
	w.bytes([]byte(Magic))
	version := FileVersion(m.Arch)
	w.u32(version)
	sizeAt := len(w.b)
	w.u64(0) // file size, patched below
	w.str(m.Name)

	a := &m.Arch
	w.str(a.Name)
	w.i32(a.InC, a.InH, a.InW)
	w.u32(uint32(len(a.Layers)))
	for _, l := range a.Layers {
		w.str(string(l.Op))
		w.str(l.Name)
		w.i32(l.InC, l.OutC, l.Kernel, l.Stride, l.Pad, l.Groups)
		if l.CeilMode {
			w.b = append(w.b, 1)
		} else {
			w.b = append(w.b, 0)
		}
		w.i32(l.Size)
		w.f32(l.Alpha, l.Beta, l.K)
		w.i32(l.OutH, l.OutW, l.In, l.Out)
		if version >= 2 {
			w.u32(uint32(len(l.From)))
			w.i32(l.From...)
		}
	}

	w.u32(uint32(len(m.Labels)))
	for _, l := range m.Labels {
		w.str(l)
	}
	p := &m.Prep
	w.i32(p.Resize, p.CropH, p.CropW)
	w.f32(p.Mean[:]...)
	w.f32(p.Std[:]...)
	w.f32(m.Calib.Temperature, m.Calib.Threshold)

	w.u32(uint32(len(ts)))
	var off int
	offsets := make([]int, len(ts))
	for i, t := range ts {
		off = alignUp(off)
		offsets[i] = off
		w.str(t.Name)
		w.b = append(w.b, byte(t.Type), byte(len(t.Shape)))
		for _, d := range t.Shape {
			w.u32(uint32(d))
		}
		w.u64(uint64(off))
		rows := 0
		if len(t.Shape) > 0 {
			rows = t.Shape[0]
		}
		off += dataSize(t.Type, rows, productOf(t.Shape))
	}
	w.pad()
	start := len(w.b)
	for i, t := range ts {
		for len(w.b) < start+offsets[i] {
			w.b = append(w.b, 0)
		}
		switch t.Type {
		case F32:
			w.f32(t.F32...)
		case F16:
			for _, v := range t.F32 {
				w.b = binary.LittleEndian.AppendUint16(w.b, f32to16(v))
			}
		case Q8:
			w.f32(t.Scale...)
			for _, q := range t.Q8 {
				w.b = append(w.b, byte(q))
			}
		case Q4:
			w.f32(t.Scale...)
			w.b = append(w.b, t.Q4...)
		}
	}
	binary.LittleEndian.PutUint64(w.b[sizeAt:], uint64(len(w.b)+4))
	w.u32(crc32.Checksum(w.b, castagnoli))
	return w.b
}

// dataSize is the number of data bytes of a tensor of n values and rows rows.
func dataSize(t DType, rows, n int) int {
	switch t {
	case F16:
		return 2 * n
	case Q8:
		return 4*rows + n
	case Q4:
		if rows <= 0 {
			return 0
		}
		return rows * (4*nn.Q4Groups(n/rows, Q4Group) + nn.Q4RowBytes(n/rows))
	}
	return 4 * n
}

// DataSize is the number of bytes the tensor's data takes in a file.
func (t *Tensor) DataSize() int {
	rows := 0
	if len(t.Shape) > 0 {
		rows = t.Shape[0]
	}
	return dataSize(t.Type, rows, productOf(t.Shape))
}

func productOf(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

func alignUp(n int) int { return (n + Align - 1) / Align * Align }

type writer struct{ b []byte }

func (w *writer) bytes(p []byte) { w.b = append(w.b, p...) }
func (w *writer) u32(v uint32)   { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *writer) u64(v uint64)   { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *writer) str(s string)   { w.u32(uint32(len(s))); w.b = append(w.b, s...) }
func (w *writer) pad() {
	for len(w.b)%Align != 0 {
		w.b = append(w.b, 0)
	}
}
func (w *writer) i32(vs ...int) {
	for _, v := range vs {
		w.u32(uint32(int32(v)))
	}
}
func (w *writer) f32(vs ...float32) {
	for _, v := range vs {
		w.u32(math.Float32bits(v))
	}
}
