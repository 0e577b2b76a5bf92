package teach

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"alexnet/nn"
)

// TestAdamWMatchesPyTorch trains a head from the initial weights of
// testdata/adamw.json with the same data and settings and compares the loss
// of every step and the final weights with torch.optim.AdamW's
// (testdata/adamw.py regenerates the file).
func TestAdamWMatchesPyTorch(t *testing.T) {
	b, err := os.ReadFile("testdata/adamw.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		N, In, Out, Steps int
		LR                float32 `json:"lr"`
		WeightDecay       float32 `json:"weight_decay"`
		X, W0, B0, W, B   []float32
		Y                 []int
		Losses            []float64
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	h := &Head{In: f.In, Out: f.Out, W: f.W0, B: f.B0}
	xs := make([][]float32, f.N)
	for i := range xs {
		xs[i] = f.X[i*f.In : (i+1)*f.In]
	}
	var losses []float64
	o := Options{Steps: 1, Batch: f.N, LR: f.LR, WeightDecay: f.WeightDecay}
	// One step at a time to record the loss before each, like the script;
	// AdamW's state must carry over, so this calls the pieces descend uses.
	g := grads{W: make([]float32, len(h.W)), B: make([]float32, len(h.B))}
	aw, ab := newAdamW(len(h.W)), newAdamW(len(h.B))
	z := make([]float32, h.Out)
	for s := 1; s <= f.Steps; s++ {
		losses = append(losses, h.lossGrad(&g, xs, f.Y, z))
		aw.step(h.W, g.W, s, o.LR, o.WeightDecay, betas1, betas2, adamEps)
		ab.step(h.B, g.B, s, o.LR, 0, betas1, betas2, adamEps)
	}
	worst := 0.0
	for i, l := range losses {
		d := math.Abs(l - f.Losses[i])
		worst = math.Max(worst, d)
		if d > 1e-5 {
			t.Errorf("step %d: loss %.7f, PyTorch %.7f", i+1, l, f.Losses[i])
		}
	}
	t.Logf("loss: largest difference %.2g over %d steps", worst, f.Steps)
	closeTo(t, "weight", h.W, f.W, 1e-5)
	closeTo(t, "bias", h.B, f.B, 1e-5)

	// descend, the loop Train runs, must give the same head. The head
	// above was trained in place, on f.W0 and f.B0: decode them again.
	var f2 struct{ W0, B0 []float32 }
	if err := json.Unmarshal(b, &f2); err != nil {
		t.Fatal(err)
	}
	h2 := &Head{In: f.In, Out: f.Out, W: f2.W0, B: f2.B0}
	done := 0
	o.Steps = f.Steps
	if err := descend(context.Background(), h2, xs, f.Y, o, &done, f.Steps); err != nil {
		t.Fatal(err)
	}
	for i := range h.W {
		if h2.W[i] != h.W[i] {
			t.Fatalf("descend: weight[%d] = %g, step by step %g", i, h2.W[i], h.W[i])
		}
	}
}

// TestEmbeddingOpsMatchPyTorch runs relu, maxpool, globalpool of both,
// l2norm and linear in the engine on the input of testdata/embed.json and
// compares the normalised embedding and the logits with PyTorch's
// (testdata/embed.py regenerates the file).
func TestEmbeddingOpsMatchPyTorch(t *testing.T) {
	b, err := os.ReadFile("testdata/embed.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		C, H, W, Out                       int
		X, Weight, Bias, Embedding, Logits []float32
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	a := nn.Arch{Name: "fixture", InC: f.C, InH: f.H, InW: f.W, Layers: []nn.Layer{
		{Op: nn.OpReLU},
		{Op: nn.OpMaxPool, Kernel: 2, Stride: 2},
		{Op: nn.OpGlobalPool, From: []int{0, 1}},
		{Op: nn.OpL2Norm},
		{Op: nn.OpLinear, Name: "head", In: 4 * f.C, Out: f.Out},
	}}
	net, err := nn.New(a, map[string]nn.Weight{
		"head.weight": {Shape: []int{f.Out, 4 * f.C}, F32: f.Weight},
		"head.bias":   {Shape: []int{f.Out}, F32: f.Bias},
	})
	if err != nil {
		t.Fatal(err)
	}
	logits := net.Forward(f.X)
	closeTo(t, "embedding", net.Output(3), f.Embedding, 1e-6)
	closeTo(t, "logits", logits, f.Logits, 1e-6)
}

// closeTo reports every value of got further than tol from PyTorch's want,
// and logs the largest difference.
func closeTo(t *testing.T, name string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, PyTorch %d", name, len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		d := math.Abs(float64(got[i] - want[i]))
		worst = math.Max(worst, d)
		if d > tol {
			t.Errorf("%s[%d] = %.8g, PyTorch %.8g", name, i, got[i], want[i])
		}
	}
	t.Logf("%s: largest difference %.2g", name, worst)
}
