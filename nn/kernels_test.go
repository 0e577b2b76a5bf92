package nn

import (
	"math"
	"math/rand"
	"testing"
)

// Each fast kernel against its naive reference, on random shapes with odd
// sizes included.

func naiveMatMul(a, b, bias []float32, m, n, k int) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := float64(bias[i])
			for p := 0; p < k; p++ {
				s += float64(a[i*k+p]) * float64(b[p*n+j])
			}
			c[i*n+j] = s
		}
	}
	return c
}

func TestMicroKernel(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	for _, k := range []int{0, 1, 2, 3, 7, 64, 363, 1201} {
		// acc: bias nil, the kernel adds to what C holds (a later K block).
		for _, acc := range []bool{false, true} {
			a := randVec(r, k*mr, 1)
			b := randVec(r, k*nr, 1)
			bias := randVec(r, mr, 1)
			ldc := nr + 3
			init := randVec(r, mr*ldc, 1)
			// The float64 reference for the tile.
			ref := make([]float64, mr*nr)
			for i := 0; i < mr; i++ {
				for j := 0; j < nr; j++ {
					s := float64(bias[i])
					if acc {
						s = float64(init[i*ldc+j])
					}
					for p := 0; p < k; p++ {
						s += float64(a[p*mr+i]) * float64(b[p*nr+j])
					}
					ref[i*nr+j] = s
				}
			}
			kbias := bias
			if acc {
				kbias = nil
			}
			kernels := map[string]func(int, []float32, []float32, []float32, int, []float32){"microKernel": microKernel, "kernelGeneric": kernelGeneric}
			if mr == 3 && nr == 4 {
				kernels["kernel3x4Scalar"] = kernel3x4Scalar
			}
			for name, kern := range kernels {
				got := make([]float32, mr*ldc)
				for i := range got {
					got[i] = 42 // the padding columns must stay untouched
					if acc && i%ldc < nr {
						got[i] = init[i]
					}
				}
				kern(k, a, b, got, ldc, kbias)
				for i := 0; i < mr; i++ {
					for j := 0; j < ldc; j++ {
						g := got[i*ldc+j]
						if j >= nr {
							if g != 42 {
								t.Fatalf("%s k=%d acc=%v: wrote outside the tile at (%d,%d)", name, k, acc, i, j)
							}
							continue
						}
						if w := ref[i*nr+j]; math.Abs(float64(g)-w) > 1e-5*math.Sqrt(float64(k)+1) {
							t.Fatalf("%s k=%d acc=%v: c[%d][%d] = %g, want %g", name, k, acc, i, j, g, w)
						}
					}
				}
			}
		}
	}
}

// TestGemmPanels runs convPanels as a plain GEMM (a 1x1 convolution over
// a 1 x n image with K channels is exactly A (m,K) * B (K,n)) against a
// naive matmul.
func TestGemmPanels(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for it := 0; it < 40; it++ {
		m, n, k := 1+r.Intn(37), 1+r.Intn(53), 1+r.Intn(90)
		if it == 0 {
			m, n, k = 48, 3025, 363 // the seed's conv1
		}
		a := randVec(r, m*k, 1)
		b := randVec(r, k*n, 1)
		bias := randVec(r, m, 1)
		mp := (m + mr - 1) / mr * mr
		pa := make([]float32, mp*k)
		packA(pa, a, m, k)
		pbias := make([]float32, mp)
		copy(pbias, bias)
		c := make([]float32, m*n)
		panels := (n + nr - 1) / nr
		// Two calls over split panel ranges, as the goroutines do.
		// K blocks of kc (the last shorter), including kc >= k (one block).
		kc := []int{1, 7, 16, 64, 1000}[it%5]
		if it == 0 {
			kc = defaultConvPaths().kcMax
		}
		_, kb := kBlocks(k, kc)
		buf := make([]float32, kb*nr)
		convPanels(c, b, pa, pbias, buf, m, n, k, 1, n, 1, 1, n, 0, panels/2, kc)
		convPanels(c, b, pa, pbias, buf, m, n, k, 1, n, 1, 1, n, panels/2, panels, kc)
		want := naiveMatMul(a, b, bias, m, n, k)
		if d, _ := maxDiff(c, want); d > 1e-5*math.Sqrt(float64(k)) {
			t.Fatalf("m=%d n=%d k=%d kc=%d: max diff %g", m, n, k, kc, d)
		}
	}
}

