//go:build goexperiment.simd && linux

package nn

import (
	"math/rand"
	"simd/archsimd"
	"testing"

	"alexnet/internal/avxcheck"
)

// TestAVXUpperClean disassembles this test binary and holds every function
// of the package that uses 256- or 512-bit registers to the rule in
// kernel_simd_amd64.go (internal/avxcheck checks it): on every path from its
// first such instruction, no legacy (non-VEX) SSE instruction, no call and
// no return until a VZEROUPPER. The compiler decides which instructions a Go
// line becomes (golang/go#80835), so the rule is checked on the machine
// code, on any x86 host: AMD runs the dirty code at full speed, Intel does
// not. The kernels known to use ymm registers must be found.
func TestAVXUpperClean(t *testing.T) {
	avxcheck.Check(t, "alexnet/nn.", []any{kernel4x24AVX2, dotQ8, dotQ4}, []any{dirtyUpper})
}

// dirtyUpper copies x[:8] onto itself through a ymm register and returns
// with the upper halves dirty: the state the 256-bit kernels left before
// they cleared it. It is the one function TestAVXUpperClean lets break the
// rule, for BenchmarkDirtyUpper.
//
//go:noinline
func dirtyUpper(x []float32) {
	archsimd.LoadFloat32x8(x[:8]).Store(x[:8])
}

// cleanUpper is dirtyUpper, then VZEROUPPER.
//
//go:noinline
func cleanUpper(x []float32) {
	archsimd.LoadFloat32x8(x[:8]).Store(x[:8])
	archsimd.ClearAVXUpperBits()
}

// BenchmarkDirtyUpper times scalar float32 code (dotQ4Scalar, Go's legacy
// SSE code) over fc1's int4 rows, one group of 64 values at a time, each
// right after a 256-bit kernel that leaves the upper halves dirty ("dirty")
// or clears them ("clean"): how the SIMD dotQ4 mixed them before it kept
// its group loop all VEX. On AMD the two take the same time; on an Intel
// core "dirty" pays the AVX-SSE penalty that TestAVXUpperClean keeps out of
// the kernels:
//
//	GOTOOLCHAIN=go1.27.3 GOEXPERIMENT=simd go test ./nn -run '^$' -bench DirtyUpper -count 3
//
// benchSink keeps BenchmarkDirtyUpper's sums alive.
var benchSink float32

func BenchmarkDirtyUpper(b *testing.B) {
	if !hasAVX2 {
		b.Fatal("BenchmarkDirtyUpper needs AVX2 (it runs a ymm load and store)")
	}
	const in, out, group = 4608, 2048, 64
	r := rand.New(rand.NewSource(24))
	q := make([]int8, in*out)
	for i := range q {
		q[i] = int8(r.Intn(15) - 7)
	}
	packed := Q4Pack(q, out, in)
	scale := randVec(r, out*in/group, 0.01)
	x := randVec(r, in, 1)
	v := randVec(r, 8, 1)
	rb, ng := Q4RowBytes(in), in/group
	for _, c := range []struct {
		name   string
		kernel func([]float32)
	}{{"clean", cleanUpper}, {"dirty", dirtyUpper}} {
		b.Run(c.name, func(b *testing.B) {
			var s float32
			for range b.N {
				for o := range out {
					row := packed[o*rb : (o+1)*rb]
					for g := range ng {
						c.kernel(v)
						s += dotQ4Scalar(row[g*group/2:(g+1)*group/2], scale[o*ng+g:o*ng+g+1], group, x[g*group:(g+1)*group], nil)
					}
				}
			}
			benchSink = s
		})
	}
}
