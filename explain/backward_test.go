package explain

import (
	"math"
	"math/rand/v2"
	"testing"

	"alexnet/nn"
	"alexnet/weights"
)

// Finite-difference checks of the backward ops. Each builds a small
// network in the engine (package nn), so the gradient is checked against
// the forward pass the engine really runs, and compares backward's
// gradient of L = sum_j r[j]*out[j] (r random) with central differences
// (L(x+e) - L(x-e)) / 2e of the float32 forward pass, for every input.
// Every op here is piecewise linear, so the difference is exact up to
// float32 rounding away from kinks; inputs are chosen away from them (ReLU
// inputs away from 0, max pool inputs distinct by 0.1 or more), and a
// coordinate whose perturbation flips a ReLU of the network is skipped
// (at most 5% of them may be).

const fdEps = 0.02 // below half the 0.1 gap between max pool inputs, and the 0.05 distance of ReLU inputs from 0

func fdCheck(t *testing.T, a nn.Arch, params map[string]nn.Weight, x []float32, rng *rand.Rand) {
	t.Helper()
	net, err := nn.New(a, params)
	if err != nil {
		t.Fatal(err)
	}
	out := net.Forward(x)
	r := make([]float32, len(out))
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	grad, err := backward(net, x, -1, r)
	if err != nil {
		t.Fatal(err)
	}
	loss := func(x []float32) (float64, []bool) {
		out := net.Forward(x)
		var s float64
		for i, v := range out {
			s += float64(r[i]) * float64(v)
		}
		var mask []bool
		for i, l := range a.Layers {
			if l.Op == nn.OpReLU {
				for _, v := range net.Output(i) {
					mask = append(mask, v > 0)
				}
			}
		}
		return s, mask
	}
	var top float64
	for _, g := range grad {
		top = math.Max(top, math.Abs(float64(g)))
	}
	xp := append([]float32(nil), x...)
	worst, skipped := 0.0, 0
	for i := range x {
		xp[i] = x[i] + fdEps
		lp, mp := loss(xp)
		h := float64(xp[i])
		xp[i] = x[i] - fdEps
		lm, mm := loss(xp)
		h -= float64(xp[i]) // the step float32 really took
		xp[i] = x[i]
		if !equalMasks(mp, mm) {
			skipped++
			continue
		}
		num := (lp - lm) / h
		d := math.Abs(num - float64(grad[i]))
		worst = math.Max(worst, d)
		if d > 2e-3*math.Max(top, 1) {
			t.Errorf("input %d: backward %.6g, finite difference %.6g", i, grad[i], num)
			return
		}
	}
	if skipped*20 > len(x) {
		t.Errorf("%d of %d coordinates skipped (a ReLU flipped)", skipped, len(x))
	}
	t.Logf("%d inputs: max |backward - finite difference| %.3g (max |grad| %.3g), %d skipped at ReLU kinks", len(x), worst, top, skipped)
}

func equalMasks(a, b []bool) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// awayFromZero returns n normal values with |v| >= 0.05.
func awayFromZero(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		v := rng.NormFloat64()
		for math.Abs(v) < 0.05 {
			v = rng.NormFloat64()
		}
		x[i] = float32(v)
	}
	return x
}

// distinct returns n values in random order, all at least 0.1 apart.
func distinct(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i, p := range rng.Perm(n) {
		x[i] = float32(p)*0.1 - float32(n)*0.05
	}
	return x
}

func randomWeight(rng *rand.Rand, shape []int, dtype weights.DType) nn.Weight {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64() / math.Sqrt(float64(shape[len(shape)-1])))
	}
	return weights.Quantize("w", shape, v, dtype).Weight
}

func linearArch(in, out int) nn.Arch {
	return nn.Arch{Name: "linear", InC: in, InH: 1, InW: 1, Layers: []nn.Layer{{Op: nn.OpLinear, Name: "fc", In: in, Out: out}}}
}

func TestLinearBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Row lengths with partial 32-value blocks and 64-value groups (int4).
	for _, sz := range [][2]int{{45, 9}, {150, 7}, {64, 5}, {1, 3}} {
		for _, dt := range []weights.DType{weights.F32, weights.Q8, weights.Q4} {
			t.Run(dt.String(), func(t *testing.T) {
				in, out := sz[0], sz[1]
				params := map[string]nn.Weight{
					"fc.weight": randomWeight(rng, []int{out, in}, dt),
					"fc.bias":   randomWeight(rng, []int{out}, weights.F32),
				}
				fdCheck(t, linearArch(in, out), params, awayFromZero(rng, in), rng)
			})
		}
	}
}

func TestReLUBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a := nn.Arch{Name: "relu", InC: 3, InH: 5, InW: 7, Layers: []nn.Layer{{Op: nn.OpReLU}}}
	fdCheck(t, a, nil, awayFromZero(rng, 3*5*7), rng)
}

