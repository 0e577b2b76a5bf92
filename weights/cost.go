package weights

import (
	"fmt"

	"alexnet/nn"
)

// Limits on what a model may ask of the program that runs it, checked by
// Decode (and Encode) from the header and the tensor table, before any
// tensor is allocated. Both admit every real AlexNet several times over:
// torchvision's in float32 with 1000 classes needs about 346 MB and 1.43
// GFLOP, the paper's 1.47 GFLOP, the seed's 0.62 GFLOP.
const (
	// MaxMemory bounds Cost.Memory, in bytes.
	MaxMemory = 1 << 30
	// MaxFLOPs bounds Cost.FLOPs, the work of one forward pass: about a
	// second natively on one core for convolutions, a few seconds for the
	// slowest ops.
	MaxFLOPs = 10_000_000_000
)

// Cost is what running a model takes, known before its tensors are read.
type Cost struct {
	// Memory bounds, in bytes, what classifying one image with the model
	// allocates: its tensors as decoded (float16 widened to float32), the
	// engine's buffers (nn.Cost.Bytes: activations, packed conv weights,
	// scratch), the input tensor, and the images preprocessing makes (the
	// resized image, up to Resize x nn.MaxDim pixels whatever the photo's
	// shape, and the crop). The photo itself is not counted: it is the
	// caller's.
	Memory int64
	// FLOPs is the work of one forward pass (nn.Cost.FLOPs).
	FLOPs int64
	// Params is the number of parameter values.
	Params int64
}

// Cost returns the model's cost. It reads the header and each tensor's type
// and shape, not the tensor data, and fails with ErrArch on an
// architecture nn.Arch.Shapes rejects.
func (m *Model) Cost() (Cost, error) {
	nc, err := m.Arch.Cost()
	if err != nil {
		return Cost{}, fmt.Errorf("%w: %w", ErrArch, err)
	}
	c := Cost{FLOPs: nc.FLOPs, Params: nc.Params}
	mem := nc.Bytes
	add := func(n int64) {
		if n > 0 && mem > 1<<62-n {
			mem = 1 << 62
			return
		}
		mem += n
	}
	for _, t := range m.Tensors {
		add(decodedSize(t.Type, t.Shape))
	}
	p := m.Prep
	add(4 * int64(m.Arch.InC) * int64(m.Arch.InH) * int64(m.Arch.InW)) // the input tensor
	add(4 * int64(p.CropH) * int64(p.CropW))                           // the crop
	if p.Resize > 0 {
		add(4 * int64(p.Resize) * nn.MaxDim)
	}
	c.Memory = mem
	return c, nil
}

// decodedSize is the memory Decode gives a tensor of that type and shape:
// float32 values for F32 and F16, values and scales for Q8 and Q4. Shapes
// that do not make sense count 0 (the tensor checks reject them).
func decodedSize(t DType, shape []int) int64 {
	n, err := numElems("", shape)
	if err != nil {
		return 0
	}
	switch t {
	case Q8, Q4:
		return int64(dataSize(t, shape[0], n))
	}
	return 4 * int64(n)
}

// checkCost refuses a model over MaxMemory or MaxFLOPs.
func checkCost(m *Model) error {
	c, err := m.Cost()
	if err != nil {
		return err
	}
	if c.Memory > MaxMemory {
		return fmt.Errorf("%w: running it needs about %d MiB (its layers' sizes and %d parameters), more than the %d MiB allowed", ErrCost, c.Memory>>20, c.Params, MaxMemory>>20)
	}
	if c.FLOPs > MaxFLOPs {
		return fmt.Errorf("%w: a forward pass is %.1f GFLOP, more than the %.0f allowed", ErrCost, float64(c.FLOPs)/1e9, float64(MaxFLOPs)/1e9)
	}
	return nil
}
