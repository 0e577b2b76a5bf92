package nn

import (
	"math"
	"math/rand"
	"testing"
)

// TestWinogradRandom runs 3x3 stride-1 conv layers (the Winograd path)
// against refConv on random shapes: odd and even maps (partial edge tiles),
// maps smaller than one tile, pads 0-2, groups, more than nr tiles and
// more than mr output channels, float32 and int8 weights. The same layers
// with the Winograd path off must agree too.
func TestWinogradRandom(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	tiles := map[int]int{} // output tile size -> layers tested
	for it := 0; it < 80; it++ {
		g := 1 + r.Intn(2)
		cg, ocg := 1+r.Intn(9), 1+r.Intn(13)
		h, w := 1+r.Intn(16), 1+r.Intn(16)
		pad := r.Intn(3)
		if it == 0 {
			g, cg, ocg, h, w, pad = 1, 64, 24, 13, 13, 1 // the seed's conv3-5 shape, fewer channels
		}
		if h+2*pad < 3 || w+2*pad < 3 {
			continue
		}
		l := conv("c", g*cg, g*ocg, 3, 1, pad, g)
		if !winogradOK(l) {
			t.Fatal("3x3 stride 1 not taken by Winograd")
		}
		a := Arch{InC: g * cg, InH: h, InW: w, Layers: []Layer{l}}
		ps := randParams(r, a)
		if it%2 == 1 {
			ps = quantize(ps)
		}
		x := randVec(r, g*cg*h*w, 1)
		want := refForward(a, ps, x)[0]
		// Winograd F(2x2), F(4x4), and the im2col path.
		for _, tile := range []int{2, 4, 0} {
			wino := tile != 0
			paths := defaultConvPaths()
			paths.winograd, paths.winoTile = wino, tile
			n, err := newWithPaths(a, ps, paths)
			if err != nil {
				t.Fatal(err)
			}
			if got := n.layers[0].conv.wino != nil; got != wino {
				t.Fatalf("Winograd path taken = %v, want %v", got, wino)
			}
			if wino {
				tiles[n.layers[0].conv.wino.f]++
			}
			got := n.Forward(x)
			// The transforms add a few roundings per output: 1e-5 relative,
			// as the im2col path.
			if d, m := maxDiff(got, want); d > 1e-5*math.Max(1, m) {
				t.Fatalf("tile=%d g=%d cg=%d ocg=%d h=%d w=%d pad=%d: max diff %g (max |ref| %g)", tile, g, cg, ocg, h, w, pad, d, m)
			}
		}
	}
	if tiles[2] < 50 || tiles[4] < 50 {
		t.Errorf("layers per tile size: %v, want both F(2x2) and F(4x4) tested", tiles)
	}
}

// TestOutputTransform4 holds the build's outputTransform4 (four tiles at a
// time in SIMD builds) to outputTransform4Scalar on random M: maps ending in
// partial tiles, tile counts that are not multiples of 4, and every output
// pixel written.
func TestOutputTransform4(t *testing.T) {
	r := rand.New(rand.NewSource(25))
	for it := 0; it < 40; it++ {
		ocg, h, w := 1+r.Intn(9), 1+r.Intn(19), 1+r.Intn(19)
		a := Arch{InC: 2, InH: h, InW: w, Layers: []Layer{conv("c", 2, ocg, 3, 1, 1, 1)}}
		paths := defaultConvPaths()
		paths.winoTile = 4
		n, err := newWithPaths(a, randParams(r, a), paths)
		if err != nil {
			t.Fatal(err)
		}
		wc := n.layers[0].conv.wino
		copy(wc.m, randVec(r, 36*wc.mp*wc.tp, 1))
		got, scalar := make([]float32, ocg*h*w), make([]float32, ocg*h*w)
		for i := range got {
			got[i] = 1e30 // any pixel left unwritten shows
		}
		wc.outputTransform4(got, wc.bias)
		wc.outputTransform4Scalar(scalar, wc.bias)
		want := make([]float64, len(scalar))
		for i, v := range scalar {
			want[i] = float64(v)
		}
		// FMA (amd64) rounds once where the scalar loop rounds twice.
		if d, m := maxDiff(got, want); d > 1e-6*math.Max(1, m) {
			t.Fatalf("ocg=%d %dx%d: max diff %g (max |scalar| %g)", ocg, h, w, d, m)
		}
	}
}

// TestWinoTileChoice pins which tile the seed's layers take (winoCost).
func TestWinoTileChoice(t *testing.T) {
	for _, c := range []struct{ oh, f int }{{55, 4}, {27, 4}, {13, 4}, {2, 2}, {1, 2}} {
		f := 2
		if winoCost(4, c.oh, c.oh) < winoCost(2, c.oh, c.oh) {
			f = 4
		}
		if f != c.f {
			t.Errorf("%dx%d map: F(%dx%d), want F(%dx%d) (costs %d, %d)", c.oh, c.oh, f, f, c.f, c.f, winoCost(2, c.oh, c.oh), winoCost(4, c.oh, c.oh))
		}
	}
}