// TestMaxPoolBackward covers overlapping windows (stride < kernel), padding
// and ceil mode; ties are covered against PyTorch in TestGoldenOps (a
// finite difference is undefined at a tie).
func TestMaxPoolBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		h, w, k, s, p int
		ceil          bool
	}{{13, 13, 3, 2, 0, false}, {9, 10, 3, 2, 1, false}, {6, 7, 3, 1, 0, false}, {14, 15, 3, 2, 0, true}, {8, 8, 2, 2, 0, false}} {
		a := nn.Arch{Name: "pool", InC: 2, InH: c.h, InW: c.w, Layers: []nn.Layer{{Op: nn.OpMaxPool, Kernel: c.k, Stride: c.s, Pad: c.p, CeilMode: c.ceil}}}
		fdCheck(t, a, nil, distinct(rng, 2*c.h*c.w), rng)
	}
}

func TestAdaptiveAvgPoolBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range [][4]int{{13, 13, 6, 6}, {2, 2, 6, 6}, {7, 5, 3, 4}} {
		a := nn.Arch{Name: "adaptive", InC: 2, InH: c[0], InW: c[1], Layers: []nn.Layer{{Op: nn.OpAdaptiveAvgPool, OutH: c[2], OutW: c[3]}}}
		fdCheck(t, a, nil, awayFromZero(rng, 2*c[0]*c[1]), rng)
	}
}

// TestHeadBackward checks the whole chain Grad-CAM runs, from conv5's ReLU
// output to the logits of a seed-like head: max pool 3/2, flatten,
// dropout, int4 and int8 linear layers, ReLUs, and torchvision's adaptive
// pool.
func TestHeadBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, adaptive := range []bool{false, true} {
		layers := []nn.Layer{{Op: nn.OpMaxPool, Kernel: 3, Stride: 2}}
		feat := 6 * 3 * 3
		if adaptive {
			layers = append(layers, nn.Layer{Op: nn.OpAdaptiveAvgPool, OutH: 4, OutW: 4})
			feat = 6 * 4 * 4
		}
		layers = append(layers, nn.Layer{Op: nn.OpFlatten}, nn.Layer{Op: nn.OpDropout},
			nn.Layer{Op: nn.OpLinear, Name: "fc1", In: feat, Out: 70}, nn.Layer{Op: nn.OpReLU}, nn.Layer{Op: nn.OpDropout},
			nn.Layer{Op: nn.OpLinear, Name: "fc2", In: 70, Out: 40}, nn.Layer{Op: nn.OpReLU},
			nn.Layer{Op: nn.OpLinear, Name: "fc3", In: 40, Out: 5})
		a := nn.Arch{Name: "head", InC: 6, InH: 7, InW: 7, Layers: layers}
		params := map[string]nn.Weight{
			"fc1.weight": randomWeight(rng, []int{70, feat}, weights.Q4), "fc1.bias": randomWeight(rng, []int{70}, weights.F32),
			"fc2.weight": randomWeight(rng, []int{40, 70}, weights.Q4), "fc2.bias": randomWeight(rng, []int{40}, weights.F32),
			"fc3.weight": randomWeight(rng, []int{5, 40}, weights.Q8), "fc3.bias": randomWeight(rng, []int{5}, weights.F32),
		}
		// A ReLU's output without zeros (a finite difference is undefined
		// at a tie), distinct by 0.1 within every 3x3 window ((3y+x) mod 9
		// differs across a 3x3 block) and small: the SIMD int4 kernels sum
		// (q+8)*x and subtract 8*sum(x), whose rounding grows with |x|.
		x := make([]float32, 6*7*7)
		for i := range x {
			c, y, xx := i/49, i/7%7, i%7
			x[i] = 0.5 + 0.1*float32((3*y+xx+c*4)%9)
		}
		fdCheck(t, a, params, x, rng)
	}
}

// TestAxpyQ4x4 holds the four-row kernel (SIMD under wasm) to four
// one-row axpyQ4 calls, on rows with partial blocks and groups.
func TestAxpyQ4x4(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, in := range []int{64, 150, 4608, 45, 1} {
		w := randomWeight(rng, []int{6, in}, weights.Q4)
		rb, ng := nn.Q4RowBytes(in), nn.Q4Groups(in, w.Group)
		rows, g := [4]int{5, 0, 3, 2}, [4]float32{0.5, -1.25, 2, 0.125}
		got, want := awayFromZero(rng, in), make([]float32, in)
		copy(want, got)
		axpyQ4x4(got, w.Q4, w.Scale, rb, ng, w.Group, rows, g)
		for i, o := range rows {
			axpyQ4(want, w.Q4[o*rb:(o+1)*rb], w.Scale[o*ng:(o+1)*ng], w.Group, g[i])
		}
		for i := range got {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("in %d: dx[%d] = %g, one row at a time %g", in, i, got[i], want[i])
			}
		}
	}
}
