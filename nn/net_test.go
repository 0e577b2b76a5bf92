package nn

import (
	"errors"
	"math/rand"
	"testing"
)

// smallArchs are the three layouts of arch.go at reduced width and input
// size, so that the float64 reference runs in a moment.
func smallArchs() []Arch {
	seed := Arch{Name: "seed-small", InC: 3, InH: 67, InW: 63, Layers: []Layer{
		conv("features.0", 3, 6, 11, 4, 2, 1), relu(), maxpool(3, 2),
		conv("features.3", 6, 10, 5, 1, 2, 1), relu(), maxpool(3, 2),
		conv("features.6", 10, 12, 3, 1, 1, 1), relu(),
		conv("features.8", 12, 12, 3, 1, 1, 1), relu(),
		conv("features.10", 12, 8, 3, 1, 1, 1), relu(), maxpool(3, 2),
		{Op: OpFlatten},
		{Op: OpDropout}, linear("classifier.1", 8*1*1, 20), relu(),
		{Op: OpDropout}, linear("classifier.4", 20, 20), relu(),
		linear("classifier.6", 20, 5),
	}}
	tv := Arch{Name: "torchvision-small", InC: 3, InH: 71, InW: 75, Layers: []Layer{
		conv("features.0", 3, 8, 11, 4, 2, 1), relu(), maxpool(3, 2),
		conv("features.3", 8, 12, 5, 1, 2, 1), relu(), maxpool(3, 2),
		conv("features.6", 12, 16, 3, 1, 1, 1), relu(),
		conv("features.8", 16, 12, 3, 1, 1, 1), relu(),
		conv("features.10", 12, 12, 3, 1, 1, 1), relu(), maxpool(3, 2),
		{Op: OpAdaptiveAvgPool, OutH: 6, OutW: 6},
		{Op: OpFlatten},
		{Op: OpDropout}, linear("classifier.1", 12*6*6, 24), relu(),
		{Op: OpDropout}, linear("classifier.4", 24, 24), relu(),
		linear("classifier.6", 24, 7),
	}}
	paper := Arch{Name: "paper-small", InC: 3, InH: 67, InW: 67, Layers: []Layer{
		conv("features.0", 3, 8, 11, 4, 0, 1), relu(), lrn(), maxpool(3, 2),
		conv("features.4", 8, 12, 5, 1, 2, 2), relu(), lrn(), maxpool(3, 2),
		conv("features.8", 12, 16, 3, 1, 1, 1), relu(),
		conv("features.10", 16, 16, 3, 1, 1, 2), relu(),
		conv("features.12", 16, 12, 3, 1, 1, 2), relu(), maxpool(3, 2),
		{Op: OpFlatten},
		{Op: OpDropout}, linear("classifier.1", 12*1*1, 24), relu(),
		{Op: OpDropout}, linear("classifier.4", 24, 24), relu(),
		linear("classifier.6", 24, 6),
	}}
	return []Arch{seed, tv, paper}
}

// TestForwardMatchesReference runs small versions of the three layouts,
// float32 and int8, against the float64 reference, layer by layer.
func TestForwardMatchesReference(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, a := range smallArchs() {
		for _, q := range []bool{false, true} {
			ps := randParams(r, a)
			if q {
				ps = quantize(ps)
			}
			n, err := New(a, ps)
			if err != nil {
				t.Fatalf("%s: %v", a.Name, err)
			}
			x := randVec(r, a.InC*a.InH*a.InW, 2)
			logits := n.Forward(x)
			want := refForward(a, ps, x)
			for i := range a.Layers {
				d, m := maxDiff(n.Output(i), want[i])
				if d > 1e-4*max(m, 1) {
					t.Errorf("%s q8=%v layer %d (%s): max diff %.3g (max |want| %.3g)", a.Name, q, i, a.Layers[i].Op, d, m)
				}
			}
			d, m := maxDiff(logits, want[len(want)-1])
			t.Logf("%s q8=%v: logits max diff %.3g of max |logit| %.3g", a.Name, q, d, m)
		}
	}
}

