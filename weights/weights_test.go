package weights

import (
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"alexnet/nn"
)

var update = flag.Bool("update", false, "rewrite the seed files in testdata/")

// tinyArch is a small network with every layer kind that has parameters.
func tinyArch() nn.Arch {
	return nn.Arch{Name: "tiny", InC: 3, InH: 8, InW: 8, Layers: []nn.Layer{
		{Op: nn.OpConv, Name: "features.0", InC: 3, OutC: 4, Kernel: 3, Stride: 1, Pad: 1, Groups: 1},
		{Op: nn.OpReLU},
		{Op: nn.OpMaxPool, Kernel: 2, Stride: 2},
		{Op: nn.OpLRN, Size: 3, Alpha: 1e-4, Beta: 0.75, K: 1},
		{Op: nn.OpFlatten},
		{Op: nn.OpDropout},
		{Op: nn.OpLinear, Name: "classifier.1", In: 64, Out: 3},
	}}
}

// tinyModel has one tensor of each type: int8 conv weight, f32 biases, f16 linear weight.
func tinyModel(seed uint64) *Model {
	a := tinyArch()
	rng := rand.New(rand.NewPCG(seed, 1))
	m := &Model{
		Name:   "tiny test model",
		Arch:   a,
		Labels: []string{"daisy", "dandelion", "roses"},
		Prep:   Preprocess{Resize: 10, CropH: 8, CropW: 8, Mean: ImageNetMean, Std: ImageNetStd},
		Calib:  Calibration{Temperature: 1.5, Threshold: 0.4},
	}
	types := map[string]DType{"features.0.weight": Q8, "classifier.1.weight": F16}
	for _, p := range a.Params() {
		data := make([]float32, productOf(p.Shape))
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		m.Tensors = append(m.Tensors, Quantize(p.Name, p.Shape, data, types[p.Name]))
	}
	return m
}

