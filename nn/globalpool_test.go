package nn

import (
	"math"
	"math/rand"
	"testing"
)

// TestGlobalPoolNet runs a net with a globalpool of two layers and an
// l2norm and compares with float64 loops written from the ops' definitions.
func TestGlobalPoolNet(t *testing.T) {
	a := Arch{Name: "tap", InC: 3, InH: 7, InW: 5, Layers: []Layer{
		conv("c1", 3, 4, 3, 1, 1, 1), relu(), // 0, 1: (4,7,5)
		maxpool(2, 2),                         // 2: (4,3,2)
		conv("c2", 4, 6, 1, 1, 0, 1),          // 3: (6,3,2)
		{Op: OpGlobalPool, From: []int{1, 3}}, // 4: 2*4 + 2*6 = 20
		{Op: OpL2Norm},
		linear("head", 20, 3),
	}}
	shapes, err := a.Shapes()
	if err != nil {
		t.Fatal(err)
	}
	if s := shapes[4]; s != (Shape{20, 1, 1}) {
		t.Fatalf("globalpool shape %v, want 20x1x1", s)
	}
	r := rand.New(rand.NewSource(1))
	params := randParams(r, a)
	net, err := New(a, params)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 3*7*5)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	out := net.Forward(x)

	var want []float64
	for _, f := range []int{1, 3} {
		s, v := shapes[f], net.Output(f)
		hw := s.H * s.W
		mean, mx := make([]float64, s.C), make([]float64, s.C)
		for c := range s.C {
			mx[c] = math.Inf(-1)
			for _, e := range v[c*hw : (c+1)*hw] {
				mean[c] += float64(e) / float64(hw)
				mx[c] = math.Max(mx[c], float64(e))
			}
		}
		want = append(append(want, mean...), mx...)
	}
	var norm float64
	for _, v := range want {
		norm += v * v
	}
	norm = math.Sqrt(norm)
	for i, v := range net.Output(5) {
		if d := math.Abs(float64(v) - want[i]/norm); d > 1e-6 {
			t.Errorf("normalised feature %d = %g, want %g", i, v, want[i]/norm)
		}
	}
	w, b := params["head.weight"].F32, params["head.bias"].F32
	for o := range 3 {
		z := float64(b[o])
		for j := range 20 {
			z += float64(w[o*20+j]) * want[j] / norm
		}
		if d := math.Abs(float64(out[o]) - z); d > 1e-5 {
			t.Errorf("logit %d = %g, want %g", o, out[o], z)
		}
	}
}

func TestGlobalPoolArchRefuses(t *testing.T) {
	base := []Layer{conv("c1", 3, 4, 3, 1, 1, 1), relu()}
	for _, c := range []struct {
		name string
		l    Layer
	}{
		{"no layers", Layer{Op: OpGlobalPool}},
		{"itself", Layer{Op: OpGlobalPool, From: []int{2}}},
		{"negative", Layer{Op: OpGlobalPool, From: []int{-1}}},
		{"From on another op", Layer{Op: OpReLU, From: []int{0}}},
	} {
		a := Arch{Name: "t", InC: 3, InH: 5, InW: 5, Layers: append(append([]Layer(nil), base...), c.l)}
		if _, err := a.Shapes(); err == nil {
			t.Errorf("%s: Shapes accepted %+v", c.name, c.l)
		}
	}
	a := Arch{Name: "t", InC: 3, InH: 5, InW: 5, Layers: append(append([]Layer(nil), base...), Layer{Op: OpGlobalPool, From: []int{1}})}
	if _, err := NewPart(a, map[string]Weight{
		"c1.weight": {Shape: []int{4, 3, 3, 3}, F32: make([]float32, 108)},
		"c1.bias":   {Shape: []int{4}, F32: make([]float32, 4)},
	}, 0, 2, func([]float32, int, int) bool { return true }); err == nil {
		t.Error("NewPart split a globalpool")
	}
}
