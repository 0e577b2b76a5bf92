package nn

import (
	"math"
	"math/rand"
	"runtime"
	"testing"
)

// TestCostBoundsNew builds nets, float32 and int8, and checks that what New
// allocates (the heap's TotalAlloc over the call) stays within Cost.Bytes:
// the bound Decode's memory limit relies on. The real layouts and small
// ones cover im2col, Winograd, space-to-depth, kernel splitting, groups.
func TestCostBoundsNew(t *testing.T) {
	odd := Arch{Name: "odd", InC: 6, InH: 23, InW: 19, Layers: []Layer{
		conv("c0", 6, 6, 3, 1, 1, 6), relu(), // depthwise Winograd: 1 channel a group
		conv("c1", 6, 8, 4, 1, 2, 2), lrn(), // split 4x4
		conv("c2", 8, 8, 7, 3, 0, 1), // space-to-depth, stride 3
		conv("c3", 8, 9, 2, 1, 0, 1), // im2col
		{Op: OpAdaptiveAvgPool, OutH: 3, OutW: 2}, {Op: OpFlatten}, linear("fc", 54, 4),
	}}
	// A taught model's head (package teach): pooled conv outputs of
	// several layers, normalised, then a linear layer.
	taught := Arch{Name: "taught", InC: 3, InH: 17, InW: 17, Layers: []Layer{
		conv("c0", 3, 4, 3, 1, 1, 1), relu(),
		conv("c1", 4, 6, 3, 2, 1, 1), relu(),
		{Op: OpGlobalPool, From: []int{1, 3}}, {Op: OpL2Norm}, linear("fc", 20, 3),
	}}
	// The seed's conv2 alone (F(4x4,5x5)), and on a map too small for it
	// (subkernels): no other layer's slack to hide in.
	conv2 := Arch{Name: "conv2", InC: 48, InH: 27, InW: 27, Layers: []Layer{conv("c", 48, 128, 5, 1, 2, 1)}}
	conv2s := Arch{Name: "conv2-1x1", InC: 48, InH: 1, InW: 1, Layers: []Layer{conv("c", 48, 128, 5, 1, 2, 1)}}
	archs := append(smallArchs(), odd, taught, conv2, conv2s, Seed(5), TorchVision(1000), Paper(1000))
	r := rand.New(rand.NewSource(5))
	for _, a := range archs {
		cost, err := a.Cost()
		if err != nil {
			t.Fatal(err)
		}
		var params int64
		for _, p := range a.Params() {
			n := int64(1)
			for _, d := range p.Shape {
				n *= int64(d)
			}
			params += n
		}
		if cost.Params != params {
			t.Errorf("%s: Params %d, want %d", a.Name, cost.Params, params)
		}
		ps := randParams(r, a)
		for _, q := range []bool{false, true} {
			p := ps
			if q {
				p = quantize(ps)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			n, err := New(a, p)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			got := int64(after.TotalAlloc - before.TotalAlloc)
			t.Logf("%s int8 %v: New allocated %.1f MB, Cost.Bytes %.1f MB, %.3f GFLOP", a.Name, q, float64(got)/1e6, float64(cost.Bytes)/1e6, float64(cost.FLOPs)/1e9)
			if got > cost.Bytes {
				t.Errorf("%s int8 %v: New allocated %d bytes, more than Cost.Bytes %d", a.Name, q, got, cost.Bytes)
			}
			for i, f := range n.FLOPs() {
				if f != cost.LayerFLOPs[i] {
					t.Errorf("%s: Net.FLOPs()[%d] %d, Cost %d", a.Name, i, f, cost.LayerFLOPs[i])
				}
			}
		}
	}
}

// TestCostFLOPs pins the counts of each op on a hand-checked example.
func TestCostFLOPs(t *testing.T) {
	a := Arch{InC: 4, InH: 10, InW: 10, Layers: []Layer{
		conv("c", 4, 6, 3, 1, 1, 2), // 6x10x10 outputs x 2*(2*3*3)
		relu(),                      // 600
		{Op: OpLRN, Size: 9, Alpha: 1, Beta: 0.5, K: 1}, // window clipped to 6 channels: 600*(12+320)
		maxpool(3, 2), // 6 channels x 4 rows x 3*(2*10+4)
		{Op: OpAdaptiveAvgPool, OutH: 2, OutW: 2}, // 8*6*(4+2)*(4+2)
		{Op: OpFlatten},
		linear("fc", 24, 5), // 2*24*5
	}}
	c, err := a.Cost()
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{600 * 36, 600, 600 * 332, 6 * 4 * 3 * 24, 8 * 6 * 6 * 6, 0, 240}
	var sum int64
	for i, w := range want {
		sum += w
		if c.LayerFLOPs[i] != w {
			t.Errorf("layer %d (%s): %d FLOPs, want %d", i, a.Layers[i].Op, c.LayerFLOPs[i], w)
		}
	}
	if c.FLOPs != sum {
		t.Errorf("total %d, want %d", c.FLOPs, sum)
	}
}

// TestCostSaturates: the largest layers Shapes accepts do not overflow the
// sums (a hostile weight file must not wrap its cost around to a small
// number).
func TestCostSaturates(t *testing.T) {
	a := Arch{InC: 1, InH: 16384, InW: 16384, Layers: []Layer{
		conv("c0", 1, 1, 16383, 8191, 0, 1), // space-to-depth into 8191x8191 channels
	}}
	c, err := a.Cost()
	if err != nil {
		t.Fatal(err)
	}
	if c.Bytes < 1<<38 {
		t.Errorf("space-to-depth by 8191: Bytes %d, want huge", c.Bytes)
	}
	// 2^57 FLOPs a layer (a 16384x16384 kernel over a 16383x16383 map), 255 times.
	a = Arch{InC: 1, InH: 16383, InW: 16383}
	for range 255 {
		a.Layers = append(a.Layers, conv("", 1, 1, 16384, 1, 8191, 1))
	}
	if c, err := a.Cost(); err != nil || c.FLOPs != math.MaxInt64 || c.LayerFLOPs[0] < 1<<56 {
		t.Errorf("255 huge convs: FLOPs %d (%v), want saturated", c.FLOPs, err)
	}
}