func TestNewRejectsBadParams(t *testing.T) {
	a := smallArchs()[0]
	r := rand.New(rand.NewSource(2))
	good := randParams(r, a)
	if _, err := New(a, good); err != nil {
		t.Fatal(err)
	}
	with := func(f func(ps map[string]Weight)) map[string]Weight {
		ps := map[string]Weight{}
		for k, v := range good {
			ps[k] = v
		}
		f(ps)
		return ps
	}
	bad := map[string]map[string]Weight{
		"missing": with(func(ps map[string]Weight) { delete(ps, "features.3.weight") }),
		"extra":   with(func(ps map[string]Weight) { ps["features.99.weight"] = good["features.0.bias"] }),
		"rank": with(func(ps map[string]Weight) {
			w := ps["features.0.bias"]
			w.Shape = []int{6, 1}
			ps["features.0.bias"] = w
		}),
		"dim":   with(func(ps map[string]Weight) { w := ps["features.0.bias"]; w.Shape = []int{7}; ps["features.0.bias"] = w }),
		"short": with(func(ps map[string]Weight) { w := ps["features.0.bias"]; w.F32 = w.F32[:5]; ps["features.0.bias"] = w }),
		"nan": with(func(ps map[string]Weight) {
			w := ps["features.0.bias"]
			v := append([]float32(nil), w.F32...)
			v[2] = float32NaN()
			w.F32 = v
			ps["features.0.bias"] = w
		}),
		"none": with(func(ps map[string]Weight) { ps["features.0.bias"] = Weight{Shape: []int{6}} }),
		"both": with(func(ps map[string]Weight) {
			w := ps["features.0.bias"]
			w.Q8 = make([]int8, 6)
			ps["features.0.bias"] = w
		}),
		"scales": with(func(ps map[string]Weight) {
			ps["classifier.6.weight"] = Weight{Shape: []int{5, 20}, Q8: make([]int8, 100), Scale: make([]float32, 4)}
		}),
		"q8 length": with(func(ps map[string]Weight) {
			ps["classifier.6.weight"] = Weight{Shape: []int{5, 20}, Q8: make([]int8, 99), Scale: make([]float32, 5)}
		}),
	}
	for name, ps := range bad {
		_, err := New(a, ps)
		if !errors.Is(err, ErrParam) {
			t.Errorf("%s: got %v, want ErrParam", name, err)
		}
	}
	if _, err := New(Arch{}, good); !errors.Is(err, ErrArch) {
		t.Errorf("empty arch: got %v, want ErrArch", err)
	}
}

func float32NaN() float32 { var z float32; return z / z }

func TestForwardBadInput(t *testing.T) {
	a := smallArchs()[0]
	n, err := New(a, randParams(rand.New(rand.NewSource(3)), a))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Forward(make([]float32, 5)); got != nil {
		t.Errorf("Forward of a short input returned %d values, want nil", len(got))
	}
	if n.Output(-1) != nil || n.Output(len(a.Layers)) != nil {
		t.Error("Output out of range is not nil")
	}
	if got := n.Forward(make([]float32, a.InC*a.InH*a.InW)); len(got) != 5 {
		t.Errorf("Forward returned %d logits, want 5", len(got))
	}
}

// TestLinearWeight: the accessor returns the weights a linear layer was
// built with, and nothing for other layers or out of range.
func TestLinearWeight(t *testing.T) {
	a := Arch{Name: "lw", InC: 3, InH: 1, InW: 1, Layers: []Layer{{Op: OpLinear, Name: "fc", In: 3, Out: 2}, {Op: OpReLU}}}
	w := []float32{1, 2, 3, 4, 5, 6}
	n, err := New(a, map[string]Weight{"fc.weight": {Shape: []int{2, 3}, F32: w}, "fc.bias": {Shape: []int{2}, F32: []float32{7, 8}}})
	if err != nil {
		t.Fatal(err)
	}
	got, bias, ok := n.LinearWeight(0)
	if !ok || &got.F32[0] != &w[0] || got.Shape[0] != 2 || got.Shape[1] != 3 || bias[1] != 8 || got.Q8 != nil || got.Q4 != nil {
		t.Errorf("LinearWeight(0) = %+v, %v, %v", got, bias, ok)
	}
	for _, i := range []int{-1, 1, 2} {
		if _, _, ok := n.LinearWeight(i); ok {
			t.Errorf("LinearWeight(%d) ok", i)
		}
	}
}
