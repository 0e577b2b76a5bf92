package explain

import (
	"fmt"
	"math"

	"alexnet/nn"
)

// CAMLayer is the layer whose output Grad-CAM weighs: the ReLU right after
// the last convolution (or the convolution itself when no ReLU follows).
// It fails when the net has no convolution, or a layer after it that has
// no backward rule here (a convolution or LRN after it cannot happen: it
// is the last convolution; LRN is refused).
func CAMLayer(a nn.Arch) (int, error) {
	t := -1
	for i, l := range a.Layers {
		if l.Op == nn.OpConv {
			t = i
		}
	}
	if t < 0 {
		return 0, fmt.Errorf("%w: %q has no convolution layer for Grad-CAM", ErrNetwork, a.Name)
	}
	if t+1 < len(a.Layers) && a.Layers[t+1].Op == nn.OpReLU {
		t++
	}
	for i := t + 1; i < len(a.Layers); i++ {
		switch a.Layers[i].Op {
		case nn.OpLinear, nn.OpReLU, nn.OpMaxPool, nn.OpAdaptiveAvgPool, nn.OpFlatten, nn.OpDropout:
		default:
			return 0, fmt.Errorf("%w: Grad-CAM cannot pass the gradient back through layer %d (%s)", ErrNetwork, i, a.Layers[i].Op)
		}
	}
	return t, nil
}

// GradCAM runs net on x, shaped (InC,InH,InW) and preprocessed, and returns
// the Grad-CAM map of class (see the package doc). Use the top class of a
// classification of the same input to explain the answer, any other class
// to ask "why not that one?". It takes one forward pass and the backward
// pass of the layers after conv5, and leaves the net's outputs as a
// Forward of x leaves them. net must be a whole net (not nn.NewPart's).
func GradCAM(net *nn.Net, x []float32, class int) (Map, error) {
	a := net.Arch()
	t, err := CAMLayer(a)
	if err != nil {
		return Map{}, err
	}
	if err := checkInput(a, x, class); err != nil {
		return Map{}, err
	}
	logits := net.Forward(x)
	if logits == nil {
		return Map{}, fmt.Errorf("%w: the network refused the input (a part net?)", ErrNetwork)
	}
	dy := make([]float32, len(logits))
	dy[class] = 1 // d logit[class] / d logits
	grad, err := backward(net, x, t, dy)
	if err != nil {
		return Map{}, err
	}
	shapes := net.Shapes()
	s := shapes[t]
	m := Map{Method: MethodGradCAM, Class: class, Score: logits[class], Passes: 1,
		Grid: camOf(net.Output(t), grad, s.C, s.H*s.W), GridH: s.H, GridW: s.W}
	m.normalize(upsample(m.Grid, s.H, s.W, a.InH, a.InW), a.InH, a.InW)
	return m, nil
}

// backward returns the gradient of sum_j dy[j]*out[j], out the last
// layer's output after net.Forward(x), with respect to the output of layer
// t (t = -1: the input x). The layers after t must be ones CAMLayer
// accepts; the result is a new slice.
func backward(net *nn.Net, x []float32, t int, dy []float32) ([]float32, error) {
	a := net.Arch()
	shapes := net.Shapes()
	longest := 0 // the buffers hold the gradients of layers t..last only
	if t < 0 {
		longest = len(x)
	}
	for _, s := range shapes[max(t, 0):] {
		longest = max(longest, s.Len())
	}
	last := len(a.Layers) - 1
	g, dx := make([]float32, longest), make([]float32, longest)
	dy = g[:copy(g, dy[:shapes[last].Len()])]
	input := func(i int) []float32 {
		if i == 0 {
			return x
		}
		return net.Output(i - 1)
	}
	for i := last; i > t; i-- {
		in := nn.Shape{C: a.InC, H: a.InH, W: a.InW}
		if i > 0 {
			in = shapes[i-1]
		}
		out := shapes[i]
		dx = dx[:in.Len()]
		l := a.Layers[i]
		switch l.Op {
		case nn.OpLinear:
			w, _, ok := net.LinearWeight(i)
			if !ok {
				return nil, fmt.Errorf("%w: no weights for layer %d (a part net?)", ErrNetwork, i)
			}
			linearBackward(dx, dy, w)
		case nn.OpReLU:
			reluBackward(dx, dy, net.Output(i))
		case nn.OpMaxPool:
			maxPoolBackward(dx, dy, input(i), in.C, in.H, in.W, out.H, out.W, l.Kernel, l.Stride, l.Pad)
		case nn.OpAdaptiveAvgPool:
			adaptiveAvgPoolBackward(dx, dy, in.C, in.H, in.W, out.H, out.W)
		case nn.OpFlatten, nn.OpDropout:
			copy(dx, dy)
		default:
			return nil, fmt.Errorf("%w: no backward pass for layer %d (%s)", ErrNetwork, i, l.Op)
		}
		dx, dy = dy[:cap(dy)], dx
	}
	return dy, nil
}

