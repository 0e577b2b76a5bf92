package weights

import (
	"errors"
	"runtime"
	"testing"

	"alexnet/nn"
)

// header makes a model of arch a with zero weights of type t (F32 when t
// is F32, else Q8), labels and default preprocessing.
func header(a nn.Arch, t DType, data bool) *Model {
	m := &Model{Name: a.Name, Arch: a, Prep: DefaultPreprocess(a), Calib: Calibration{Temperature: 1}}
	for i := range a.Classes() {
		m.Labels = append(m.Labels, "c"+string(rune('a'+i%26)))
	}
	for _, p := range a.Params() {
		var v []float32
		if data {
			v = make([]float32, productOf(p.Shape))
		}
		tt := Quantize(p.Name, p.Shape, v, t)
		tt.Shape = p.Shape
		m.Tensors = append(m.Tensors, tt)
	}
	return m
}

// taught is what `alexnet teach` exports: torchvision's features up to
// conv5, then a 1x1 average pool and two linear layers for n classes.
func taught(n int) nn.Arch {
	a := nn.TorchVision(n)
	a.Name = "taught"
	a.Layers = append(a.Layers[:13:13],
		nn.Layer{Op: nn.OpAdaptiveAvgPool, OutH: 1, OutW: 1}, nn.Layer{Op: nn.OpFlatten},
		nn.Layer{Op: nn.OpLinear, Name: "head.0", In: 256, Out: 512}, nn.Layer{Op: nn.OpReLU},
		nn.Layer{Op: nn.OpLinear, Name: "head.2", In: 512, Out: n})
	return a
}

// TestCostAdmitsRealModels: every real AlexNet, in float32, is well inside
// the limits (at most half of MaxMemory, a quarter of MaxFLOPs).
func TestCostAdmitsRealModels(t *testing.T) {
	for _, a := range []nn.Arch{nn.Seed(5), nn.Seed(1000), nn.TorchVision(1000), nn.Paper(1000), taught(17)} {
		c, err := header(a, F32, false).Cost()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s, %d classes, f32: %d parameters, %.0f MB, %.2f GFLOP", a.Name, a.Classes(), c.Params, float64(c.Memory)/1e6, float64(c.FLOPs)/1e9)
		if c.Memory > MaxMemory/2 || c.FLOPs > MaxFLOPs/4 {
			t.Errorf("%s: %d bytes, %d FLOPs: too close to the limits", a.Name, c.Memory, c.FLOPs)
		}
	}
	// A taught model encodes and decodes.
	m := header(taught(6), Q8, true)
	if _, err := Decode(mustEncode(t, m)); err != nil {
		t.Fatal(err)
	}
}

// hostileArchs are structurally valid architectures whose weights fit in a
// few hundred kilobytes but whose passes would take gigabytes or minutes.
func hostileArchs() map[string]nn.Arch {
	act1GiB := []nn.Layer{ // a 16384x128x128 activation: 2^28 floats, 1 GiB
		{Op: nn.OpConv, Name: "c", InC: 3, OutC: 16384, Kernel: 1, Stride: 1, Groups: 1},
	}
	tail := []nn.Layer{{Op: nn.OpAdaptiveAvgPool, OutH: 1, OutW: 1}, {Op: nn.OpFlatten}, {Op: nn.OpLinear, Name: "fc", In: 16384, Out: 2}}
	with := func(in int, mid ...nn.Layer) nn.Arch {
		ls := append(append(append([]nn.Layer{}, act1GiB...), mid...), tail...)
		return nn.Arch{Name: "hostile", InC: 3, InH: in, InW: in, Layers: ls}
	}
	var relus []nn.Layer
	for range 63 {
		relus = append(relus, nn.Layer{Op: nn.OpReLU})
	}
	var lrns []nn.Layer
	for range 8 {
		lrns = append(lrns, nn.Layer{Op: nn.OpLRN, Size: 4096, Alpha: 1, Beta: 0.5, K: 1})
	}
	lrnNet := nn.Arch{Name: "lrn", InC: 3, InH: 64, InW: 64, Layers: append(append([]nn.Layer{
		{Op: nn.OpConv, Name: "c", InC: 3, OutC: 4096, Kernel: 1, Stride: 1, Groups: 1}}, lrns...),
		nn.Layer{Op: nn.OpAdaptiveAvgPool, OutH: 1, OutW: 1}, nn.Layer{Op: nn.OpFlatten}, nn.Layer{Op: nn.OpLinear, Name: "fc", In: 4096, Out: 2})}
	return map[string]nn.Arch{
		"1 GiB activation": with(128),
		"4 GiB":            with(128, nn.Layer{Op: nn.OpReLU}, nn.Layer{Op: nn.OpReLU}, nn.Layer{Op: nn.OpReLU}),
		"64 GiB":           with(128, relus...),
		"stacked LRN":      lrnNet,
		"9000x9000 input": {Name: "wide", InC: 3, InH: 9000, InW: 9000, Layers: []nn.Layer{
			{Op: nn.OpMaxPool, Kernel: 9000, Stride: 9000}, {Op: nn.OpFlatten}, {Op: nn.OpLinear, Name: "fc", In: 3, Out: 2}}},
	}
}

// TestDecodeRefusesCostly: each hostile file (written without Encode's
// checks) is refused with ErrCost from its header and tensor table, after
// allocating about what the small file itself takes; Encode refuses the
// models too.
func TestDecodeRefusesCostly(t *testing.T) {
	for name, a := range hostileArchs() {
		m := header(a, Q8, true)
		c, err := m.Cost()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b := encode(m, ptrs(m.Tensors))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := Decode(b)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrCost) || got != nil {
			t.Errorf("%s: Decode = %v, want ErrCost", name, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(b))+1<<20 {
			t.Errorf("%s: Decode allocated %d bytes for a %d-byte file", name, alloc, len(b))
		}
		if _, err := Encode(m); !errors.Is(err, ErrCost) {
			t.Errorf("%s: Encode = %v, want ErrCost", name, err)
		}
		t.Logf("%s: %d-byte file, %.1f GB, %.1f GFLOP: %v", name, len(b), float64(c.Memory)/1e9, float64(c.FLOPs)/1e9, err)
	}
}