// TestPackPatches checks padInto + packPatches against a naive im2col.
func TestPackPatches(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	for it := 0; it < 40; it++ {
		c, h, w := 1+r.Intn(4), 1+r.Intn(19), 1+r.Intn(19)
		k, stride, pad := 1+r.Intn(5), 1+r.Intn(4), r.Intn(3)
		if h+2*pad < k || w+2*pad < k {
			continue
		}
		oh, ow := (h+2*pad-k)/stride+1, (w+2*pad-k)/stride+1
		src := randVec(r, c*h*w, 1)
		kk, n := c*k*k, oh*ow
		want := make([]float32, kk*n)
		for ci := 0; ci < c; ci++ {
			for ky := 0; ky < k; ky++ {
				for kx := 0; kx < k; kx++ {
					for y := 0; y < oh; y++ {
						for x := 0; x < ow; x++ {
							iy, ix := y*stride-pad+ky, x*stride-pad+kx
							if iy >= 0 && iy < h && ix >= 0 && ix < w {
								want[((ci*k+ky)*k+kx)*n+y*ow+x] = src[(ci*h+iy)*w+ix]
							}
						}
					}
				}
			}
		}
		hp, wp := h+2*pad, w+2*pad
		in := make([]float32, c*hp*wp)
		padInto(in, src, c, h, w, pad)
		buf := make([]float32, kk*nr)
		// A row range [p0,p1) as a K block asks for; the whole of K half the time.
		p0, p1 := 0, kk
		if it%2 == 1 {
			p0 = r.Intn(kk)
			p1 = p0 + 1 + r.Intn(kk-p0)
		}
		for n0 := 0; n0 < n; n0 += nr {
			cols := min(nr, n-n0)
			packPatches(buf, in, hp, wp, k, stride, ow, n0, cols, p0, p1)
			for p := p0; p < p1; p++ {
				for j := 0; j < cols; j++ {
					if g, e := buf[(p-p0)*nr+j], want[p*n+n0+j]; g != e {
						t.Fatalf("c=%d h=%d w=%d k=%d s=%d p=%d: B[%d][%d] = %g, want %g", c, h, w, k, stride, pad, p, n0+j, g, e)
					}
				}
			}
		}
	}
}

// TestConvRandom runs whole conv layers (im2col + GEMM, groups) against
// refConv on random shapes.
func TestConvRandom(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for it := 0; it < 40; it++ {
		g := 1 + r.Intn(3)
		cg, ocg := 1+r.Intn(6), 1+r.Intn(11)
		h, w := 1+r.Intn(17), 1+r.Intn(17)
		k, stride, pad := 1+r.Intn(5), 1+r.Intn(3), r.Intn(3)
		if h+2*pad < k || w+2*pad < k {
			continue
		}
		a := Arch{InC: g * cg, InH: h, InW: w, Layers: []Layer{conv("c", g*cg, g*ocg, k, stride, pad, g)}}
		ps := randParams(r, a)
		if it%2 == 1 {
			ps = quantize(ps)
		}
		x := randVec(r, g*cg*h*w, 1)
		if _, d, m := vsRef(t, a, ps, x); d > 1e-5*math.Max(1, m) {
			t.Fatalf("%+v: max diff %g", a.Layers[0], d)
		}
	}
}

func TestPoolsAndLRNRandom(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	for it := 0; it < 60; it++ {
		c, h, w := 1+r.Intn(9), 1+r.Intn(15), 1+r.Intn(15)
		var l Layer
		switch it % 3 {
		case 0:
			k := 1 + r.Intn(4)
			l = Layer{Op: OpMaxPool, Kernel: k, Stride: 1 + r.Intn(3), Pad: r.Intn(k/2 + 1), CeilMode: r.Intn(2) == 0}
		case 1:
			l = Layer{Op: OpLRN, Size: 1 + r.Intn(6), Alpha: r.Float32(), Beta: r.Float32() + 0.25, K: 0.5 + r.Float32()}
			if it%6 == 1 {
				l.Beta = 0.75 // the sqrt fast path
			}
		case 2:
			l = Layer{Op: OpAdaptiveAvgPool, OutH: 1 + r.Intn(8), OutW: 1 + r.Intn(8)}
		}
		a := Arch{InC: c, InH: h, InW: w, Layers: []Layer{l}}
		if _, err := a.Shapes(); err != nil {
			continue
		}
		n, err := New(a, nil)
		if err != nil {
			t.Fatal(err)
		}
		x := randVec(r, c*h*w, 3)
		got := n.Forward(x)
		want := refForward(a, nil, x)[0]
		if d, m := maxDiff(got, want); d > 2e-6*math.Max(1, m) {
			t.Fatalf("%+v on %dx%dx%d: max diff %g", l, c, h, w, d)
		}
	}
}

