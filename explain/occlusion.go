package explain

import (
	"fmt"

	"alexnet/nn"
)

// OcclusionOptions says how Occlusion slides its patch.
type OcclusionOptions struct {
	Patch       int     // side of the grey square, in input pixels; 0: a quarter of the input's shorter side (56 for 224)
	Stride      int     // step between positions; 0: Patch/2 (7x7 = 49 positions for 224)
	Temperature float32 // softmax temperature of the probability (a weight file's calibration); 0: 1
}

// MaxOcclusionPasses bounds the forward passes of one Occlusion call (a
// stride of 1 on a 224x224 input would ask for up to 50,176).
const MaxOcclusionPasses = 4096

// OcclusionPasses is the number of forward passes Occlusion takes with
// these options on an input of h×w (one for the unchanged input, one per
// patch position), or an error for options out of range.
func OcclusionPasses(h, w int, o OcclusionOptions) (int, error) {
	p, err := o.resolve(h, w)
	if err != nil {
		return 0, err
	}
	return 1 + len(positions(h, p.Patch, p.Stride))*len(positions(w, p.Patch, p.Stride)), nil
}

func (o OcclusionOptions) resolve(h, w int) (OcclusionOptions, error) {
	if o.Patch == 0 {
		o.Patch = max(1, min(h, w)/4)
	}
	if o.Stride == 0 {
		o.Stride = max(1, o.Patch/2)
	}
	if o.Temperature == 0 {
		o.Temperature = 1
	}
	if o.Patch < 1 || o.Patch > min(h, w) || o.Stride < 1 || !(o.Temperature > 0) {
		return o, fmt.Errorf("%w: occlusion patch %d, stride %d, temperature %g (patch 1..%d, stride >= 1, temperature > 0)", ErrOptions, o.Patch, o.Stride, o.Temperature, min(h, w))
	}
	gh, gw := len(positions(h, o.Patch, o.Stride)), len(positions(w, o.Patch, o.Stride))
	if gh*gw+1 > MaxOcclusionPasses {
		return o, fmt.Errorf("%w: occlusion patch %d, stride %d take %d forward passes, more than %d: raise the stride", ErrOptions, o.Patch, o.Stride, gh*gw+1, MaxOcclusionPasses)
	}
	return o, nil
}

// positions are the patch's starts along a side of n pixels: every stride,
// and a last one flush with the end if the steps do not reach it.
func positions(n, patch, stride int) []int {
	var p []int
	for s := 0; s+patch <= n; s += stride {
		p = append(p, s)
	}
	if last := p[len(p)-1]; last+patch < n {
		p = append(p, n-patch)
	}
	return p
}

// Occlusion is occlusion sensitivity (Zeiler and Fergus, "Visualizing and
// Understanding Convolutional Networks", ECCV 2014): a grey square of
// Patch×Patch pixels slides over the input x (InC,InH,InW, preprocessed)
// every Stride pixels, and each position records how much the probability
// of class drops: softmax(logits/T)[class] on x minus the same with the
// square in place. The square is 0 in every channel of the normalised
// input, that is the training set's mean colour: grey. The map's Grid holds
// the drop per position; Values the drop per pixel, the mean over the
// positions whose square covers it (Captum's Occlusion), negative drops
// (the square helped the class) clamped to 0, normalised like Grad-CAM's.
// It works for any network, at the cost of one forward pass per position
// (Map.Passes; OcclusionPasses tells it beforehand).
func Occlusion(net *nn.Net, x []float32, class int, o OcclusionOptions) (Map, error) {
	a := net.Arch()
	if err := checkInput(a, x, class); err != nil {
		return Map{}, err
	}
	o, err := o.resolve(a.InH, a.InW)
	if err != nil {
		return Map{}, err
	}
	probs := make([]float32, a.Classes())
	prob := func(in []float32) (float32, error) {
		logits := net.Forward(in)
		if logits == nil {
			return 0, fmt.Errorf("%w: the network refused the input (a part net?)", ErrNetwork)
		}
		nn.Softmax(probs, logits, o.Temperature)
		return probs[class], nil
	}
	p0, err := prob(x)
	if err != nil {
		return Map{}, err
	}
	ys, xs := positions(a.InH, o.Patch, o.Stride), positions(a.InW, o.Patch, o.Stride)
	m := Map{Method: MethodOcclusion, Class: class, Score: p0, Passes: 1 + len(ys)*len(xs),
		Grid: make([]float32, len(ys)*len(xs)), GridH: len(ys), GridW: len(xs)}
	in := append([]float32(nil), x...)
	plane := a.InH * a.InW
	sum := make([]float32, plane)
	count := make([]float32, plane)
	for gy, y0 := range ys {
		for gx, x0 := range xs {
			for c := 0; c < a.InC; c++ {
				for y := y0; y < y0+o.Patch; y++ {
					clear(in[c*plane+y*a.InW+x0 : c*plane+y*a.InW+x0+o.Patch])
				}
			}
			p, err := prob(in)
			if err != nil {
				return Map{}, err
			}
			drop := p0 - p
			m.Grid[gy*len(xs)+gx] = drop
			for c := 0; c < a.InC; c++ {
				for y := y0; y < y0+o.Patch; y++ {
					at := c*plane + y*a.InW + x0
					copy(in[at:at+o.Patch], x[at:at+o.Patch])
				}
			}
			for y := y0; y < y0+o.Patch; y++ {
				for xx := x0; xx < x0+o.Patch; xx++ {
					sum[y*a.InW+xx] += drop
					count[y*a.InW+xx]++
				}
			}
		}
	}
	for i := range sum {
		if count[i] > 0 {
			sum[i] /= count[i]
		}
	}
	m.normalize(sum, a.InH, a.InW)
	return m, nil
}
