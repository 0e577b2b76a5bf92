package nn

import (
	"errors"
	"fmt"
)

// Op names one kind of layer. The names are stored in weight files: never
// change an existing one.
type Op string

const (
	OpConv            Op = "conv"            // torch.nn.Conv2d
	OpReLU            Op = "relu"            // torch.nn.ReLU
	OpMaxPool         Op = "maxpool"         // torch.nn.MaxPool2d
	OpLRN             Op = "lrn"             // torch.nn.LocalResponseNorm
	OpAdaptiveAvgPool Op = "adaptiveavgpool" // torch.nn.AdaptiveAvgPool2d
	OpFlatten         Op = "flatten"         // torch.flatten(x, 1)
	OpLinear          Op = "linear"          // torch.nn.Linear
	OpDropout         Op = "dropout"         // torch.nn.Dropout: identity at inference
	OpGlobalPool      Op = "globalpool"      // mean and max of each channel of earlier layers (globalpool.go)
	OpL2Norm          Op = "l2norm"          // torch.nn.functional.normalize(x, dim=1) (globalpool.go)
)

// Layer is one step of a network, described by data. Only the fields of its
// Op are used; the others stay zero.
type Layer struct {
	Op   Op
	Name string // state_dict prefix of its parameters ("features.0"); empty when it has none

	// Conv2d: InC, OutC, Kernel, Stride, Pad, Groups (Groups 0 means 1).
	// MaxPool2d: Kernel, Stride, Pad, CeilMode.
	InC, OutC, Kernel, Stride, Pad, Groups int
	CeilMode                               bool

	// LocalResponseNorm: Size, Alpha, Beta, K, as torch.nn.LocalResponseNorm
	// (alpha is divided by Size).
	Size           int
	Alpha, Beta, K float32

	// AdaptiveAvgPool2d: output size.
	OutH, OutW int

	// Linear: In, Out.
	In, Out int

	// GlobalPool: the earlier layers whose outputs it pools, in order
	// (indices into Arch.Layers, each below this layer's). Empty for every
	// other op.
	From []int
}

// Arch is a whole network: the input it takes and its layers in order. It is
// the one table that loading, buffer sizing, FLOP counts and tests loop over.
type Arch struct {
	Name          string // "seed", "torchvision", "paper", or anything a weight file says
	InC, InH, InW int    // input tensor (C,H,W); batch is always 1
	Layers        []Layer
}

// Shape is the (C,H,W) shape of an activation; after Flatten or Linear, H = W = 1.
type Shape struct{ C, H, W int }

// Len is the number of floats of the activation.
func (s Shape) Len() int { return s.C * s.H * s.W }

// Param is one tensor of a state_dict: its name and shape.
type Param struct {
	Name  string
	Shape []int
}

// Seed is the half-width AlexNet of the seed's model.py: 48-128-192-192-128
// conv channels, overlapping 3/2 max pooling, 2048-wide FC, 224x224 input.
// The layer indices match its nn.Sequential, so the names are its state_dict keys.
func Seed(classes int) Arch {
	return Arch{Name: "seed", InC: 3, InH: 224, InW: 224, Layers: []Layer{
		conv("features.0", 3, 48, 11, 4, 2, 1), relu(), maxpool(3, 2),
		conv("features.3", 48, 128, 5, 1, 2, 1), relu(), maxpool(3, 2),
		conv("features.6", 128, 192, 3, 1, 1, 1), relu(),
		conv("features.8", 192, 192, 3, 1, 1, 1), relu(),
		conv("features.10", 192, 128, 3, 1, 1, 1), relu(), maxpool(3, 2),
		{Op: OpFlatten},
		{Op: OpDropout}, linear("classifier.1", 128*6*6, 2048), relu(),
		{Op: OpDropout}, linear("classifier.4", 2048, 2048), relu(),
		linear("classifier.6", 2048, classes),
	}}
}

// TorchVision is torchvision.models.alexnet: 64-192-384-256-256 conv channels,
// AdaptiveAvgPool2d((6,6)), 4096-wide FC, 224x224 input.
func TorchVision(classes int) Arch {
	return Arch{Name: "torchvision", InC: 3, InH: 224, InW: 224, Layers: []Layer{
		conv("features.0", 3, 64, 11, 4, 2, 1), relu(), maxpool(3, 2),
		conv("features.3", 64, 192, 5, 1, 2, 1), relu(), maxpool(3, 2),
		conv("features.6", 192, 384, 3, 1, 1, 1), relu(),
		conv("features.8", 384, 256, 3, 1, 1, 1), relu(),
		conv("features.10", 256, 256, 3, 1, 1, 1), relu(), maxpool(3, 2),
		{Op: OpAdaptiveAvgPool, OutH: 6, OutW: 6},
		{Op: OpFlatten},
		{Op: OpDropout}, linear("classifier.1", 256*6*6, 4096), relu(),
		{Op: OpDropout}, linear("classifier.4", 4096, 4096), relu(),
		linear("classifier.6", 4096, classes),
	}}
}

