// Package explain shows why the network decided and what each layer sees:
// Grad-CAM and occlusion heatmaps, the first layer's filters as an image
// grid and a layer's activation maps as tiles. It runs on the engine
// (package nn) and is pure Go, so the CLI and the browser's worker share it.
//
// # Grad-CAM
//
// GradCAM follows Selvaraju et al., "Grad-CAM: Visual Explanations from Deep
// Networks via Gradient-based Localization" (ICCV 2017), computed as
// PyTorch's autograd computes it (testdata/gradcam.py is the reference):
//
//	A      = output of the ReLU after the last convolution (conv5), (K,H,W)
//	g      = d logit[class] / d A  (the raw class score, before softmax)
//	w[k]   = mean over (h,w) of g[k,h,w]
//	cam    = ReLU(sum_k w[k] A[k])                         (H,W), e.g. 13x13
//	Values = bilinear upsampling of cam to the input size (as
//	         torch.nn.functional.interpolate, align_corners=False), divided
//	         by its largest value (all zero when cam is all zero)
//
// A is taken after the ReLU, the usual choice (the Caffe blob conv5 of the
// original, whose ReLU is in place; pytorch-grad-cam's features[11] for
// torchvision's AlexNet). The gradient flows back through the layers after
// it with the same rules as PyTorch: max pooling sends each output's
// gradient to the first largest input of its window in row-major order
// (ties included; overlapping windows add up), ReLU passes it where its
// output is positive, adaptive average pooling spreads it evenly over each
// window, flatten and dropout (identity at inference) pass it unchanged,
// and a linear layer multiplies it by W transposed, with the weights the
// engine holds: int8 and int4 weights dequantised (q times its scale)
// exactly as the forward pass uses them. So Grad-CAM costs one forward
// pass plus one pass over the fully connected weights.
//
// # Occlusion
//
// Occlusion (Zeiler and Fergus, 2014) is forward-only and works for any
// network: it slides a grey square over the input and measures how much the
// class probability drops. See Occlusion.
//
// Both are pinned to PyTorch by testdata/gradcam.py (autograd for
// Grad-CAM) on small seed, torchvision and paper networks and on the
// shipped model with a real photo: within 1e-4 of the largest value.
//
// # Showing a map
//
// FrameOf places the network's input (the centre crop) in the photo;
// Overlay draws a map over the photo with the Turbo colour map; Where and
// Sentence say in words where it peaks ("top-centre").
//
// # Inside the network
//
// Filters draws the first convolution's filters as an image grid; Layers
// names every layer (conv1, relu1, pool1, ..., fc3) with its shape and
// share of the weights; Times runs one timed forward pass; Tiles draws one
// layer's channels, strongest first.
package explain

import (
	"errors"
	"image"
)

// Errors, wrapped with context.
var (
	ErrClass   = errors.New("explain: no such class")
	ErrInput   = errors.New("explain: bad input")
	ErrLayer   = errors.New("explain: no such layer")
	ErrNetwork = errors.New("explain: network not supported")
	ErrOptions = errors.New("explain: bad options")
)

// Method names how a Map was made.
type Method string

const (
	MethodGradCAM   Method = "gradcam"
	MethodOcclusion Method = "occlusion"
)

// Map is a heatmap over the network's input: where the evidence for Class is.
type Map struct {
	Method Method
	Class  int
	Score  float32 // the class's logit (Grad-CAM) or probability (occlusion) on the unchanged input

	// Grid is the map at the method's own resolution, before upsampling:
	// Grad-CAM's cam (conv5's H x W, >= 0), occlusion's probability drop
	// per patch position (may be negative: the patch made the class more
	// likely). Row-major, GridH x GridW.
	Grid         []float32
	GridH, GridW int

	// Values is the map at the input size (H x W = the network's InH x
	// InW), in [0,1] with the largest value 1, or all zero when there is
	// no evidence for the class at all.
	Values []float32
	H, W   int

	Peak   image.Point // the largest value of Values (first in row-major order), input pixels
	Passes int         // forward passes it took
}

// Empty reports whether the map has no evidence anywhere.
func (m Map) Empty() bool {
	for _, v := range m.Values {
		if v > 0 {
			return false
		}
	}
	return true
}

// normalize sets m.Values to v divided by its largest value (negative
// values clamped to 0) and m.Peak to where that value is.
func (m *Map) normalize(v []float32, h, w int) {
	var top float32
	peak := 0
	for i, x := range v {
		if x > top {
			top, peak = x, i
		}
	}
	m.Values, m.H, m.W = make([]float32, len(v)), h, w
	if top > 0 {
		for i, x := range v {
			m.Values[i] = max(x, 0) / top
		}
	}
	m.Peak = image.Pt(peak%w, peak/w)
}