// camOf is Grad-CAM's weighted sum: act, grad (C,HW) -> cam (HW),
//
//	cam[p] = max(0, sum_k w[k]*act[k,p]),  w[k] = mean_p grad[k,p]
//
// summed in float64 (PyTorch sums in float32; the difference is far below
// the test tolerance).
func camOf(act, grad []float32, c, hw int) []float32 {
	sum := make([]float64, hw)
	for k := 0; k < c; k++ {
		var w float64
		for _, g := range grad[k*hw : (k+1)*hw] {
			w += float64(g)
		}
		w /= float64(hw)
		if w == 0 {
			continue
		}
		for p, v := range act[k*hw : (k+1)*hw] {
			sum[p] += w * float64(v)
		}
	}
	cam := make([]float32, hw)
	for p, v := range sum {
		cam[p] = float32(max(v, 0))
	}
	return cam
}

// upsample is torch.nn.functional.interpolate(mode="bilinear",
// align_corners=False) of one plane: src (h,w) -> (oh,ow). Output pixel
// centres map to src coordinates (o+0.5)*in/out-0.5, clamped at 0 below;
// the right and bottom neighbours are clamped to the last row/column.
func upsample(src []float32, h, w, oh, ow int) []float32 {
	dst := make([]float32, oh*ow)
	ys, xs := make([]int, oh), make([]int, ow)
	yl, xl := make([]float32, oh), make([]float32, ow)
	coord := func(o, in, out int) (int, float32) {
		s := (float32(o)+0.5)*float32(in)/float32(out) - 0.5
		if s < 0 {
			s = 0
		}
		i := int(s)
		return i, s - float32(i)
	}
	for y := range ys {
		ys[y], yl[y] = coord(y, h, oh)
	}
	for x := range xs {
		xs[x], xl[x] = coord(x, w, ow)
	}
	for y := 0; y < oh; y++ {
		y0 := ys[y]
		y1 := min(y0+1, h-1)
		ly := yl[y]
		r0, r1 := src[y0*w:(y0+1)*w], src[y1*w:(y1+1)*w]
		row := dst[y*ow : (y+1)*ow]
		for x := range row {
			x0 := xs[x]
			x1 := min(x0+1, w-1)
			lx := xl[x]
			row[x] = (1-ly)*((1-lx)*r0[x0]+lx*r0[x1]) + ly*((1-lx)*r1[x0]+lx*r1[x1])
		}
	}
	return dst
}

// checkInput checks the input tensor and the class index.
func checkInput(a nn.Arch, x []float32, class int) error {
	if want := a.InC * a.InH * a.InW; len(x) != want {
		return fmt.Errorf("%w: %d values, the network takes %dx%dx%d = %d", ErrInput, len(x), a.InC, a.InH, a.InW, want)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w: value %d is %g", ErrInput, i, v)
		}
	}
	if n := a.Classes(); class < 0 || class >= n {
		return fmt.Errorf("%w: class %d, the network has classes 0..%d", ErrClass, class, n-1)
	}
	return nil
}