// Paper is the original two-GPU AlexNet as Caffe's bvlc_alexnet lays it out:
// 96-256-384-384-256 channels, LocalResponseNorm(5, 1e-4, 0.75, 1) after the
// first two convolutions (before pooling), two groups in conv2, conv4 and
// conv5, 227x227 input, 4096-wide FC. Names follow an nn.Sequential written
// in that order (features.0 conv1, features.4 conv2, ...).
func Paper(classes int) Arch {
	return Arch{Name: "paper", InC: 3, InH: 227, InW: 227, Layers: []Layer{
		conv("features.0", 3, 96, 11, 4, 0, 1), relu(), lrn(), maxpool(3, 2),
		conv("features.4", 96, 256, 5, 1, 2, 2), relu(), lrn(), maxpool(3, 2),
		conv("features.8", 256, 384, 3, 1, 1, 1), relu(),
		conv("features.10", 384, 384, 3, 1, 1, 2), relu(),
		conv("features.12", 384, 256, 3, 1, 1, 2), relu(), maxpool(3, 2),
		{Op: OpFlatten},
		{Op: OpDropout}, linear("classifier.1", 256*6*6, 4096), relu(),
		{Op: OpDropout}, linear("classifier.4", 4096, 4096), relu(),
		linear("classifier.6", 4096, classes),
	}}
}

func conv(name string, in, out, k, stride, pad, groups int) Layer {
	return Layer{Op: OpConv, Name: name, InC: in, OutC: out, Kernel: k, Stride: stride, Pad: pad, Groups: groups}
}
func relu() Layer                 { return Layer{Op: OpReLU} }
func maxpool(k, stride int) Layer { return Layer{Op: OpMaxPool, Kernel: k, Stride: stride} }
func lrn() Layer                  { return Layer{Op: OpLRN, Size: 5, Alpha: 1e-4, Beta: 0.75, K: 1} }
func linear(name string, in, out int) Layer {
	return Layer{Op: OpLinear, Name: name, In: in, Out: out}
}

// Limits that keep a hostile weight file from asking for absurd buffers.
const (
	MaxLayers = 256
	MaxDim    = 1 << 14 // any single size: channels, height, width, features
	MaxFloats = 1 << 28 // any single activation or weight tensor, in floats
)

// ErrArch is wrapped by every error Shapes returns.
var ErrArch = errors.New("nn: bad architecture")

