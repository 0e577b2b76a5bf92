package main

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"runtime"
	"testing"

	"alexnet/classifier"
	"alexnet/internal/protocol"
	"alexnet/nn"
	"alexnet/weights"
	defaultmodel "alexnet/weights/default"
)

// gradient is a deterministic test picture.
func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	return img
}

func TestEngineMatchesClassifier(t *testing.T) {
	var e Engine
	if _, err := e.Classify(make([]byte, 4), 1, 1, false); !errors.Is(err, ErrNoModel) {
		t.Fatalf("before load: %v, want ErrNoModel", err)
	}
	info, err := e.Load(defaultmodel.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if info.Bytes != len(defaultmodel.Bytes) || len(info.Labels) == 0 || info.Quant == "" || info.Params == 0 {
		t.Errorf("info %+v", info)
	}
	if m, err := weights.Decode(defaultmodel.Bytes); err != nil {
		t.Fatal(err)
	} else if cost, _ := m.Cost(); info.FLOPs != cost.FLOPs || info.FLOPs == 0 {
		t.Errorf("info says %d FLOPs a pass, the model's cost %d", info.FLOPs, cost.FLOPs)
	}
	img := gradient(320, 240)
	got, err := e.Classify(img.Pix, 320, 240, false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := classifier.Load(defaultmodel.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	want, err := c.Classify(img, TopK)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Top) != len(want.Top) {
		t.Fatalf("top %d, want %d", len(got.Top), len(want.Top))
	}
	for i := range got.Top {
		if got.Top[i].Label != want.Top[i].Label || math.Abs(got.Top[i].Prob-float64(want.Top[i].Prob)) > 1e-6 {
			t.Errorf("row %d: %+v, want %+v", i, got.Top[i], want.Top[i])
		}
	}
	if got.NotSure != want.NotSure || got.Ms <= 0 {
		t.Errorf("notSure %v (want %v), ms %v", got.NotSure, want.NotSure, got.Ms)
	}
}

func TestEngineRejects(t *testing.T) {
	var e Engine
	if _, err := e.Load(defaultmodel.Bytes); err != nil {
		t.Fatal(err)
	}
	name := e.info.Name
	// A bad weight file leaves the model in place.
	for _, bad := range [][]byte{nil, []byte("ALXN"), []byte("not a model at all"), defaultmodel.Bytes[:len(defaultmodel.Bytes)/2]} {
		if _, err := e.Load(bad); err == nil {
			t.Errorf("Load of %d bad bytes succeeded", len(bad))
		}
	}
	if e.c == nil || e.info.Name != name {
		t.Error("a failed Load replaced the model")
	}
	flipped := append([]byte(nil), defaultmodel.Bytes...)
	flipped[len(flipped)/2] ^= 0x40
	if _, err := e.Load(flipped); err == nil {
		t.Error("a weight file with a flipped bit loaded (checksum not verified)")
	}
	for _, tc := range []struct {
		n, w, h int
	}{
		{0, 0, 0}, {4, 1, 0}, {4, -1, -4}, {12, 2, 2}, {16, 2, 2 + 1}, {4 * 5000 * 1, 5000, 1},
	} {
		if _, err := e.Classify(make([]byte, tc.n), tc.w, tc.h, false); err == nil {
			t.Errorf("frame %d bytes %dx%d accepted", tc.n, tc.w, tc.h)
		}
	}
	// A 1x1 frame is tiny but valid.
	if _, err := e.Classify([]byte{1, 2, 3, 255}, 1, 1, false); err != nil {
		t.Errorf("1x1 frame: %v", err)
	}
}

// TestWeightProblem runs real decoder errors (through Engine.Load) to the
// Problem the page puts in words.
func TestWeightProblem(t *testing.T) {
	var e Engine
	flipped := append([]byte(nil), defaultmodel.Bytes...)
	flipped[len(flipped)/2] ^= 0x40
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"text", []byte("Shopping list: tulips, roses, soil."), protocol.ProblemNotWeights},
		{"magic then text", []byte("ALXN this is not a real weight file"), protocol.ProblemNotWeights},
		{"version 0", []byte("ALXN\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), protocol.ProblemNotWeights},
		{"next version", append([]byte("ALXN"), byte(weights.Version+1), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), protocol.ProblemNewer},
		{"prefix of the magic", []byte("AL"), protocol.ProblemTruncated},
		{"half a model", defaultmodel.Bytes[:len(defaultmodel.Bytes)/2], protocol.ProblemTruncated},
		{"flipped bit", flipped, protocol.ProblemChecksum},
	} {
		_, err := e.Load(c.file)
		if got := WeightProblem(err); got != c.want {
			t.Errorf("%s: %v: problem %q, want %q", c.name, err, got, c.want)
		}
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w: tensor data of 2 GiB", weights.ErrTooLarge), protocol.ProblemTooLarge},
		{fmt.Errorf("%w: 3 labels for 5 classes", weights.ErrLabels), protocol.ProblemInvalid},
		{nil, ""},
	} {
		if got := WeightProblem(c.err); got != c.want {
			t.Errorf("%v: problem %q, want %q", c.err, got, c.want)
		}
	}
}

// TestEngineCollects: every GCEvery classifications the engine runs a
// garbage collection, so the per-call garbage never grows the heap (and
// the worker's WebAssembly memory, which never shrinks) towards Go's
// default GOGC target of twice the ~60 MB of weights.
func TestEngineCollects(t *testing.T) {
	var e Engine
	if _, err := e.Load(defaultmodel.Bytes); err != nil {
		t.Fatal(err)
	}
	img := gradient(224, 224)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 2*GCEvery+1; i++ {
		if _, err := e.Classify(img.Pix, 224, 224, false); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if e.gcs != 2 || e.calls != 1 {
		t.Errorf("after %d classifications: %d collections, %d calls pending; want 2 and 1", 2*GCEvery+1, e.gcs, e.calls)
	}
	if after.NumForcedGC < before.NumForcedGC+2 {
		t.Errorf("forced collections %d -> %d, want at least 2 more", before.NumForcedGC, after.NumForcedGC)
	}
}

func TestQuantOf(t *testing.T) {
	tensor := func(dt weights.DType, shape ...int) weights.Tensor {
		return weights.Tensor{Type: dt, Weight: nn.Weight{Shape: shape}}
	}
	for _, c := range []struct {
		tensors []weights.Tensor
		want    string
	}{
		{[]weights.Tensor{tensor(weights.F32, 10)}, "f32"},
		{[]weights.Tensor{tensor(weights.Q8, 100), tensor(weights.F32, 10)}, "int8 + f32"},
		{[]weights.Tensor{tensor(weights.Q8, 100), tensor(weights.Q4, 1000), tensor(weights.F32, 10)}, "int4 + int8 + f32"},
		{[]weights.Tensor{tensor(weights.F16, 4, 5)}, "f16"},
	} {
		if got := quantOf(&weights.Model{Tensors: c.tensors}); got != c.want {
			t.Errorf("quantOf = %q, want %q", got, c.want)
		}
	}
}