func TestDots(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	for _, n := range []int{0, 1, 3, 4, 5, 15, 16, 17, 31, 33, 100, 4608} {
		w := randVec(r, n, 1)
		x := randVec(r, n+3, 1)
		q := make([]int8, n)
		for i := range q {
			q[i] = int8(r.Intn(255) - 127)
		}
		var wf, wq float64
		for i := 0; i < n; i++ {
			wf += float64(w[i]) * float64(x[i])
			wq += float64(q[i]) * float64(x[i])
		}
		tol := 1e-5 * math.Sqrt(float64(n)+1)
		if got := dotF32(w, x); math.Abs(float64(got)-wf) > tol {
			t.Errorf("dotF32 n=%d: %g, want %g", n, got, wf)
		}
		if got := dotQ8(q, x); math.Abs(float64(got)-wq) > 127*tol {
			t.Errorf("dotQ8 n=%d: %g, want %g", n, got, wq)
		}
		// dotQ8x4: four different rows (q, reversed q, negated q, a fresh row).
		rows := [4][]int8{q, make([]int8, n), make([]int8, n), make([]int8, n)}
		for i := range q {
			rows[1][i], rows[2][i], rows[3][i] = q[n-1-i], -q[i], int8(r.Intn(255)-127)
		}
		var got [4]float32
		got[0], got[1], got[2], got[3] = dotQ8x4(rows[0], rows[1], rows[2], rows[3], x)
		for k, row := range rows {
			var want float64
			for i, v := range row {
				want += float64(v) * float64(x[i])
			}
			if math.Abs(float64(got[k])-want) > 127*tol {
				t.Errorf("dotQ8x4 n=%d row %d: %g, want %g", n, k, got[k], want)
			}
		}
	}
}

// TestLinearRandom covers the row blocking of the FC layer with odd sizes,
// float32 and int8.
func TestLinearRandom(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	for it := 0; it < 30; it++ {
		in, out := 1+r.Intn(70), 1+r.Intn(23)
		a := Arch{InC: in, InH: 1, InW: 1, Layers: []Layer{linear("fc", in, out)}}
		ps := randParams(r, a)
		if it%2 == 1 {
			ps = quantize(ps)
		}
		x := randVec(r, in, 1)
		if _, d, m := vsRef(t, a, ps, x); d > 1e-5*math.Max(1, m) {
			t.Fatalf("linear %d->%d q8=%v: max diff %g", in, out, it%2 == 1, d)
		}
	}
}

func TestSoftmax(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	cases := []struct {
		logits []float32
		temp   float32
		want   []float64
	}{
		{[]float32{1, 2, 3}, 1, []float64{0.09003057, 0.24472847, 0.66524096}},
		{[]float32{1, 2, 3}, 2, []float64{0.18632372, 0.30719589, 0.50648039}},
		{[]float32{1, 2, 3}, 0, []float64{0.09003057, 0.24472847, 0.66524096}},   // bad T counts as 1
		{[]float32{1, 2, 3}, nan, []float64{0.09003057, 0.24472847, 0.66524096}}, // bad T counts as 1
		{[]float32{1000, 1000}, 1, []float64{0.5, 0.5}},                          // no overflow
		{[]float32{nan, 0}, 1, []float64{0, 1}},
		{[]float32{nan, nan}, 1, []float64{0.5, 0.5}},
		{[]float32{inf, 0, inf}, 1, []float64{0.5, 0, 0.5}},
	}
	for _, c := range cases {
		got := make([]float32, len(c.logits))
		Softmax(got, c.logits, c.temp)
		if d, _ := maxDiff(got, c.want); d > 1e-6 || math.IsNaN(d) {
			t.Errorf("Softmax(%v, %v) = %v, want %v", c.logits, c.temp, got, c.want)
		}
	}
	Softmax(make([]float32, 1), []float32{1, 2, 3}, 1) // short dst: no panic
	Softmax(nil, nil, 1)
}