// Shapes checks the architecture and returns the output shape of every layer.
// It never panics, whatever the fields say.
func (a Arch) Shapes() ([]Shape, error) {
	bad := func(i int, format string, args ...any) error {
		return fmt.Errorf("%w: layer %d: %s", ErrArch, i, fmt.Sprintf(format, args...))
	}
	if len(a.Layers) == 0 || len(a.Layers) > MaxLayers {
		return nil, fmt.Errorf("%w: %d layers, want 1..%d", ErrArch, len(a.Layers), MaxLayers)
	}
	if !inRange(a.InC) || !inRange(a.InH) || !inRange(a.InW) || a.InC*a.InH*a.InW > MaxFloats {
		return nil, fmt.Errorf("%w: input %dx%dx%d", ErrArch, a.InC, a.InH, a.InW)
	}
	s := Shape{a.InC, a.InH, a.InW}
	out := make([]Shape, len(a.Layers))
	for i, l := range a.Layers {
		if len(l.From) > 0 && l.Op != OpGlobalPool {
			return nil, bad(i, "%s takes the previous layer's output, not layers %v", l.Op, l.From)
		}
		switch l.Op {
		case OpConv:
			g := l.Groups
			if g == 0 {
				g = 1
			}
			if l.InC != s.C {
				return nil, bad(i, "conv takes %d channels, gets %d", l.InC, s.C)
			}
			if !inRange(l.OutC) || !inRange(l.Kernel) || !inRange(l.Stride) || l.Pad < 0 || l.Pad > MaxDim || !inRange(g) {
				return nil, bad(i, "conv sizes out of range")
			}
			if l.InC%g != 0 || l.OutC%g != 0 {
				return nil, bad(i, "conv channels %d->%d not divisible by %d groups", l.InC, l.OutC, g)
			}
			if l.OutC*(l.InC/g)*l.Kernel*l.Kernel > MaxFloats {
				return nil, bad(i, "conv weight too large")
			}
			h, w := (s.H+2*l.Pad-l.Kernel)/l.Stride+1, (s.W+2*l.Pad-l.Kernel)/l.Stride+1
			if s.H+2*l.Pad < l.Kernel || s.W+2*l.Pad < l.Kernel {
				return nil, bad(i, "conv kernel %d larger than padded input %dx%d", l.Kernel, s.H, s.W)
			}
			s = Shape{l.OutC, h, w}
		case OpReLU, OpDropout:
		case OpMaxPool:
			if !inRange(l.Kernel) || !inRange(l.Stride) || l.Pad < 0 || 2*l.Pad > l.Kernel {
				return nil, bad(i, "maxpool kernel %d stride %d pad %d", l.Kernel, l.Stride, l.Pad)
			}
			if s.H+2*l.Pad < l.Kernel || s.W+2*l.Pad < l.Kernel {
				return nil, bad(i, "maxpool kernel %d larger than input %dx%d", l.Kernel, s.H, s.W)
			}
			s = Shape{s.C, poolOut(s.H, l), poolOut(s.W, l)}
		case OpLRN:
			if !inRange(l.Size) || !(l.Beta >= 0) || !(l.K > 0) || !(l.Alpha >= 0) {
				return nil, bad(i, "lrn size %d alpha %g beta %g k %g", l.Size, l.Alpha, l.Beta, l.K)
			}
		case OpAdaptiveAvgPool:
			if !inRange(l.OutH) || !inRange(l.OutW) {
				return nil, bad(i, "adaptive pool output %dx%d", l.OutH, l.OutW)
			}
			s = Shape{s.C, l.OutH, l.OutW}
		case OpFlatten:
			s = Shape{s.Len(), 1, 1}
		case OpGlobalPool:
			if len(l.From) == 0 || len(l.From) > MaxLayers {
				return nil, bad(i, "globalpool of %d layers, want 1..%d", len(l.From), MaxLayers)
			}
			c := 0
			for _, f := range l.From {
				if f < 0 || f >= i {
					return nil, bad(i, "globalpool of layer %d, want an earlier layer (0..%d)", f, i-1)
				}
				c += 2 * out[f].C
			}
			s = Shape{c, 1, 1}
		case OpL2Norm: // same shape
		case OpLinear:
			if s.H != 1 || s.W != 1 {
				return nil, bad(i, "linear needs a flat input, gets %dx%dx%d (add a flatten)", s.C, s.H, s.W)
			}
			if l.In != s.C || !inRange(l.Out) || l.In*l.Out > MaxFloats {
				return nil, bad(i, "linear %d->%d gets %d features", l.In, l.Out, s.C)
			}
			s = Shape{l.Out, 1, 1}
		default:
			return nil, bad(i, "unknown op %q", l.Op)
		}
		if s.Len() > MaxFloats {
			return nil, bad(i, "output %dx%dx%d too large", s.C, s.H, s.W)
		}
		out[i] = s
	}
	return out, nil
}

// poolOut is torch.nn.MaxPool2d's output size, floor or ceil mode. In ceil
// mode the last window must start inside the input or left padding.
func poolOut(n int, l Layer) int {
	span := n + 2*l.Pad - l.Kernel
	o := span/l.Stride + 1
	if l.CeilMode && span%l.Stride != 0 {
		o++
		if (o-1)*l.Stride >= n+l.Pad {
			o--
		}
	}
	return o
}

func inRange(n int) bool { return n >= 1 && n <= MaxDim }

// Params lists the state_dict tensors the architecture needs, in order:
// for each conv and linear layer, NAME.weight then NAME.bias.
func (a Arch) Params() []Param {
	var ps []Param
	for _, l := range a.Layers {
		switch l.Op {
		case OpConv:
			g := l.Groups
			if g == 0 {
				g = 1
			}
			ps = append(ps, Param{l.Name + ".weight", []int{l.OutC, l.InC / g, l.Kernel, l.Kernel}}, Param{l.Name + ".bias", []int{l.OutC}})
		case OpLinear:
			ps = append(ps, Param{l.Name + ".weight", []int{l.Out, l.In}}, Param{l.Name + ".bias", []int{l.Out}})
		}
	}
	return ps
}

// Classes is the number of outputs: the Out of the last linear layer.
func (a Arch) Classes() int {
	shapes, err := a.Shapes()
	if err != nil {
		return 0
	}
	return shapes[len(shapes)-1].Len()
}
