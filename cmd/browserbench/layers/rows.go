// Command layers is this engine's side of `browserbench -layers`: the
// shipped model (weights/default) as the app's worker builds it for one
// thread (nn.New, no split), with each layer callable alone from the page,
// which times it beside TensorFlow.js's XNNPACK kernel for the same layer.
// Built with GOOS=js GOARCH=wasm (Go 1.27 SIMD, as build.sh builds the
// worker); the row table below builds everywhere so it is tested natively.
package main

import (
	"fmt"

	"alexnet/nn"
	"alexnet/weights"
)

// Row is one line of the per-layer table: one TF.js op (a fused conv with
// bias and ReLU, a max pool, or a fused matMul with bias and optional ReLU)
// and the run of this engine's layers [Lo,Hi) that computes the same thing
// (the conv or linear layer, its ReLU, and any identity layers: flatten,
// dropout). The shapes are the TF.js op's: NHWC activations, conv filters
// [k,k,in,out], dense weights [in,out].
type Row struct {
	Name   string `json:"name"`   // conv1, pool1, fc1, ...
	Shape  string `json:"shape"`  // "3x224x224 -> 48x55x55, 11x11/4 pad 2"
	Op     string `json:"op"`     // TF.js: conv, maxpool, dense
	Lo     int    `json:"lo"`     // our layers [Lo,Hi)
	Hi     int    `json:"hi"`     //
	ReLU   int    `json:"relu"`   // our ReLU layer within [Lo,Hi), or -1
	In     []int  `json:"in"`     // TF.js input: [1,H,W,C], or [1,In] for dense
	Filter []int  `json:"filter"` // conv [k,k,in,out]; dense [in,out]; pool nil
	Kernel int    `json:"kernel"` // conv and pool
	Stride int    `json:"stride"` // conv and pool
	Pad    int    `json:"pad"`    // conv: explicit padding on every side
	Weight string `json:"weight"` // our weight type as stored (f32, int8, int4); convs run in f32 either way
	FLOPs  int64  `json:"flops"`  // 2*MACs (nn.Net.FLOPs)
}

// Rows groups the model's layers into rows. Every conv, max pool and
// linear layer starts a row; ReLU, flatten and dropout join the row before
// them. Other ops have no single TF.js counterpart here and are an error.
func Rows(m *weights.Model) ([]Row, error) {
	a := m.Arch
	shapes, err := a.Shapes()
	if err != nil {
		return nil, err
	}
	cost, err := a.Cost()
	if err != nil {
		return nil, err
	}
	dtype := map[string]string{}
	for _, t := range m.Tensors {
		dtype[t.Name] = t.Type.String()
	}
	var rows []Row
	count := map[string]int{}
	in := nn.Shape{C: a.InC, H: a.InH, W: a.InW}
	for i, l := range a.Layers {
		out := shapes[i]
		start := func(kind, op string) *Row {
			count[kind]++
			rows = append(rows, Row{Name: fmt.Sprintf("%s%d", kind, count[kind]), Op: op, Lo: i, Hi: i + 1, ReLU: -1, FLOPs: cost.LayerFLOPs[i]})
			return &rows[len(rows)-1]
		}
		switch l.Op {
		case nn.OpConv:
			if l.Groups > 1 {
				return nil, fmt.Errorf("layer %d: grouped conv has no row", i)
			}
			r := start("conv", "conv")
			r.In = []int{1, in.H, in.W, in.C}
			r.Filter = []int{l.Kernel, l.Kernel, l.InC, l.OutC}
			r.Kernel, r.Stride, r.Pad = l.Kernel, l.Stride, l.Pad
			r.Weight = dtype[l.Name+".weight"]
			r.Shape = fmt.Sprintf("%dx%dx%d -> %dx%dx%d, %dx%d/%d pad %d", in.C, in.H, in.W, out.C, out.H, out.W, l.Kernel, l.Kernel, l.Stride, l.Pad)
		case nn.OpMaxPool:
			if l.Pad != 0 || l.CeilMode {
				return nil, fmt.Errorf("layer %d: padded or ceil-mode pool has no row", i)
			}
			r := start("pool", "maxpool")
			r.In = []int{1, in.H, in.W, in.C}
			r.Kernel, r.Stride = l.Kernel, l.Stride
			r.Shape = fmt.Sprintf("%dx%dx%d -> %dx%dx%d, %dx%d/%d", in.C, in.H, in.W, out.C, out.H, out.W, l.Kernel, l.Kernel, l.Stride)
		case nn.OpLinear:
			r := start("fc", "dense")
			r.In = []int{1, l.In}
			r.Filter = []int{l.In, l.Out}
			r.Weight = dtype[l.Name+".weight"]
			r.Shape = fmt.Sprintf("%d -> %d", l.In, l.Out)
		case nn.OpReLU, nn.OpFlatten, nn.OpDropout:
			if len(rows) == 0 {
				return nil, fmt.Errorf("layer %d: %s before any conv, pool or linear layer", i, l.Op)
			}
			r := &rows[len(rows)-1]
			r.Hi = i + 1
			if l.Op == nn.OpReLU {
				if r.ReLU >= 0 || r.Op == "maxpool" {
					return nil, fmt.Errorf("layer %d: a ReLU TF.js would not fuse", i)
				}
				r.ReLU = i
			}
		default:
			return nil, fmt.Errorf("layer %d: %s has no TF.js row", i, l.Op)
		}
		in = out
	}
	return rows, nil
}

// setLinear stores every linear layer's weight of m as dtype ("int8",
// "f32"), from its values as they are.
func setLinear(m *weights.Model, dtype string) error {
	var t weights.DType
	switch dtype {
	case "int8":
		t = weights.Q8
	case "f32":
		t = weights.F32
	default:
		return fmt.Errorf("fc=%q: want int8 or f32", dtype)
	}
	for _, l := range m.Arch.Layers {
		if l.Op != nn.OpLinear {
			continue
		}
		for i, w := range m.Tensors {
			if w.Name == l.Name+".weight" {
				m.Tensors[i] = weights.Quantize(w.Name, w.Shape, w.Dequantize(), t)
			}
		}
	}
	return nil
}
