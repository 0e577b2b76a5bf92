package teach

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"
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
	o := Options{Steps: 1, LR: f.LR, WeightDecay: f.WeightDecay}
	// One step at a time to record the loss before each, like the script;
	// AdamW's state must carry over, so this calls the pieces descend uses.
	g := grads{W: make([]float32, len(h.W)), B: make([]float32, len(h.B))}
	aw, ab := newAdamW(len(h.W)), newAdamW(len(h.B))
	z := make([]float32, h.Out)
	for s := 1; s <= f.Steps; s++ {
		losses = append(losses, h.lossGrad(g, xs, f.Y, z))
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
	for _, p := range []struct {
		name      string
		got, want []float32
	}{{"weight", h.W, f.W}, {"bias", h.B, f.B}} {
		worst := 0.0
		for i := range p.want {
			d := math.Abs(float64(p.got[i] - p.want[i]))
			worst = math.Max(worst, d)
			if d > 1e-5 {
				t.Errorf("%s[%d] = %.7f, PyTorch %.7f", p.name, i, p.got[i], p.want[i])
			}
		}
		t.Logf("%s: largest difference %.2g", p.name, worst)
	}

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
