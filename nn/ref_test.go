package nn

import (
	"math"
	"math/rand"
	"testing"
)

// Naive float64 reference loops, written straight from PyTorch's docs. The
// fast kernels and the whole engine are tested against these on random
// shapes, and these are tested against PyTorch's fixtures (golden_test.go).

// refConv: src (C,H,W), w (OC,C/g,K,K), b (OC) -> (OC,OH,OW).
func refConv(src, w, b []float64, c, h, wd, oc, k, stride, pad, groups int) ([]float64, int, int) {
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	cg, ocg := c/groups, oc/groups
	dst := make([]float64, oc*oh*ow)
	for o := 0; o < oc; o++ {
		g := o / ocg
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				s := b[o]
				for ci := 0; ci < cg; ci++ {
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							iy, ix := y*stride-pad+ky, x*stride-pad+kx
							if iy < 0 || iy >= h || ix < 0 || ix >= wd {
								continue
							}
							s += w[((o*cg+ci)*k+ky)*k+kx] * src[((g*cg+ci)*h+iy)*wd+ix]
						}
					}
				}
				dst[(o*oh+y)*ow+x] = s
			}
		}
	}
	return dst, oh, ow
}

// refMaxPool: src (C,H,W) -> (C,OH,OW), output size from poolOut.
func refMaxPool(src []float64, c, h, w int, l Layer) ([]float64, int, int) {
	oh, ow := poolOut(h, l), poolOut(w, l)
	dst := make([]float64, c*oh*ow)
	for ch := 0; ch < c; ch++ {
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				m := math.Inf(-1)
				for ky := 0; ky < l.Kernel; ky++ {
					for kx := 0; kx < l.Kernel; kx++ {
						iy, ix := y*l.Stride-l.Pad+ky, x*l.Stride-l.Pad+kx
						if iy >= 0 && iy < h && ix >= 0 && ix < w {
							m = math.Max(m, src[(ch*h+iy)*w+ix])
						}
					}
				}
				dst[(ch*oh+y)*ow+x] = m
			}
		}
	}
	return dst, oh, ow
}

// refLRN: torch.nn.LocalResponseNorm over channels of src (C,HW).
func refLRN(src []float64, c, hw int, l Layer) []float64 {
	dst := make([]float64, len(src))
	for ch := 0; ch < c; ch++ {
		for p := 0; p < hw; p++ {
			s := 0.0
			for cc := ch - l.Size/2; cc <= ch+(l.Size-1)/2; cc++ {
				if cc >= 0 && cc < c {
					s += src[cc*hw+p] * src[cc*hw+p]
				}
			}
			dst[ch*hw+p] = src[ch*hw+p] / math.Pow(float64(l.K)+float64(l.Alpha)*s/float64(l.Size), float64(l.Beta))
		}
	}
	return dst
}

// refAdaptive: torch.nn.AdaptiveAvgPool2d((oh,ow)).
func refAdaptive(src []float64, c, h, w, oh, ow int) []float64 {
	dst := make([]float64, c*oh*ow)
	for ch := 0; ch < c; ch++ {
		for y := 0; y < oh; y++ {
			y0, y1 := int(math.Floor(float64(y*h)/float64(oh))), int(math.Ceil(float64((y+1)*h)/float64(oh)))
			for x := 0; x < ow; x++ {
				x0, x1 := int(math.Floor(float64(x*w)/float64(ow))), int(math.Ceil(float64((x+1)*w)/float64(ow)))
				s := 0.0
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						s += src[(ch*h+iy)*w+ix]
					}
				}
				dst[(ch*oh+y)*ow+x] = s / float64((y1-y0)*(x1-x0))
			}
		}
	}
	return dst
}

// refLinear: w (Out,In), b (Out), x (In) -> (Out).
func refLinear(x, w, b []float64, in, out int) []float64 {
	y := make([]float64, out)
	for o := range y {
		s := b[o]
		for i := 0; i < in; i++ {
			s += w[o*in+i] * x[i]
		}
		y[o] = s
	}
	return y
}

