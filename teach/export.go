package teach

import (
	"fmt"
	"slices"

	"alexnet/nn"
	"alexnet/weights"
)

// HeadName is the state_dict prefix of the head's linear layer in an
// exported model ("head.weight", "head.bias").
const HeadName = "head"

// Export makes the taught model: the embedding network (the base's layers
// up to its last conv's ReLU, globalpool, l2norm; the base's tensors as
// they are) followed by the head as a linear layer, with the new labels,
// the calibration of res, and the embedding's preprocessing (Preprocess). weights.Encode
// turns it into a standard weight file (version 2, for globalpool's list
// of layers) that classifier, `alexnet classify`, `eval` and `inspect`
// run unchanged, and whose logits are the head's on Embed's embedding.
func Export(e *Embedder, res *Result, labels []string, name string) (*weights.Model, error) {
	h := res.Head
	if h == nil || h.In != e.dim || len(h.W) != h.In*h.Out || len(h.B) != h.Out {
		return nil, fmt.Errorf("%w: the head does not fit the embedding (%d floats)", ErrExamples, e.dim)
	}
	if len(labels) != h.Out {
		return nil, fmt.Errorf("%w: %d labels for a head of %d classes", ErrExamples, len(labels), h.Out)
	}
	a := e.arch
	a.Layers = append(slices.Clone(a.Layers), nn.Layer{Op: nn.OpLinear, Name: HeadName, In: h.In, Out: h.Out})
	for _, l := range a.Layers[:len(a.Layers)-1] {
		if l.Name == HeadName {
			return nil, fmt.Errorf("%w: a layer of %q is already named %q", ErrBase, e.base.Arch.Name, HeadName)
		}
	}
	m := &weights.Model{
		Name:   name,
		Arch:   a,
		Labels: slices.Clone(labels),
		Prep:   e.prep,
		Calib:  res.Calib,
	}
	for _, p := range a.Params() {
		switch p.Name {
		case HeadName + ".weight":
			m.Tensors = append(m.Tensors, weights.Quantize(p.Name, p.Shape, h.W, weights.F32))
		case HeadName + ".bias":
			m.Tensors = append(m.Tensors, weights.Quantize(p.Name, p.Shape, h.B, weights.F32))
		default:
			i := slices.IndexFunc(e.base.Tensors, func(t weights.Tensor) bool { return t.Name == p.Name })
			if i < 0 {
				return nil, fmt.Errorf("%w: the base has no tensor %q", ErrBase, p.Name)
			}
			m.Tensors = append(m.Tensors, e.base.Tensors[i])
		}
	}
	if _, err := weights.Encode(m); err != nil { // what Decode would reject, Export does not return
		return nil, err
	}
	return m, nil
}
