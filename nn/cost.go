package nn

import "math"

// Cost is what an architecture asks of the engine, computed from the table
// alone, before anything is allocated: a weight file's decoder checks it
// against its limits, and a user interface can show it or time a pass
// against it.
type Cost struct {
	Params int64 // parameter values (weights and biases)
	// Bytes is an upper bound on the memory New allocates besides the
	// parameters as given: the input copy and every activation, padded
	// inputs, conv weights packed for the kernels (whatever path each
	// layer takes: im2col, Winograd F(2x2,3x3), F(4x4,3x3) or F(4x4,5x5),
	// space-to-depth or subkernels),
	// transient dequantised copies and scratch. Linear weights are used as
	// given and not counted here.
	Bytes int64
	// FLOPs is the work of one forward pass, layer by layer in
	// LayerFLOPs: 2 per multiply-add for conv and linear layers;
	// LocalResponseNorm 2 per channel of the window (clipped to the
	// channels there are) plus lrnRootFLOPs per value for beta 0.75
	// (square roots) or lrnPowFLOPs for any other beta (math32.Pow); max
	// pooling the comparisons of its separable loop, K*(2*W+OW) per output
	// row of a channel; adaptive average pooling avgPoolFLOPs per window
	// cell, C*(H+OH)*(W+OW) cells at most; global pooling 2 per value it
	// reads; L2 normalisation 3 per value; ReLU 1 per value; flatten and
	// dropout 0. The scalar ops are weighted so that a FLOP takes about
	// as long whatever the op (within 4x of the conv kernels natively):
	// what bounds FLOPs bounds the time of a pass.
	FLOPs      int64
	LayerFLOPs []int64
}

// The weights of the scalar ops, measured against a conv (one core,
// amd64: conv 3x3 12.7 GFLOP/s, LRN with beta 0.75 6.8, with beta 0.6 and
// 24 per Pow 0.64, adaptive average pooling at 1 per cell 0.6, max
// pooling 3.1, ReLU 3.2).
const (
	lrnRootFLOPs = 8   // d^0.75 = sqrt(d*sqrt(d)), the division
	lrnPowFLOPs  = 320 // math32.Pow (about 50 ns), the division
	avgPoolFLOPs = 8   // one cell of a window, in a scalar loop
)

// Bounds on kernel constants over every build (kernel_*.go), so that a
// Cost does not depend on the platform: micro-kernel rows mr <= 4 (a
// group's output channels round up by at most 3), columns nr <= 24.
const (
	costMRPad = 3
	costNR    = 24
)

// Cost checks the architecture (Shapes) and returns its Cost. Sums
// saturate at math.MaxInt64 rather than overflow.
func (a Arch) Cost() (Cost, error) {
	shapes, err := a.Shapes()
	if err != nil {
		return Cost{}, err
	}
	c := Cost{LayerFLOPs: make([]int64, len(a.Layers))}
	var floats int64
	add := func(dst *int64, terms ...int64) {
		for _, t := range terms {
			*dst = satAdd(*dst, t)
		}
	}
	in := Shape{a.InC, a.InH, a.InW}
	add(&floats, int64(in.Len()))
	for i, l := range a.Layers {
		out := shapes[i]
		var flops int64
		switch l.Op {
		case OpConv:
			g := max(l.Groups, 1)
			cg := in.C / g
			kk := int64(cg) * int64(l.Kernel) * int64(l.Kernel)
			flops = satMul(2*int64(out.Len()), kk)
			add(&c.Params, int64(l.OutC)*kk, int64(l.OutC))
			add(&floats, int64(out.Len()), convFloats(l, in, out))
		case OpLinear:
			flops = 2 * int64(l.In) * int64(l.Out)
			add(&c.Params, int64(l.In)*int64(l.Out), int64(l.Out))
			// Output, dequantised bias, int4 group sums of the input.
			add(&floats, int64(out.Len()), int64(l.Out), int64(l.In))
		case OpLRN:
			w, pow := int64(min(l.Size, in.C)), int64(lrnPowFLOPs)
			if l.Beta == 0.75 { // as localResponseNorm chooses
				pow = lrnRootFLOPs
			}
			flops = satMul(int64(out.Len()), 2*w+pow)
			add(&floats, int64(out.Len()))
		case OpMaxPool:
			flops = satMul(int64(in.C)*int64(out.H)*int64(l.Kernel), 2*int64(in.W)+int64(out.W))
			add(&floats, int64(out.Len()), 2*int64(in.W))
		case OpAdaptiveAvgPool:
			flops = satMul(avgPoolFLOPs*int64(in.C)*int64(in.H+out.H), int64(in.W+out.W))
			add(&floats, int64(out.Len()))
		case OpReLU:
			flops = int64(out.Len())
			add(&floats, int64(out.Len()))
		case OpGlobalPool:
			// A sum and a comparison per value of every layer it reads.
			for _, f := range l.From {
				add(&flops, 2*int64(shapes[f].Len()))
			}
			add(&floats, int64(out.Len()))
		case OpL2Norm:
			flops = 3 * int64(out.Len()) // square, add; then scale
			add(&floats, int64(out.Len()))
		case OpFlatten, OpDropout:
			// The output aliases the input.
		}
		c.LayerFLOPs[i] = flops
		add(&c.FLOPs, flops)
		in = out
	}
	c.Bytes = satMul(floats, 4)
	return c, nil
}