// refForward runs the whole architecture in float64 and returns every
// layer's output. Q8 weights are dequantised.
func refForward(a Arch, params map[string]Weight, x []float32) [][]float64 {
	cur := f64(x)
	c, h, w := a.InC, a.InH, a.InW
	outs := make([][]float64, len(a.Layers))
	for i, l := range a.Layers {
		switch l.Op {
		case OpConv:
			cur, h, w = refConv(cur, f64(params[l.Name+".weight"].Dequantize()), f64(params[l.Name+".bias"].Dequantize()), c, h, w, l.OutC, l.Kernel, l.Stride, l.Pad, max(l.Groups, 1))
			c = l.OutC
		case OpReLU:
			cur = append([]float64(nil), cur...)
			for j, v := range cur {
				cur[j] = math.Max(v, 0)
			}
		case OpMaxPool:
			cur, h, w = refMaxPool(cur, c, h, w, l)
		case OpLRN:
			cur = refLRN(cur, c, h*w, l)
		case OpAdaptiveAvgPool:
			cur, h, w = refAdaptive(cur, c, h, w, l.OutH, l.OutW), l.OutH, l.OutW
		case OpFlatten:
			c, h, w = c*h*w, 1, 1
		case OpLinear:
			cur = refLinear(cur, f64(params[l.Name+".weight"].Dequantize()), f64(params[l.Name+".bias"].Dequantize()), l.In, l.Out)
			c = l.Out
		}
		outs[i] = cur
	}
	return outs
}

func f64(v []float32) []float64 {
	d := make([]float64, len(v))
	for i, x := range v {
		d[i] = float64(x)
	}
	return d
}

func randVec(r *rand.Rand, n int, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = (2*r.Float32() - 1) * scale
	}
	return v
}

// randParams makes random float32 parameters for a, scaled like PyTorch's
// default init (uniform in ±1/sqrt(fan_in)).
func randParams(r *rand.Rand, a Arch) map[string]Weight {
	ps := map[string]Weight{}
	fan := 1
	for _, p := range a.Params() {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		if len(p.Shape) > 1 {
			fan = n / p.Shape[0]
		}
		ps[p.Name] = Weight{Shape: p.Shape, F32: randVec(r, n, 1/float32(math.Sqrt(float64(fan))))}
	}
	return ps
}

// quantize returns params with every weight (not bias) as symmetric int8
// with one scale per row: scale = max|row|/127.
func quantize(ps map[string]Weight) map[string]Weight {
	return eachWeight(ps, func(w Weight) Weight {
		rows := w.Shape[0]
		per := len(w.F32) / rows
		qw := Weight{Shape: w.Shape, Q8: make([]int8, len(w.F32)), Scale: make([]float32, rows)}
		for r := 0; r < rows; r++ {
			row := w.F32[r*per : (r+1)*per]
			var m float32
			for _, v := range row {
				m = max(m, float32(math.Abs(float64(v))))
			}
			s := m / 127
			if s == 0 {
				s = 1
			}
			qw.Scale[r] = s
			for i, v := range row {
				qw.Q8[r*per+i] = int8(math.Round(float64(v / s)))
			}
		}
		return qw
	})
}

// eachWeight returns params with every weight (not bias: two or more
// dimensions) replaced by f(weight).
func eachWeight(ps map[string]Weight, f func(Weight) Weight) map[string]Weight {
	q := map[string]Weight{}
	for name, w := range ps {
		if len(w.Shape) < 2 {
			q[name] = w
			continue
		}
		q[name] = f(w)
	}
	return q
}

// vsRef builds a with ps, runs it on x and returns the net, and the largest
// difference of its output from refForward's, and the largest |reference|.
func vsRef(t *testing.T, a Arch, ps map[string]Weight, x []float32) (n *Net, d, m float64) {
	t.Helper()
	n, err := New(a, ps)
	if err != nil {
		t.Fatal(err)
	}
	ref := refForward(a, ps, x)
	d, m = maxDiff(n.Forward(x), ref[len(ref)-1])
	return n, d, m
}

// maxDiff returns max |got-want| and max |want|.
func maxDiff(got []float32, want []float64) (d, m float64) {
	for i, w := range want {
		d = math.Max(d, math.Abs(float64(got[i])-w))
		m = math.Max(m, math.Abs(w))
	}
	return d, m
}

// newWithPaths is New with conv paths other than defaultConvPaths.
func newWithPaths(a Arch, params map[string]Weight, paths convPaths) (*Net, error) {
	return build(a, params, 0, 1, nil, paths)
}
