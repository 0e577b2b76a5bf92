package nn

import (
	"math"
	"testing"

	"alexnet/internal/fixture"
)

// The golden fixtures come from testdata/golden.py (PyTorch); see its doc
// for the format, and golden_torch_test.go for refreshing them.

type goldenParam struct {
	F32, Q8, Scale string
}

type goldenCase struct {
	Name    string
	Quant   bool
	Arch    Arch
	Params  map[string]goldenParam
	Input   string
	Outputs []string
}

// golden is golden.json's cases and the fixture's tensors.
type golden struct {
	*fixture.Data `json:"-"`
	Cases         []goldenCase
}

func loadGolden(t *testing.T, dir string) *golden {
	t.Helper()
	var g golden
	g.Data = fixture.Load(t, dir, "golden", &g)
	return &g
}

func (g *golden) params(t *testing.T, c goldenCase) map[string]Weight {
	ps := map[string]Weight{}
	for name, p := range c.Params {
		if p.Q8 != "" {
			ps[name] = Weight{Shape: g.Tensors[p.Q8].Shape, Q8: g.Ints(t, p.Q8), Scale: g.Get(t, p.Scale)}
		} else {
			ps[name] = Weight{Shape: g.Tensors[p.F32].Shape, F32: g.Get(t, p.F32)}
		}
	}
	return ps
}

// TestGolden runs every PyTorch case, one-layer ops and whole small
// networks (float32 and int8 weights), and compares every layer's output.
// Per layer: max |engine - torch| <= 1e-4 * max(1, max |torch|), which for
// the last layer is the "logits within 1e-4 of the largest |logit|" rule.
func TestGolden(t *testing.T) {
	g := loadGolden(t, "testdata")
	if len(g.Cases) < 30 {
		t.Fatalf("golden: only %d cases", len(g.Cases))
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			n, err := New(c.Arch, g.params(t, c))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Outputs) != len(c.Arch.Layers) {
				t.Fatalf("%d outputs for %d layers", len(c.Outputs), len(c.Arch.Layers))
			}
			logits := n.Forward(g.Get(t, c.Input))
			for i, name := range c.Outputs {
				want := g.Get(t, name)
				got := n.Output(i)
				if len(got) != len(want) {
					t.Fatalf("layer %d (%s): %d values, torch has %d", i, c.Arch.Layers[i].Op, len(got), len(want))
				}
				d, m := maxDiff(got, f64(want))
				if math.IsNaN(d) || d > 1e-4*math.Max(1, m) {
					t.Errorf("layer %d (%s): max diff %.3g, max |torch| %.3g", i, c.Arch.Layers[i].Op, d, m)
				} else if testing.Verbose() {
					t.Logf("layer %2d %-15s max diff %.3g (max |torch| %.3g)", i, c.Arch.Layers[i].Op, d, m)
				}
			}
			if &logits[0] != &n.Output(len(c.Arch.Layers) - 1)[0] {
				t.Error("Forward's result is not the last layer's output")
			}
		})
	}
}

// q8Tolerance is the stated int8 tolerance: an int8 network's logits stay
// within this fraction of the float32 network's largest |logit|, and agree
// on the top-1 class whenever float32's top-2 margin exceeds twice it.
const q8Tolerance = 0.05

// TestGoldenQ8VsFloat runs each network's int8 twin in the engine and holds
// it to PyTorch's float32 logits of the same network.
func TestGoldenQ8VsFloat(t *testing.T) {
	g := loadGolden(t, "testdata")
	f32 := map[string]goldenCase{}
	for _, c := range g.Cases {
		if !c.Quant {
			f32[c.Arch.Name] = c
		}
	}
	nets := 0
	for _, c := range g.Cases {
		if !c.Quant {
			continue
		}
		fc, ok := f32[c.Arch.Name]
		if !ok {
			t.Fatalf("%s: no float32 twin", c.Name)
		}
		n, err := New(c.Arch, g.params(t, c))
		if err != nil {
			t.Fatal(err)
		}
		got := n.Forward(g.Get(t, c.Input))
		want := g.Get(t, fc.Outputs[len(fc.Outputs)-1])
		d, m := maxDiff(got, f64(want))
		if d > q8Tolerance*m {
			t.Errorf("%s: int8 logits differ from float32 by %.3g, more than %.0f%% of max |logit| %.3g", c.Name, d, 100*q8Tolerance, m)
		}
		top, second := top2(want)
		if Argmax(got) != top && float64(want[top]-want[second]) > 2*q8Tolerance*m {
			t.Errorf("%s: int8 top-1 %d, float32 top-1 %d (margin %.3g)", c.Name, Argmax(got), top, want[top]-want[second])
		}
		t.Logf("%s: int8 vs float32 logits: max diff %.3g = %.2f%% of max |logit|; top-1 %d vs %d", c.Name, d, 100*d/m, Argmax(got), top)
		if len(want) > 1 {
			nets++
		}
	}
	if nets < 3 {
		t.Errorf("only %d int8 networks in the fixtures", nets)
	}
}

func top2(v []float32) (int, int) {
	a := Argmax(v)
	b := -1
	for i, x := range v {
		if i != a && (b < 0 || x > v[b]) {
			b = i
		}
	}
	if b < 0 {
		b = a
	}
	return a, b
}
