package nn

import (
	"math"
	"math/rand"
	"testing"
)

// TestWinograd45Random runs 5x5 stride-1 conv layers through F(4x4,5x5)
// against refConv on random shapes: maps ending in partial tiles and maps
// smaller than one tile, pads 0-3, groups, more than nr tiles and more than
// mr output channels, float32 and int8 weights; and the same layers
// through the 3x3 subkernels (TestRearrangeRandom's path) to the same
// tolerance.
func TestWinograd45Random(t *testing.T) {
	r := rand.New(rand.NewSource(45))
	tested := 0
	for it := 0; it < 80; it++ {
		g := 1 + r.Intn(2)
		cg, ocg := 1+r.Intn(9), 1+r.Intn(13)
		h, w := 1+r.Intn(30), 1+r.Intn(30)
		pad := r.Intn(4)
		if it == 0 {
			g, cg, ocg, h, w, pad = 1, 24, 20, 27, 27, 2 // the seed's conv2, fewer channels
		}
		if h+2*pad < 5 || w+2*pad < 5 {
			continue
		}
		l := conv("c", g*cg, g*ocg, 5, 1, pad, g)
		a := Arch{InC: g * cg, InH: h, InW: w, Layers: []Layer{l}}
		ps := randParams(r, a)
		if it%2 == 1 {
			ps = quantize(ps)
		}
		x := randVec(r, g*cg*h*w, 1)
		want := refForward(a, ps, x)[0]
		for _, direct := range []bool{true, false} {
			paths := defaultConvPaths()
			paths.subkernels = !direct // without subkernels F(4x4,5x5) is taken whatever it costs
			paths.winograd45 = direct
			n, err := newWithPaths(a, ps, paths)
			if err != nil {
				t.Fatal(err)
			}
			cv := n.layers[0].conv
			if got := cv.wino != nil && cv.wino.k == 5; got != direct {
				t.Fatalf("F(4x4,5x5) taken = %v, want %v", got, direct)
			}
			got := n.Forward(x)
			// A few more roundings per output than F(4x4,3x3), whose
			// bound this is (TestWinogradRandom).
			if d, m := maxDiff(got, want); d > 1e-5*math.Max(1, m) {
				t.Fatalf("direct=%v g=%d cg=%d ocg=%d h=%d w=%d pad=%d: max diff %g (max |ref| %g)", direct, g, cg, ocg, h, w, pad, d, m)
			}
		}
		tested++
	}
	if tested < 60 {
		t.Fatalf("only %d shapes tested", tested)
	}
}

// TestWino45Choice pins which path New takes for 5x5 stride-1 convs
// (wino45Pays): F(4x4,5x5) for the seed's conv2, the subkernels with
// F(2x2,3x3) where one small tile wastes most of an 8x8 one.
func TestWino45Choice(t *testing.T) {
	for _, c := range []struct {
		c, oc, h, pad int
		direct        bool
	}{
		{48, 128, 27, 2, true}, // the seed's conv2
		{64, 192, 27, 2, true}, // TorchVision's
		{48, 128, 13, 2, true},
		{48, 128, 1, 2, false}, // a 1x1 output
		{4, 4, 5, 0, false},
	} {
		a := Arch{InC: c.c, InH: c.h, InW: c.h, Layers: []Layer{conv("c", c.c, c.oc, 5, 1, c.pad, 1)}}
		n, err := New(a, randParams(rand.New(rand.NewSource(1)), a))
		if err != nil {
			t.Fatal(err)
		}
		cv := n.layers[0].conv
		if got := cv.wino != nil && cv.wino.k == 5; got != c.direct {
			t.Errorf("%d->%d %dx%d pad %d: F(4x4,5x5) = %v, want %v", c.c, c.oc, c.h, c.h, c.pad, got, c.direct)
		}
	}
}

// TestColTransform45 holds the build's colTransform45 (four columns at a
// time in SIMD builds) to colTransform45Scalar.
func TestColTransform45(t *testing.T) {
	r := rand.New(rand.NewSource(46))
	for _, wp := range []int{4, 8, 32, 60} {
		src := randVec(r, 8*wp, 3)
		got, want := make([]float32, 8*wp), make([]float32, 8*wp)
		for i := range got {
			got[i] = 1e30 // any entry left unwritten shows
		}
		colTransform45(got, src, wp)
		colTransform45Scalar(want, src, wp)
		for i := range got {
			// FMA (amd64) rounds once where the scalar loop rounds twice.
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-6*math.Max(1, math.Abs(float64(want[i]))) {
				t.Fatalf("wp=%d: entry %d = %g, want %g", wp, i, got[i], want[i])
			}
		}
	}
}

// TestOutputTransform45 holds the build's outputTransform45 (four tiles at
// a time in SIMD builds) to outputTransform45Scalar on random M: maps
// ending in partial tiles, tile counts that are not multiples of 4, and
// every output pixel written.
func TestOutputTransform45(t *testing.T) {
	r := rand.New(rand.NewSource(47))
	for it := 0; it < 40; it++ {
		ocg, h, w := 1+r.Intn(9), 1+r.Intn(19), 1+r.Intn(19)
		a := Arch{InC: 2, InH: h, InW: w, Layers: []Layer{conv("c", 2, ocg, 5, 1, 2, 1)}}
		paths := defaultConvPaths()
		paths.subkernels = false
		n, err := newWithPaths(a, randParams(r, a), paths)
		if err != nil {
			t.Fatal(err)
		}
		wc := n.layers[0].conv.wino
		if wc == nil || wc.k != 5 {
			t.Fatal("F(4x4,5x5) not taken")
		}
		copy(wc.m, randVec(r, 64*wc.mp*wc.tp, 1))
		got, scalar := make([]float32, ocg*h*w), make([]float32, ocg*h*w)
		for i := range got {
			got[i] = 1e30 // any pixel left unwritten shows
		}
		wc.outputTransform45(got, wc.bias)
		wc.outputTransform45Scalar(scalar, wc.bias)
		want := make([]float64, len(scalar))
		for i, v := range scalar {
			want[i] = float64(v)
		}
		if d, m := maxDiff(got, want); d > 1e-6*math.Max(1, m) {
			t.Fatalf("ocg=%d %dx%d: max diff %g (max |scalar| %g)", ocg, h, w, d, m)
		}
	}
}

// BenchmarkWino45Parts times the seed's conv2 (48->128, 27x27, pad 2)
// through F(4x4,5x5) and its three stages alone:
//
//	go test ./nn -run '^$' -bench Wino45Parts -benchtime 20x
func BenchmarkWino45Parts(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	a := Arch{InC: 48, InH: 27, InW: 27, Layers: []Layer{conv("c", 48, 128, 5, 1, 2, 1)}}
	n, _ := New(a, randParams(r, a))
	wc := n.layers[0].conv.wino
	x := randVec(r, 48*27*27, 1)
	dst := make([]float32, 128*27*27)
	wc.forward(dst, x)
	stage := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				f()
			}
			reportCPU(b, c0, "cpu-ms/op")
		})
	}
	stage("all", func() { n.Forward(x) })
	stage("in", func() { wc.inputTransform45(wc.padded) })
	stage("gemm", func() { wc.gemms(0, 0, wc.nx) })
	stage("out", func() { wc.outputTransform45(dst, wc.bias) })
	stage("out-scalar", func() { wc.outputTransform45Scalar(dst, wc.bias) })
}
