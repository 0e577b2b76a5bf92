package teach

import (
	"fmt"
	"image"
	"math"

	"alexnet/nn"
	"alexnet/prep"
	"alexnet/weights"
)

// Taps is how many conv layers' outputs the embedding pools: the last
// four (conv2 to conv5 of an AlexNet), or all of them when the base has
// fewer.
const Taps = 4

// Scale is how much larger than the base's input the embedding network's
// input is (288x288 for a 224x224 base): the convs run on any size, and
// finer maps describe unseen species better (see the package doc). The
// base's resize and crop are scaled by the same factor.
const Scale = 9.0 / 7

// Embedder computes embeddings with a base model's network: the base's
// layers up to the ReLU after its last conv, on an input Scale times the
// base's, then the mean and the max of every channel of the ReLU outputs
// of its last Taps convs ("globalpool"), scaled to unit length ("l2norm").
// For the shipped seed model that is 2*(128+192+192+128) = 1280 floats.
// The layers after the last conv (pooling, fully connected) are not run.
//
// An Embedder is not safe for concurrent use; make one per goroutine.
type Embedder struct {
	base *weights.Model
	arch nn.Arch            // the embedding network: base layers, globalpool, l2norm
	prep weights.Preprocess // the base's, scaled
	net  *nn.Net
	dim  int
	x    []float32 // the preprocessed photo
	buf  prep.Scratch
}

// NewEmbedder builds the embedding network of a base model. The base must
// have a conv layer; any AlexNet the engine loads does.
func NewEmbedder(base *weights.Model) (*Embedder, error) {
	a, err := embeddingArch(base.Arch)
	if err != nil {
		return nil, err
	}
	params := map[string]nn.Weight{}
	for _, p := range a.Params() {
		for _, t := range base.Tensors {
			if t.Name == p.Name {
				params[p.Name] = t.Weight
			}
		}
	}
	net, err := nn.New(a, params)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBase, err)
	}
	shapes := net.Shapes()
	p := base.Prep
	p.Resize = scale(p.Resize)
	p.CropH, p.CropW = a.InH, a.InW
	return &Embedder{base: base, arch: a, prep: p, net: net, dim: shapes[len(shapes)-1].C, x: make([]float32, prep.Size(p))}, nil
}

// scale is n*Scale rounded to the nearest integer.
func scale(n int) int { return int(math.Round(float64(n) * Scale)) }

// embeddingArch is the base's layers up to its last tap, then globalpool of
// the taps and l2norm.
func embeddingArch(base nn.Arch) (nn.Arch, error) {
	var taps []int
	for i, l := range base.Layers {
		if l.Op != nn.OpConv {
			continue
		}
		t := i
		if i+1 < len(base.Layers) && base.Layers[i+1].Op == nn.OpReLU {
			t = i + 1
		}
		taps = append(taps, t)
	}
	if len(taps) == 0 {
		return nn.Arch{}, fmt.Errorf("%w: %q has no conv layer to take features from", ErrBase, base.Name)
	}
	taps = taps[max(0, len(taps)-Taps):]
	a := base
	a.InH, a.InW = scale(base.InH), scale(base.InW)
	last := taps[len(taps)-1]
	a.Layers = append(append([]nn.Layer(nil), base.Layers[:last+1]...),
		nn.Layer{Op: nn.OpGlobalPool, From: taps},
		nn.Layer{Op: nn.OpL2Norm})
	if _, err := a.Shapes(); err != nil {
		return nn.Arch{}, fmt.Errorf("%w: %w", ErrBase, err)
	}
	return a, nil
}

// Dim is the length of an embedding.
func (e *Embedder) Dim() int { return e.dim }

// Base is the base model.
func (e *Embedder) Base() *weights.Model { return e.base }

// Preprocess is how Embed and the exported model preprocess a photo: the
// base's resize and crop scaled by Scale, its mean and std.
func (e *Embedder) Preprocess() weights.Preprocess { return e.prep }

// Embed preprocesses img (see Preprocess) and returns its embedding (a new
// slice of Dim floats).
func (e *Embedder) Embed(img image.Image) ([]float32, error) {
	if err := e.buf.Into(e.x, img, e.prep); err != nil {
		return nil, err
	}
	return e.EmbedTensor(e.x)
}

// EmbedTensor is Embed for an input tensor (InC,InH,InW) of the embedding
// network (Preprocess's CropH x CropW) taken as exactly what the network
// sees.
func (e *Embedder) EmbedTensor(x []float32) ([]float32, error) {
	a := e.arch
	if len(x) != a.InC*a.InH*a.InW {
		return nil, fmt.Errorf("%w: %d values, the network takes %dx%dx%d", ErrInput, len(x), a.InC, a.InH, a.InW)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("%w: value %d is %g", ErrInput, i, v)
		}
	}
	return append([]float32(nil), e.net.Forward(x)...), nil
}