func mustEncode(t testing.TB, m *Model) []byte {
	t.Helper()
	b, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// toQ4 requantises the model's two weights as Q4: features.0.weight [4 3 3 3]
// (27 values a row: one block with 5 padding nibbles) and
// classifier.1.weight [3 64] (exactly one group a row).
func toQ4(m *Model) *Model {
	for _, i := range []int{0, 2} {
		tt := &m.Tensors[i]
		m.Tensors[i] = Quantize(tt.Name, tt.Shape, tt.Dequantize(), Q4)
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	m := toQ4(tinyModel(1))
	b := mustEncode(t, m)
	got, err := Decode(b)
	if err != nil {
		t.Fatalf("int4: %v", err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("int4: decoded model differs from the encoded one:\n got %+v\nwant %+v", got.Tensors[0], m.Tensors[0])
	}
	if b2 := mustEncode(t, got); !reflect.DeepEqual(b, b2) {
		t.Errorf("int4: re-encoding changes the bytes")
	}
	for _, q := range []DType{F32, F16, Q8} {
		m := tinyModel(1)
		for i := range m.Tensors {
			tt := &m.Tensors[i]
			m.Tensors[i] = Quantize(tt.Name, tt.Shape, tt.Dequantize(), q)
		}
		b := mustEncode(t, m)
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("%v: %v", q, err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("%v: decoded model differs from the encoded one:\n got %+v\nwant %+v", q, got.Tensors[0], m.Tensors[0])
		}
		if b2 := mustEncode(t, got); !reflect.DeepEqual(b, b2) {
			t.Errorf("%v: re-encoding changes the bytes", q)
		}
	}
	// The full-size architectures encode and decode too.
	for _, a := range []nn.Arch{nn.Seed(5), nn.TorchVision(7), nn.Paper(3)} {
		m := &Model{Name: a.Name, Arch: a, Prep: DefaultPreprocess(a), Calib: Calibration{Temperature: 1}}
		for i := range a.Classes() {
			m.Labels = append(m.Labels, string(rune('a'+i)))
		}
		for _, p := range a.Params() {
			m.Tensors = append(m.Tensors, Quantize(p.Name, p.Shape, make([]float32, productOf(p.Shape)), Q8))
		}
		got, err := Decode(mustEncode(t, m))
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("%s: round trip differs", a.Name)
		}
	}
}

func TestEncodeOrdersTensors(t *testing.T) {
	m := tinyModel(2)
	want := mustEncode(t, m)
	m.Tensors[0], m.Tensors[3] = m.Tensors[3], m.Tensors[0]
	if got := mustEncode(t, m); !reflect.DeepEqual(got, want) {
		t.Error("tensor order in Model.Tensors changes the encoding")
	}
}

// fix rewrites the file size field and the checksum after a test edits b.
func fix(b []byte) []byte {
	binary.LittleEndian.PutUint64(b[8:], uint64(len(b)))
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	return b
}

func ptrs(ts []Tensor) []*Tensor {
	p := make([]*Tensor, len(ts))
	for i := range ts {
		p[i] = &ts[i]
	}
	return p
}

// raw encodes a model edited by f without Encode's checks.
func raw(f func(m *Model)) func() []byte {
	return func() []byte {
		m := tinyModel(3)
		f(m)
		return encode(m, ptrs(m.Tensors))
	}
}

// patch edits the bytes of a good file at the given offset and fixes size and checksum.
func patch(f func(b []byte)) func() []byte {
	return func() []byte {
		b := encode(tinyModel(3), ptrs(tinyModel(3).Tensors))
		f(b)
		return fix(b)
	}
}

// Offsets in tinyModel's encoding.
var (
	nameAt       = 16                                  // model name length
	archNameAt   = nameAt + 4 + len("tiny test model") // arch name length
	layerCountAt = archNameAt + 4 + len("tiny") + 3*4  // layer count
	layer0At     = layerCountAt + 4                    // op string of layer 0
	ceil0At      = layer0At + 4 + len("conv") + 4 + len("features.0") + 6*4
	tensorsAt    = func(b []byte) int { return tableAt(b) } // tensor count
)

// tableAt finds the tensor count by decoding the header with the reader.
func tableAt(b []byte) int {
	r := &reader{b: b, off: headSize}
	r.str("")
	r.str("")
	r.next(12, "")
	n := int(r.u32(""))
	for range n {
		r.str("")
		r.str("")
		r.next(minLayerSize-8, "")
	}
	n = int(r.u32(""))
	for range n {
		r.str("")
	}
	r.next(3*4+6*4+2*4, "")
	return r.off
}

func TestDecodeErrors(t *testing.T) {
	good := func() []byte { return mustEncode(t, tinyModel(3)) }
	tests := []struct {
		name string
		in   func() []byte
		want error
	}{
		{"empty", func() []byte { return nil }, ErrTruncated},
		{"magic prefix", func() []byte { return []byte("AL") }, ErrTruncated},
		{"png", func() []byte { return []byte("\x89PNG\r\n\x1a\n") }, ErrMagic},
		{"short non-magic", func() []byte { return []byte("GG") }, ErrMagic},
		{"magic only", func() []byte { return []byte(Magic) }, ErrTruncated},
		{"version 3", func() []byte { b := good(); b[4] = 3; return b }, ErrVersion},
		{"version 0", func() []byte { b := good(); b[4] = 0; return b }, ErrMagic},
		{"text after the magic", func() []byte { b := good(); copy(b[4:], " this is text"); return b }, ErrMagic},
		{"version 1000", func() []byte { b := good(); binary.LittleEndian.PutUint32(b[4:], MaxPlausibleVersion); return b }, ErrVersion},
		{"cut by one", func() []byte { b := good(); return b[:len(b)-1] }, ErrTruncated},
		{"cut in half", func() []byte { b := good(); return b[:len(b)/2] }, ErrTruncated},
		{"trailing byte", func() []byte { return append(good(), 0) }, ErrTrailing},
		{"size field tiny", func() []byte { b := good(); binary.LittleEndian.PutUint64(b[8:], 3); return b }, ErrFormat},
		{"size field huge", func() []byte { b := good(); binary.LittleEndian.PutUint64(b[8:], math.MaxUint64); return b }, ErrTruncated},
		{"flipped data bit", func() []byte { b := good(); b[len(b)-10] ^= 1; return b }, ErrChecksum},
		{"flipped checksum", func() []byte { b := good(); b[len(b)-1] ^= 0x80; return b }, ErrChecksum},
		{"name too long", patch(func(b []byte) { binary.LittleEndian.PutUint32(b[nameAt:], MaxString+1) }), ErrTooLarge},
		{"name past end", patch(func(b []byte) { binary.LittleEndian.PutUint32(b[nameAt:], MaxString) }), ErrTruncated},
		{"name runs past end", func() []byte { return fix(good()[:nameAt+6]) }, ErrTruncated},
		{"name not utf8", patch(func(b []byte) { b[nameAt+4] = 0xff }), ErrFormat},
		{"name newline", raw(func(m *Model) { m.Name = "tiny\nmodel" }), ErrControl},
		{"label ANSI escape", raw(func(m *Model) { m.Labels[1] = "\x1b[31mdandelion\x1b[0m" }), ErrControl},
		{"label tab", raw(func(m *Model) { m.Labels[0] = "dai\tsy" }), ErrControl},
		{"label C1", raw(func(m *Model) { m.Labels[2] = "roses\u009b2J" }), ErrControl},
		{"label bidi override", raw(func(m *Model) { m.Labels[2] = "\u202esesor" }), ErrControl},
		{"arch name carriage return", raw(func(m *Model) { m.Arch.Name = "ti\rny" }), ErrControl},
		{"layer name newline", raw(func(m *Model) {
			m.Arch.Layers[0].Name = "features.0\n"
			m.Tensors[0].Name = "features.0\n.weight"
			m.Tensors[1].Name = "features.0\n.bias"
		}), ErrControl},
		{"layer count huge", patch(func(b []byte) { binary.LittleEndian.PutUint32(b[layerCountAt:], 1<<31) }), ErrTooLarge},
		{"layer count > bytes", patch(func(b []byte) { binary.LittleEndian.PutUint32(b[layerCountAt:], 200) }), ErrTooLarge},
		{"ceil mode 2", patch(func(b []byte) { b[ceil0At] = 2 }), ErrFormat},
		{"op unknown", patch(func(b []byte) { copy(b[layer0At+4:], "cnov") }), ErrArch},
		{"no layers", raw(func(m *Model) { m.Arch.Layers = nil }), ErrArch},
		{"linear width wrong", raw(func(m *Model) { m.Arch.Layers[6].In = 65 }), ErrArch},
		{"negative input", raw(func(m *Model) { m.Arch.InH = -8 }), ErrArch},
		{"labels short", raw(func(m *Model) { m.Labels = m.Labels[:2] }), ErrLabels},
		{"label count huge", patch(func(b []byte) {
			at := layer0At
			r := &reader{b: b, off: at}
			for range 7 {
				r.str("")
				r.str("")
				r.next(minLayerSize-8, "")
			}
			binary.LittleEndian.PutUint32(b[r.off:], math.MaxUint32)
		}), ErrTooLarge},
		{"crop not input", raw(func(m *Model) { m.Prep.CropH = 7 }), ErrPreprocess},
		{"resize below crop", raw(func(m *Model) { m.Prep.Resize = 7 }), ErrPreprocess},
		{"std zero", raw(func(m *Model) { m.Prep.Std[1] = 0 }), ErrPreprocess},
		{"mean NaN", raw(func(m *Model) { m.Prep.Mean[2] = float32(math.NaN()) }), ErrPreprocess},
		{"temperature zero", raw(func(m *Model) { m.Calib.Temperature = 0 }), ErrCalib},
		{"threshold > 1", raw(func(m *Model) { m.Calib.Threshold = 1.5 }), ErrCalib},
		{"tensor count huge", patch(func(b []byte) { binary.LittleEndian.PutUint32(b[tensorsAt(b):], 1<<20) }), ErrTooLarge},
		{"tensor count > bytes", patch(func(b []byte) { binary.LittleEndian.PutUint32(b[tensorsAt(b):], 400) }), ErrTooLarge},
		{"dtype 4", raw(func(m *Model) { m.Tensors[1].Type = 4 }), ErrDType},
		{"dtype 255", raw(func(m *Model) { m.Tensors[1].Type = 255 }), ErrDType},
		{"ndim 0", raw(func(m *Model) { m.Tensors[1].Shape = nil }), ErrShape},
		{"ndim 5", raw(func(m *Model) { m.Tensors[1].Shape = []int{4, 1, 1, 1, 1} }), ErrShape},
		{"dim huge", patch(func(b []byte) {
			at := tensorsAt(b) + 4 + 4 + len("features.0.weight") + 2
			binary.LittleEndian.PutUint32(b[at:], math.MaxUint32)
		}), ErrTooLarge},
		{"dims overflow", patch(func(b []byte) {
			at := tensorsAt(b) + 4 + 4 + len("features.0.weight") + 2
			for i := range 3 {
				binary.LittleEndian.PutUint32(b[at+4*i:], 1<<14)
			}
		}), ErrTooLarge},
		{"shape wrong", raw(func(m *Model) { m.Tensors[1].Shape = []int{5}; m.Tensors[1].F32 = make([]float32, 5) }), ErrShape},
		{"unknown name", raw(func(m *Model) { m.Tensors[1].Name = "features.1.bias" }), ErrName},
		{"duplicate", raw(func(m *Model) { m.Tensors[1] = m.Tensors[3]; m.Tensors[1].Name = "classifier.1.bias" }), ErrDuplicate},
		{"missing", raw(func(m *Model) { m.Tensors = m.Tensors[:3] }), ErrMissing},
		{"offset misaligned", patch(func(b []byte) {
			at := tensorsAt(b) + 4 + 4 + len("features.0.weight") + 2 + 4*4
			binary.LittleEndian.PutUint64(b[at:], 1)
		}), ErrOffset},
		{"offset huge", patch(func(b []byte) {
			at := tensorsAt(b) + 4 + 4 + len("features.0.weight") + 2 + 4*4
			binary.LittleEndian.PutUint64(b[at:], math.MaxUint64)
		}), ErrOffset},
		{"header padding not zero", patch(func(b []byte) {
			r := &reader{b: b, off: tensorsAt(b)}
			n := int(r.u32(""))
			for range n {
				r.str("")
				r.u8("")
				nd := int(r.u8(""))
				r.next(4*nd+8, "")
			}
			b[r.off] = 1
		}), ErrOffset},
		{"tensor padding not zero", patch(func(b []byte) {
			// Data: features.0.weight int8 at 0 (16 bytes of scales + 108
			// values), features.0.bias f32 at 128 (16 bytes), padding 144..159,
			// classifier.1.weight f16 at 160 (384 bytes), classifier.1.bias
			// f32 at 544 (12 bytes), end 556, then the checksum.
			start := len(b) - 4 - 556
			b[start+150] = 7
		}), ErrOffset},
		{"bytes before checksum", func() []byte {
			b := good()
			b = append(b[:len(b)-4], 0, 0, 0, 0, 0, 0, 0, 0)
			return fix(b)
		}, ErrTrailing},
		{"data cut", func() []byte { b := good(); return fix(append(b[:len(b)-20], 0, 0, 0, 0)) }, ErrTruncated},
		{"NaN weight", raw(func(m *Model) { m.Tensors[1].F32[2] = float32(math.NaN()) }), ErrValue},
		{"Inf f16 weight", raw(func(m *Model) { m.Tensors[2].F32[0] = float32(math.Inf(1)) }), ErrValue},
		{"negative scale", raw(func(m *Model) { m.Tensors[0].Scale[3] = -1 }), ErrValue},
		{"int4 -8", raw(func(m *Model) { toQ4(m).Tensors[2].Q4[40] = 0x30 }), ErrValue},
		{"int4 -8 high", raw(func(m *Model) { toQ4(m).Tensors[2].Q4[5] = 0x09 }), ErrValue},
		{"int4 -8 partial block", raw(func(m *Model) { toQ4(m).Tensors[0].Q4[16+10] &= 0x0f }), ErrValue}, // value 26 of row 1
		{"int4 padding first", raw(func(m *Model) { toQ4(m).Tensors[0].Q4[16+11] |= 0x10 }), ErrValue},    // value 27 of row 1
		{"int4 padding last", raw(func(m *Model) { toQ4(m).Tensors[0].Q4[3*16+15] |= 0x70 }), ErrValue},   // value 31 of row 3
		{"int4 NaN scale", raw(func(m *Model) { toQ4(m).Tensors[2].Scale[1] = float32(math.NaN()) }), ErrValue},
		{"int4 negative scale", raw(func(m *Model) { toQ4(m).Tensors[0].Scale[2] = -0.5 }), ErrValue},
		{"int4 data cut", func() []byte {
			b := mustEncode(t, toQ4(tinyModel(3)))
			return fix(append(b[:len(b)-40], 0, 0, 0, 0))
		}, ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.in()
			m, err := Decode(b)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, want %v", err, tt.want)
			}
			if m != nil {
				t.Errorf("Decode returned a model with error %v", err)
			}
			t.Log(err)
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(m *Model)
		want error
	}{
		{"values short", func(m *Model) { m.Tensors[1].F32 = m.Tensors[1].F32[:3] }, ErrShape},
		{"scales short", func(m *Model) { m.Tensors[0].Scale = m.Tensors[0].Scale[:3] }, ErrShape},
		{"f16 overflow", func(m *Model) { m.Tensors[2].F32[5] = 1e6 }, ErrValue},
		{"missing", func(m *Model) { m.Tensors = m.Tensors[1:] }, ErrMissing},
		{"layer field too wide", func(m *Model) { m.Arch.Layers[1].Size = 1 << 40 }, ErrArch},
		{"label too long", func(m *Model) { m.Labels[0] = string(make([]byte, MaxString+1)) }, ErrTooLarge},
		{"labels", func(m *Model) { m.Labels = append(m.Labels, "x") }, ErrLabels},
		{"int4 group", func(m *Model) { toQ4(m).Tensors[2].Group = 32 }, ErrShape},
		{"int4 bytes short", func(m *Model) { toQ4(m).Tensors[2].Q4 = m.Tensors[2].Q4[:40] }, ErrShape},
		{"int4 scales short", func(m *Model) { toQ4(m).Tensors[0].Scale = m.Tensors[0].Scale[:3] }, ErrShape},
		{"int4 -8", func(m *Model) { toQ4(m).Tensors[0].Q4[0] = 0x80 }, ErrValue},
		{"int4 padding", func(m *Model) { toQ4(m).Tensors[0].Q4[15] = 0x10 }, ErrValue},
	}
	for _, tt := range tests {
		m := tinyModel(4)
		tt.edit(m)
		if _, err := Encode(m); !errors.Is(err, tt.want) {
			t.Errorf("%s: Encode = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestQuantizeQ8(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	shape := []int{7, 3, 5}
	data := make([]float32, 7*15)
	for i := range data {
		data[i] = float32(rng.NormFloat64()) * float32(i%7+1)
	}
	for i := range 15 { // row 2 all zero
		data[2*15+i] = 0
	}
	q := Quantize("w", shape, data, Q8)
	if len(q.Scale) != 7 || len(q.Q8) != len(data) || q.F32 != nil {
		t.Fatalf("Q8 tensor has %d scales, %d values, F32 %v", len(q.Scale), len(q.Q8), q.F32 != nil)
	}
	if q.Scale[2] != 0 {
		t.Errorf("zero row scale %g, want 0", q.Scale[2])
	}
	deq := q.Dequantize()
	for i, v := range data {
		s := q.Scale[i/15]
		if d := math.Abs(float64(deq[i] - v)); d > float64(s)/2*1.0001 {
			t.Errorf("value %d: %g -> %g, error %g > scale/2 %g", i, v, deq[i], d, s/2)
		}
		if q.Q8[i] == -128 {
			t.Errorf("value %d quantised to -128", i)
		}
	}
	// the largest |x| of a row maps to ±127
	for r := range 7 {
		if r == 2 {
			continue
		}
		m := 0
		for _, v := range q.Q8[r*15 : (r+1)*15] {
			m = max(m, int(math.Abs(float64(v))))
		}
		if m != 127 {
			t.Errorf("row %d max |q| = %d, want 127", r, m)
		}
	}
	// Bad shapes do not panic; Encode catches them.
	_ = Quantize("w", []int{4, 4}, data, Q8)
	_ = Quantize("w", []int{-1}, data, Q8)
	_ = Quantize("w", nil, data, Q8)
}

func TestQuantizeQ4(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	rows, rowLen := 5, 150 // groups of 64, 64 and 22; 5 blocks, the last with 10 padding values
	data := make([]float32, rows*rowLen)
	for i := range data {
		data[i] = float32(rng.NormFloat64()) * float32(i%9+1)
	}
	for i := 64; i < 128; i++ { // row 0's second group all zero
		data[i] = 0
	}
	q := Quantize("w", []int{rows, rowLen}, data, Q4)
	ng := 3
	if q.Type != Q4 || q.Group != Q4Group || len(q.Scale) != rows*ng || len(q.Q4) != rows*5*16 || q.F32 != nil || q.Q8 != nil {
		t.Fatalf("Q4 tensor: group %d, %d scales, %d bytes", q.Group, len(q.Scale), len(q.Q4))
	}
	if q.Scale[1] != 0 {
		t.Errorf("zero group scale %g, want 0", q.Scale[1])
	}
	if err := checkValues(&q); err != nil {
		t.Fatal(err)
	}
	deq := q.Dequantize()
	maxQ := make([]int, rows*ng)
	for i, v := range data {
		r, j := i/rowLen, i%rowLen
		g := r*ng + j/Q4Group
		s := q.Scale[g]
		if d := math.Abs(float64(deq[i] - v)); d > float64(s)/2*1.0001 {
			t.Errorf("value %d: %g -> %g, error %g > scale/2 %g", i, v, deq[i], d, s/2)
		}
		if s > 0 {
			maxQ[g] = max(maxQ[g], int(math.Round(math.Abs(float64(deq[i]/s)))))
		}
	}
	for g, m := range maxQ { // the largest |x| of a group maps to ±7
		if g != 1 && m != 7 {
			t.Errorf("group %d max |q| = %d, want 7", g, m)
		}
	}
	// Padding nibbles in the low half of a block (a row of 10 values: 11..15
	// low, 16..31 high) must be 0.
	for _, c := range []struct {
		at   int
		bits byte
	}{{10, 0x01}, {15, 0x02}, {0, 0x10}, {9, 0x70}} {
		p := Quantize("p", []int{2, 10}, data[:20], Q4)
		if err := checkValues(&p); err != nil {
			t.Fatal(err)
		}
		p.Q4[16+c.at] |= c.bits
		if err := checkValues(&p); !errors.Is(err, ErrValue) {
			t.Errorf("padding byte %d |= %#x: %v, want ErrValue", c.at, c.bits, err)
		}
	}
	// Bad shapes do not panic; Encode catches them.
	_ = Quantize("w", []int{4, 4}, data, Q4)
	_ = Quantize("w", []int{-1}, data, Q4)
	_ = Quantize("w", nil, data, Q4)
}

func TestF16Known(t *testing.T) {
	for _, c := range []struct {
		f float32
		h uint16
	}{
		{0, 0}, {float32(math.Copysign(0, -1)), 0x8000}, {1, 0x3c00}, {-2, 0xc000},
		{65504, 0x7bff}, {65519, 0x7bff}, {65520, 0x7c00}, {1e10, 0x7c00},
		{0.1, 0x2e66}, {1.0 / 3, 0x3555},
		{5.960464477539063e-08, 0x0001},  // smallest subnormal
		{2.9802322387695312e-08, 0x0000}, // half of it: tie to even -> 0
		{2.99e-08, 0x0001},               // just above half -> rounds up
		{6.097555160522461e-05, 0x03ff},  // largest subnormal
		{6.103515625e-05, 0x0400},        // smallest normal
		{1 + 1.0/2048, 0x3c00},           // tie, even stays
		{1 + 3.0/2048, 0x3c02},           // tie, odd rounds up
		{float32(math.Inf(-1)), 0xfc00},
	} {
		if got := f32to16(c.f); got != c.h {
			t.Errorf("f32to16(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	if h := f32to16(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("NaN -> %#04x, not a NaN", h)
	}
}

// TestF16Reference checks f32to16 against a float64 reference: the nearest of
// all finite halves, ties to the even one; and that every half widens and
// narrows back to itself.
func TestF16Reference(t *testing.T) {
	var halves []float64
	var codes []uint16
	for h := range 1 << 16 {
		h := uint16(h)
		f := f16to32(h)
		if h&0x7c00 == 0x7c00 {
			continue
		}
		if back := f32to16(f); back != h {
			t.Fatalf("half %#04x -> %g -> %#04x", h, f, back)
		}
		if h&0x8000 == 0 {
			halves = append(halves, float64(f))
			codes = append(codes, h)
		}
	}
	sort.Sort(byValue{halves, codes})
	rng := rand.New(rand.NewPCG(6, 6))
	for range 200000 {
		f := float32(math.Ldexp(rng.Float64(), rng.IntN(40)-30))
		x := float64(f)
		i := sort.SearchFloat64s(halves, x)
		var want uint16
		switch {
		case i == len(halves):
			// beyond 65504: Inf from 65520 (the tie of 65504 and 65536) up
			if x >= 65520 {
				want = 0x7c00
			} else {
				want = 0x7bff
			}
		case halves[i] == x || i == 0:
			want = codes[i]
		default:
			lo, hi := x-halves[i-1], halves[i]-x
			switch {
			case lo < hi:
				want = codes[i-1]
			case hi < lo:
				want = codes[i]
			case codes[i]&1 == 0:
				want = codes[i]
			default:
				want = codes[i-1]
			}
		}
		if got := f32to16(f); got != want {
			t.Fatalf("f32to16(%g) = %#04x, want %#04x", f, got, want)
		}
	}
}

type byValue struct {
	v []float64
	c []uint16
}

func (s byValue) Len() int           { return len(s.v) }
func (s byValue) Less(i, j int) bool { return s.v[i] < s.v[j] }
func (s byValue) Swap(i, j int)      { s.v[i], s.v[j] = s.v[j], s.v[i]; s.c[i], s.c[j] = s.c[j], s.c[i] }

func TestDefaultPreprocess(t *testing.T) {
	for _, c := range []struct {
		a                    nn.Arch
		resize, cropH, cropW int
	}{{nn.Seed(5), 224, 224, 224}, {nn.TorchVision(1000), 256, 224, 224}, {nn.Paper(1000), 227, 227, 227}} {
		p := DefaultPreprocess(c.a)
		if p.Resize != c.resize || p.CropH != c.cropH || p.CropW != c.cropW || p.Mean != ImageNetMean || p.Std != ImageNetStd {
			t.Errorf("%s: %+v", c.a.Name, p)
		}
	}
}

// TestSeedFiles keeps testdata/ (the fuzz seeds) decodable and up to date;
// go test -run SeedFiles -update rewrites them.
// taughtModel is tinyModel's conv with a taught head, as package teach
// exports it: the mean and max of two layers (a version 2 "globalpool"),
// unit length, a linear layer.
func taughtModel(seed uint64) *Model {
	m := tinyModel(seed)
	m.Arch.Layers = append(m.Arch.Layers[:3],
		nn.Layer{Op: nn.OpGlobalPool, From: []int{0, 2}},
		nn.Layer{Op: nn.OpL2Norm},
		nn.Layer{Op: nn.OpLinear, Name: "head", In: 16, Out: 2})
	m.Labels = []string{"mug", "keys"}
	m.Tensors = m.Tensors[:2]
	rng := rand.New(rand.NewPCG(seed, 2))
	for _, p := range m.Arch.Params()[2:] {
		data := make([]float32, productOf(p.Shape))
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		m.Tensors = append(m.Tensors, Quantize(p.Name, p.Shape, data, F32))
	}
	return m
}

// TestVersion2 checks that a layer taking earlier layers needs version 2,
// round-trips, and that version 1 files stay version 1.
func TestVersion2(t *testing.T) {
	m := taughtModel(1)
	b := mustEncode(t, m)
	if v := binary.LittleEndian.Uint32(b[4:]); v != 2 {
		t.Errorf("a model with globalpool is written as version %d, want 2", v)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("decoded model differs: got %+v\nwant %+v", got.Arch.Layers[3], m.Arch.Layers[3])
	}
	if v := binary.LittleEndian.Uint32(mustEncode(t, tinyModel(1))[4:]); v != 1 {
		t.Errorf("a model without From is written as version %d, want 1", v)
	}
	bad := func(f func(m *Model)) []byte {
		m := taughtModel(1)
		f(m)
		return fix(encode(m, ptrs(m.Tensors)))
	}
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"from a later layer", bad(func(m *Model) { m.Arch.Layers[3].From = []int{0, 4} }), ErrArch},
		{"from on a relu", bad(func(m *Model) { m.Arch.Layers[1].From = []int{0} }), ErrArch},
		{"from count huge", func() []byte {
			b := mustEncode(t, m)
			// The first layer's from count is right before the second layer's op string.
			r := &reader{b: b, off: layer0At}
			r.str("")
			r.str("")
			r.next(minLayerSize-8, "")
			binary.LittleEndian.PutUint32(b[r.off:], 1<<20)
			return fix(b)
		}(), ErrTooLarge},
	} {
		if _, err := Decode(c.b); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestSeedFiles(t *testing.T) {
	files := map[string][]byte{"tiny.alexnet": mustEncode(t, tinyModel(7)), "tiny-taught.alexnet": mustEncode(t, taughtModel(7))}
	m := tinyModel(8)
	for i := range m.Tensors {
		m.Tensors[i] = Quantize(m.Tensors[i].Name, m.Tensors[i].Shape, m.Tensors[i].Dequantize(), Q8)
	}
	files["tiny-int8.alexnet"] = mustEncode(t, m)
	files["tiny-int4.alexnet"] = mustEncode(t, toQ4(tinyModel(9)))
	for name, b := range files {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, b) {
			t.Errorf("%s is stale: run go test ./weights -run SeedFiles -update", path)
		}
		if _, err := Decode(got); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// TestQuantizeKeepsNonFinite: a NaN or infinite weight is never hidden by a
// quantisation (int8 and int4 used to give its row a zero scale): Encode
// refuses it whatever the type.
func TestQuantizeKeepsNonFinite(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		for _, dt := range []DType{F32, F16, Q8, Q4} {
			m := tinyModel(4)
			tt := &m.Tensors[0] // features.0.weight [4 3 3 3]
			data := tt.Dequantize()
			data[30] = bad
			m.Tensors[0] = Quantize(tt.Name, tt.Shape, data, dt)
			if _, err := Encode(m); !errors.Is(err, ErrValue) {
				t.Errorf("%v weight %g: Encode error %v, want ErrValue", dt, bad, err)
			}
		}
	}
}
