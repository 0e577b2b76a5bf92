package nn

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// Benchmarks on the full-size seed network with random weights:
//
//	go test ./nn -run '^$' -bench . -benchtime 20x
//
// BenchmarkSeed: the whole forward pass, float32 and int8 weights, in
// ms/image and GFLOP/s, with allocs/op (must be 0). BenchmarkSeedLayers: each
// layer alone (LayerForward) with its GFLOP/s.

func seedNet(b *testing.B, q8 bool) (*Net, []float32) {
	return seedNetPaths(b, q8, defaultConvPaths())
}

// seedNetPaths is seedNet with the conv layers on the given paths.
func seedNetPaths(b *testing.B, q8 bool, paths convPaths) (*Net, []float32) {
	b.Helper()
	a := Seed(5)
	r := rand.New(rand.NewSource(11))
	ps := randParams(r, a)
	if q8 {
		ps = quantize(ps)
	}
	n, err := newWithPaths(a, ps, paths)
	if err != nil {
		b.Fatal(err)
	}
	return n, randVec(r, a.InC*a.InH*a.InW, 2)
}

func totalFLOPs(n *Net) int64 {
	var s int64
	for _, f := range n.FLOPs() {
		s += f
	}
	return s
}

func BenchmarkSeed(b *testing.B) {
	for _, q8 := range []bool{false, true} {
		name := "f32"
		if q8 {
			name = "int8"
		}
		b.Run(name, func(b *testing.B) {
			n, x := seedNet(b, q8)
			s := benchForward(b, n, x)
			b.ReportMetric(float64(totalFLOPs(n))/s/1e9, "GFLOP/s")
		})
	}
}

// benchForward times n.Forward(x) after one untimed pass, reports ms and
// CPU ms per image and allocations, and returns the seconds per image.
func benchForward(b *testing.B, n *Net, x []float32) float64 {
	n.Forward(x)
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		n.Forward(x)
	}
	reportCPU(b, c0, "cpu-ms/image")
	s := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(s*1e3, "ms/image")
	return s
}

// benchLayers times LayerForward over the layers idx of n, whose inputs a
// Forward has filled, and reports CPU and wall ms per run of them,
// allocations, and GFLOP/s (FLOPs counts direct-conv FLOPs).
func benchLayers(b *testing.B, n *Net, idx []int) {
	var flops int64
	for _, i := range idx {
		flops += n.FLOPs()[i]
	}
	b.ReportAllocs()
	c0 := cpuTime()
	for j := 0; j < b.N; j++ {
		for _, i := range idx {
			n.LayerForward(i)
		}
	}
	reportCPU(b, c0, "cpu-ms/op")
	s := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(s*1e3, "ms/op")
	if flops > 0 {
		b.ReportMetric(float64(flops)/s/1e9, "GFLOP/s")
	}
}

// reportCPU reports the CPU time per op since c0 (cputime_*_test.go):
// under load, compare these rather than wall times.
func reportCPU(b *testing.B, c0 time.Duration, unit string) {
	b.StopTimer() // reading the CPU time allocates under js/wasm
	if c := cpuTime() - c0; c > 0 {
		b.ReportMetric(float64(c.Microseconds())/1e3/float64(b.N), unit)
	}
}

func BenchmarkSeedLayers(b *testing.B) {
	for _, q8 := range []bool{false, true} {
		n, x := seedNet(b, q8)
		n.Forward(x)
		for i, l := range n.Arch().Layers {
			if l.Op == OpFlatten || l.Op == OpDropout || (q8 && l.Op != OpLinear) {
				continue
			}
			name := fmt.Sprintf("%02d-%s", i, l.Op)
			if q8 {
				name += "-int8"
			}
			b.Run(name, func(b *testing.B) { benchLayers(b, n, []int{i}) })
		}
	}
}

// TestForwardAllocatesNothing guards the zero-allocation rule outside the
// benchmarks too.
func TestForwardAllocatesNothing(t *testing.T) {
	for _, a := range smallArchs() {
		n, err := New(a, randParams(rand.New(rand.NewSource(12)), a))
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, a.InC*a.InH*a.InW)
		if allocs := testing.AllocsPerRun(5, func() { n.Forward(x) }); allocs != 0 {
			t.Errorf("%s: Forward allocates %v times", a.Name, allocs)
		}
	}
}