// convFloats bounds the floats a conv layer allocates besides its output:
// the largest over the paths newConvLayer may take (which path it takes
// depends on kernel settings, so all that apply are counted), plus the
// transient dequantised weights and bias. It computes in float64: a
// hostile layer's sizes may overflow int64 (the result saturates).
func convFloats(l Layer, in, out Shape) int64 {
	g := float64(max(l.Groups, 1))
	c, oc := float64(in.C), float64(out.C)
	cg, ocg := c/g, oc/g
	k, pad := float64(l.Kernel), float64(l.Pad)
	kk := cg * k * k
	dequant := oc*kk + oc
	// im2col: packed weights and bias, zero-bordered input, one B panel
	// per worker.
	best := g*(ocg+costMRPad)*(kk+1) + c*(float64(in.H)+2*pad)*(float64(in.W)+2*pad) + maxWorkers*min(kk, 384)*costNR
	if l.Kernel == 3 && l.Stride == 1 {
		best = max(best, winoFloats(g, c, oc, float64(in.H)+2*pad, float64(in.W)+2*pad, out))
	}
	if l.Kernel == 5 && l.Stride == 1 {
		best = max(best, wino45Floats(g, c, oc, float64(in.H)+2*pad, float64(in.W)+2*pad, out))
	}
	nd := 0.0 // sampled copies per side, space-to-depth or subkernels
	switch {
	case l.Stride > 1 && (l.Kernel+l.Stride-1)/l.Stride == 3:
		nd = float64(l.Stride)
	case l.Stride == 1 && l.Kernel >= 4 && l.Kernel <= 6:
		nd = float64((l.Kernel + 2) / 3)
	}
	if nd > 0 {
		c2 := c * nd * nd
		w2 := oc * cg * nd * nd * 9
		best = max(best, w2+winoFloats(g, c2, oc, float64(out.H)+2, float64(out.W)+2, out))
	}
	f := best + dequant
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(f)
}

// winoFloats bounds a Winograd layer's buffers (winograd.go) for an input
// of c channels, hp x wp once padded, and the output out: its padded input
// (up to 3 more rows and columns for whole tiles), U (up to 36 products per
// kernel for F(4x4,3x3)), and the V and M scratch, for either tile size.
func winoFloats(g, c, oc, hp, wp float64, out Shape) float64 {
	cg, ocg := c/g, oc/g
	oh, ow := float64(out.H), float64(out.W)
	t2 := math.Ceil(oh/2) * math.Ceil(ow/2)
	t4 := math.Ceil(oh/4) * math.Ceil(ow/4)
	cols := max(16*(t2+costNR), 36*(t4+costNR)) // products times tiles, rounded to panels
	mp := ocg + costMRPad
	return c*(hp+3)*(wp+3) + g*36*mp*cg + cols*cg + cols*mp + oc
}

// wino45Floats bounds an F(4x4,5x5) layer's buffers (winograd45.go), as
// winoFloats: its padded input (up to 3 more rows and 6 more columns: whole
// tiles, then whole Float32x4s), U (64 products per kernel), the V and M
// scratch, and the column transform's 8 rows.
func wino45Floats(g, c, oc, hp, wp float64, out Shape) float64 {
	cg, ocg := c/g, oc/g
	t4 := math.Ceil(float64(out.H)/4) * math.Ceil(float64(out.W)/4)
	cols := 64 * (t4 + costNR)
	mp := ocg + costMRPad
	return c*(hp+3)*(wp+6) + g*64*mp*cg + cols*cg + cols*mp + 8*(wp+6) + oc
}

func satAdd(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func satMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}