// TestVectorOps holds rectify and maxInto (SIMD in SIMD builds) to plain
// loops, on every length up to 37 and with offsets that misalign the data.
func TestVectorOps(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	for n := 0; n <= 37; n++ {
		for off := 0; off < 3; off++ {
			a := randVec(r, n+off, 2)[off:]
			b := randVec(r, n+off, 2)[off:]
			got := make([]float32, n)
			rectify(got, a)
			for i, v := range a {
				if want := float32(math.Max(float64(v), 0)); got[i] != want {
					t.Fatalf("rectify n=%d: [%d] = %g, want %g", n, i, got[i], want)
				}
			}
			maxInto(got, a, b)
			for i := range a {
				if want := float32(math.Max(float64(a[i]), float64(b[i]))); got[i] != want {
					t.Fatalf("maxInto n=%d: [%d] = %g, want %g", n, i, got[i], want)
				}
			}
		}
	}
}

// TestMicroKernelNarrow checks the narrow edge tiles against a float64
// reference: the first cols columns right, nothing written past the 4 or 8
// columns they cover (when the build has them).
func TestMicroKernelNarrow(t *testing.T) {
	r := rand.New(rand.NewSource(24))
	for _, k := range []int{0, 1, 5, 48, 192} {
		for cols := 1; cols < nr; cols++ {
			for _, acc := range []bool{false, true} {
				a, b := randVec(r, k*mr, 1), randVec(r, k*nr, 1)
				bias := randVec(r, mr, 1)
				ldc := nr + 5
				c := randVec(r, mr*ldc, 1)
				orig := append([]float32(nil), c...)
				kb := bias
				if acc {
					kb = nil
				}
				if !microKernelNarrow(k, a, b, c, ldc, kb, cols) {
					if simdKernel && nr == 12 && cols <= 8 {
						t.Fatalf("cols=%d: the SIMD build must take narrow tiles", cols)
					}
					continue
				}
				covered := 4
				if cols > 4 {
					covered = 8
				}
				for i := 0; i < mr; i++ {
					for j := 0; j < ldc; j++ {
						g := c[i*ldc+j]
						if j >= covered {
							if g != orig[i*ldc+j] {
								t.Fatalf("k=%d cols=%d: wrote (%d,%d) past the %d covered columns", k, cols, i, j, covered)
							}
							continue
						}
						want := float64(bias[i])
						if acc {
							want = float64(orig[i*ldc+j])
						}
						for p := 0; p < k; p++ {
							want += float64(a[p*mr+i]) * float64(b[p*nr+j])
						}
						if math.Abs(float64(g)-want) > 1e-5*math.Sqrt(float64(k)+1) {
							t.Fatalf("k=%d cols=%d acc=%v: c[%d][%d] = %g, want %g", k, cols, acc, i, j, g, want)
						}
					}
				}
			}
		}
	}
}

// TestMicroKernelTall checks the tall edge tile (three row panels, at most
// 4 columns) against a float64 reference: the first cols columns of the 12
// rows right, nothing else written (when the build has it).
func TestMicroKernelTall(t *testing.T) {
	r := rand.New(rand.NewSource(25))
	for _, k := range []int{0, 1, 5, 48, 192} {
		for cols := 1; cols <= 5; cols++ {
			for _, acc := range []bool{false, true} {
				a, b := randVec(r, 3*k*mr, 1), randVec(r, k*nr, 1)
				bias := randVec(r, 3*mr, 1)
				ldc := nr + 5
				c := randVec(r, 3*mr*ldc, 1)
				orig := append([]float32(nil), c...)
				kb := bias
				if acc {
					kb = nil
				}
				if !microKernelTall(k, a, b, c, ldc, kb, cols) {
					if simdKernel && nr == 12 && cols <= 4 {
						t.Fatalf("cols=%d: the wasm SIMD build must take tall tiles", cols)
					}
					continue
				}
				if cols > 4 {
					t.Fatalf("cols=%d: took a tall tile past its 4 columns", cols)
				}
				for i := 0; i < 3*mr; i++ {
					panel, row := a[(i/mr)*k*mr:], i%mr
					for j := 0; j < ldc; j++ {
						g := c[i*ldc+j]
						if j >= cols {
							if g != orig[i*ldc+j] {
								t.Fatalf("k=%d cols=%d: wrote (%d,%d) past the %d columns", k, cols, i, j, cols)
							}
							continue
						}
						want := float64(bias[i])
						if acc {
							want = float64(orig[i*ldc+j])
						}
						for p := 0; p < k; p++ {
							want += float64(panel[p*mr+row]) * float64(b[p*nr+j])
						}
						if math.Abs(float64(g)-want) > 1e-5*math.Sqrt(float64(k)+1) {
							t.Fatalf("k=%d cols=%d acc=%v: c[%d][%d] = %g, want %g", k, cols, acc, i, j, g, want)
						}
					}
				}
			}
		}
	}
}