// TestWinoKernel checks U = G g G^T against the matrix products written out.
func TestWinoKernel(t *testing.T) {
	G := [4][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	r := rand.New(rand.NewSource(22))
	g := randVec(r, 9, 1)
	var u [16]float32
	winoKernel(&u, g)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			var s float64
			for a := 0; a < 3; a++ {
				for b := 0; b < 3; b++ {
					s += G[i][a] * float64(g[a*3+b]) * G[j][b]
				}
			}
			if math.Abs(s-float64(u[i*4+j])) > 1e-6 {
				t.Fatalf("U[%d][%d] = %g, want %g", i, j, u[i*4+j], s)
			}
		}
	}
}

// BenchmarkWinoParts times one conv4-shaped layer (192->192, 13x13)
// through im2col and Winograd, and Winograd's three stages alone:
//
//	go test ./nn -run '^$' -bench WinoParts -benchtime 20x
func BenchmarkWinoParts(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	l := conv("c", 192, 192, 3, 1, 1, 1)
	a := Arch{InC: 192, InH: 13, InW: 13, Layers: []Layer{l}}
	ps := randParams(r, a)
	n, _ := New(a, ps)
	wc := n.layers[0].conv.wino
	x := randVec(r, 192*13*13, 1)
	dst := make([]float32, 192*13*13)
	wc.forward(dst, x)
	im2col := defaultConvPaths()
	im2col.winograd = false
	n2, _ := newWithPaths(a, ps, im2col)
	b.Run("im2col", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			n2.Forward(x)
		}
	})
	b.Run("wino", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			n.Forward(x)
		}
	})
	b.Run("in", func(b *testing.B) {
		c0 := cpuTime()
		for i := 0; i < b.N; i++ {
			if wc.f == 4 {
				wc.inputTransform4(wc.padded)
			} else {
				wc.inputTransform(wc.padded)
			}
		}
		reportCPU(b, c0, "cpu-ms/op")
	})
	b.Run("gemm", func(b *testing.B) {
		c0 := cpuTime()
		for i := 0; i < b.N; i++ {
			wc.gemms(0, 0, wc.nx)
		}
		reportCPU(b, c0, "cpu-ms/op")
	})
	b.Run("out", func(b *testing.B) {
		c0 := cpuTime()
		for i := 0; i < b.N; i++ {
			if wc.f == 4 {
				wc.outputTransform4(dst, wc.bias)
			} else {
				wc.outputTransform(dst, wc.bias)
			}
		}
		reportCPU(b, c0, "cpu-ms/op")
	})
	if wc.f == 4 {
		b.Run("out-scalar", func(b *testing.B) {
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				wc.outputTransform4Scalar(dst, wc.bias)
			}
			reportCPU(b, c0, "cpu-ms/op")
		})
	}
}

// TestRearrangeRandom runs the layers rearranged into 3x3 stride-1 convs
// (rearrange.go) against refConv: strided ones whose space-to-depth kernel
// is 3x3 (conv1's 11x11 stride 4 among them: kernels 5-12, strides 2-4) and
// stride-1 4x4 to 6x6 kernels decomposed into 3x3 subkernels (conv2's 5x5),
// pads 0-3, groups 1-2, odd sizes, float32 and int8 weights.
func TestRearrangeRandom(t *testing.T) {
	r := rand.New(rand.NewSource(23))
	tested := map[bool]int{}
	for it := 0; (tested[true] < 40 || tested[false] < 40) && it < 2000; it++ {
		k, s := 5+r.Intn(8), 2+r.Intn(3)
		if it%2 == 1 {
			k, s = 4+r.Intn(3), 1
		}
		pad := r.Intn(4)
		g := 1 + r.Intn(2)
		c, oc := g*(1+r.Intn(4)), g*(1+r.Intn(6))
		h, w := 1+r.Intn(40), 1+r.Intn(40)
		switch it {
		case 0:
			k, s, pad, g, c, oc, h, w = 11, 4, 2, 1, 3, 8, 63, 63 // conv1, fewer channels, smaller map
		case 1:
			k, s, pad, g, c, oc, h, w = 5, 1, 2, 1, 8, 12, 27, 27 // conv2, fewer channels
		}
		l := conv("c", c, oc, k, s, pad, g)
		s2d := s2dOK(l)
		if !s2d && !subkernelsOK(l) || h+2*pad < k || w+2*pad < k {
			continue
		}
		tested[s2d]++
		a := Arch{InC: c, InH: h, InW: w, Layers: []Layer{l}}
		ps := randParams(r, a)
		if it%4 >= 2 {
			ps = quantize(ps)
		}
		paths := defaultConvPaths()
		paths.winograd45 = false // 5x5 stride 1 would take F(4x4,5x5) (TestWinograd45Random)
		n, err := newWithPaths(a, ps, paths)
		if err != nil {
			t.Fatal(err)
		}
		if n.layers[0].conv.rearrange == nil {
			t.Fatalf("%+v: not rearranged", l)
		}
		x := randVec(r, c*h*w, 1)
		want := refForward(a, ps, x)[0]
		if d, m := maxDiff(n.Forward(x), want); d > 1e-5*math.Max(1, m) {
			t.Fatalf("k=%d s=%d pad=%d g=%d c=%d oc=%d h=%d w=%d: max diff %g (max |ref| %g)", k, s, pad, g, c, oc, h, w, d, m)
		}
	}
	if tested[true] < 40 || tested[false] < 40 {
		t.Fatalf("only %v shapes tested", tested)
	}
}