// BenchmarkKBlock times the seed's five conv layers with K blocks of at
// most kc (0: no blocking), to choose defaultConvPaths' kcMax:
//
//	go test ./nn -run '^$' -bench KBlock -benchtime 10x
func BenchmarkKBlock(b *testing.B) {
	for _, kc := range []int{0, 128, 192, 256, 384, 512} {
		paths := defaultConvPaths()
		paths.kcMax = kc
		n, x := seedNetPaths(b, false, paths)
		n.Forward(x)
		convs := layersWhere(n, func(l Layer) bool { return l.Op == OpConv })
		b.Run(fmt.Sprintf("kc=%d", kc), func(b *testing.B) { benchLayers(b, n, convs) })
	}
}

// BenchmarkWinograd times the seed's conv layers by path: conv1 through
// im2col or space-to-depth + Winograd, conv2 through im2col or 3x3
// subkernels + Winograd, conv3-5 through im2col or Winograd; Winograd with
// 2x2 and 4x4 output tiles:
//
//	go test ./nn -run '^$' -bench Winograd -benchtime 10x
func BenchmarkWinograd(b *testing.B) {
	for _, c := range []struct {
		name            string
		layers          func(l Layer) bool
		wino, rearrange bool
		tile            int
		w45             bool // F(4x4,5x5) for conv2 instead of subkernels
	}{
		{"conv1/im2col", isConv1, false, false, 0, false},
		{"conv1/s2d+F2x2", isConv1, true, true, 2, false},
		{"conv1/s2d+F4x4", isConv1, true, true, 4, false},
		{"conv2/im2col", isConv5x5, false, false, 0, false},
		{"conv2/subkernels+F2x2", isConv5x5, true, true, 2, false},
		{"conv2/subkernels+F4x4", isConv5x5, true, true, 4, false},
		{"conv2/F4x4,5x5", isConv5x5, true, false, 0, true},
		{"conv3-5/im2col", isConv3x3, false, false, 0, false},
		{"conv3-5/F2x2", isConv3x3, true, false, 2, false},
		{"conv3-5/F4x4", isConv3x3, true, false, 4, false},
	} {
		paths := convPaths{winograd: c.wino, spaceToDepth: c.rearrange, subkernels: c.rearrange, winograd45: c.w45, winoTile: c.tile, kcMax: defaultConvPaths().kcMax}
		n, x := seedNetPaths(b, false, paths)
		n.Forward(x)
		idx := layersWhere(n, c.layers)
		b.Run(c.name, func(b *testing.B) { benchLayers(b, n, idx) })
	}
}

// layersWhere lists the layers of n that keep accepts.
func layersWhere(n *Net, keep func(Layer) bool) []int {
	var idx []int
	for i, l := range n.Arch().Layers {
		if keep(l) {
			idx = append(idx, i)
		}
	}
	return idx
}

func isConv1(l Layer) bool   { return l.Op == OpConv && l.Stride > 1 }
func isConv3x3(l Layer) bool { return l.Op == OpConv && l.Kernel == 3 }
func isConv5x5(l Layer) bool { return l.Op == OpConv && l.Kernel == 5 }

// BenchmarkSeedPart is one part's work when the int8 seed net is split in
// 2 (NewPart), the exchanges left out (they return at once): compare with
// BenchmarkSeed/int8 for what splitting costs beyond halving the layers.
func BenchmarkSeedPart(b *testing.B) {
	a := Seed(5)
	r := rand.New(rand.NewSource(11))
	ps := quantize(randParams(r, a))
	x := randVec(r, a.InC*a.InH*a.InW, 2)
	for k := 0; k < 2; k++ {
		b.Run(fmt.Sprintf("part%d", k), func(b *testing.B) {
			n, err := NewPart(a, ps, k, 2, func([]float32, int, int) bool { return true })
			if err != nil {
				b.Fatal(err)
			}
			benchForward(b, n, x)
		})
	}
}