// TestMaxInto3 holds the 3-wide max (SIMD where the build has it) to the
// plain loop, with NaNs, which must propagate as in PyTorch's pooling.
func TestMaxInto3(t *testing.T) {
	r := rand.New(rand.NewSource(26))
	for _, n := range []int{0, 1, 3, 4, 7, 53, 55} {
		a, b, c := randVec(r, n, 1), randVec(r, n, 1), randVec(r, n, 1)
		if n > 2 {
			a[0], b[n/2], c[n-1] = float32(math.NaN()), float32(math.NaN()), float32(math.NaN())
		}
		got := make([]float32, n)
		maxInto3(got, a, b, c)
		for i := range got {
			want := math.Max(math.Max(float64(a[i]), float64(b[i])), float64(c[i]))
			if g := float64(got[i]); g != want && !(math.IsNaN(g) && math.IsNaN(want)) {
				t.Fatalf("n=%d: max of %v %v %v = %v, want %v", n, a[i], b[i], c[i], g, want)
			}
		}
	}
}

// TestMaxIntoNaN: the two-way maximum lets a NaN through from either side.
func TestMaxIntoNaN(t *testing.T) {
	nan := float32(math.NaN())
	a := []float32{nan, 1, 2, 3, nan, 5, 6, 7, 8}
	b := []float32{0, nan, 2, 3, 4, 5, nan, 7, nan}
	got := make([]float32, len(a))
	maxInto(got, a, b)
	for i, g := range got {
		if want := a[i] != a[i] || b[i] != b[i]; want != (g != g) {
			t.Fatalf("max(%v, %v) = %v", a[i], b[i], g)
		}
	}
}

// BenchmarkMicroKernel times the GEMM micro-kernel alone on one of conv4's
// 36 Winograd GEMMs (M = K = 192): "tile" runs the mr x nr tile over the 48
// row panels of a 4-row build (64 of a 3-row one), "tall" the tall edge tile
// with 4 columns over the same rows, where the build has it. GFLOP/s count
// the columns computed (nr, or 4):
//
//	go test ./nn -run '^$' -bench MicroKernel
func BenchmarkMicroKernel(b *testing.B) {
	const m, k = 192, 192
	r := rand.New(rand.NewSource(27))
	a, bp := randVec(r, m*k, 1), randVec(r, nr*k, 1)
	c, bias := make([]float32, m*nr), make([]float32, m)
	report := func(b *testing.B, cols int) {
		b.ReportMetric(float64(2*m*k*cols)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	b.Run("tile", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for ip := 0; ip < m/mr; ip++ {
				microKernel(k, a[ip*mr*k:], bp, c[ip*mr*nr:], nr, bias[ip*mr:])
			}
		}
		report(b, nr)
	})
	if !microKernelTall(k, a, bp, c, nr, bias, 4) {
		return
	}
	b.Run("tall", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for ip := 0; ip+3 <= m/mr; ip += 3 {
				microKernelTall(k, a[ip*mr*k:], bp, c[ip*mr*nr:], nr, bias[ip*mr:], 4)
			}
		}
		report(b, 4)
	})
}

// TestRectifyNaN: ReLU lets a NaN through, as torch.nn.ReLU does, so that a
// NaN reaches the output and is reported (classifier.ErrNotFinite) rather
// than turned into a plausible 0.
func TestRectifyNaN(t *testing.T) {
	nan := float32(math.NaN())
	src := []float32{nan, 1, -1, 2, nan, -3, nan}
	dst := make([]float32, len(src))
	rectify(dst, src)
	for i, g := range dst {
		if want := max(src[i], 0); src[i] != src[i] && g == g || src[i] == src[i] && g != want {
			t.Fatalf("relu(%v) = %v", src[i], g)
		}
	}
}
