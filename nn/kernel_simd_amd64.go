//go:build goexperiment.simd

package nn

import "simd/archsimd"

// SIMD build on amd64: a 4x24 tile in 12 Float32x8 (AVX2) accumulators, 3
// vector loads of B and 4 broadcasts of A per k, VFMADD231PS: the same
// register budget as wasm's 4x12 (16 ymm registers) at twice the width.
//
// Every function here that uses 256-bit registers (this kernel, dotQ8,
// dotQ4) is all VEX-encoded from its first 256-bit instruction and clears
// the upper halves (archsimd.ClearAVXUpperBits, VZEROUPPER) before any
// scalar code and before it returns. Go compiles scalar float32 code to
// legacy SSE (MOVSS, ADDSS, CVTSI2SS, XORPS, ...), and on Intel a legacy SSE
// instruction run while the upper halves are dirty pays a penalty: a state
// transition of tens of cycles on older cores, a merge with the upper half
// and a false dependency on later ones (AMD does neither). On an Intel Xeon
// this made the int4 FC layers ten times slower than the scalar build
// (issue 13; golang/go#80835). TestAVXUpperClean checks the rule on the
// compiled code; BenchmarkDirtyUpper measures what it costs.
const (
	mr = 4
	nr = 24
)

// simdKernel reports whether the GEMM uses SIMD instructions.
var simdKernel = hasAVX2

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	if !hasAVX2 {
		kernelGeneric(k, a, b, c, ldc, bias)
		return
	}
	kernel4x24AVX2(k, a, b, c, ldc, bias)
}

// kernel4x24AVX2 is kernelGeneric for a 4x24 tile with archsimd.Float32x8.
func kernel4x24AVX2(k int, a, b, c []float32, ldc int, bias []float32) {
	a = a[:4*k]
	b = b[:24*k]
	c = c[:3*ldc+24]
	var c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32 archsimd.Float32x8
	if bias != nil {
		_ = bias[3]
		c00 = archsimd.BroadcastFloat32x8(bias[0])
		c01, c02 = c00, c00
		c10 = archsimd.BroadcastFloat32x8(bias[1])
		c11, c12 = c10, c10
		c20 = archsimd.BroadcastFloat32x8(bias[2])
		c21, c22 = c20, c20
		c30 = archsimd.BroadcastFloat32x8(bias[3])
		c31, c32 = c30, c30
	} else { // accumulate: a later K block adds to the tile
		c00 = archsimd.LoadFloat32x8(c[0*ldc+0 : 0*ldc+8])
		c01 = archsimd.LoadFloat32x8(c[0*ldc+8 : 0*ldc+16])
		c02 = archsimd.LoadFloat32x8(c[0*ldc+16 : 0*ldc+24])
		c10 = archsimd.LoadFloat32x8(c[1*ldc+0 : 1*ldc+8])
		c11 = archsimd.LoadFloat32x8(c[1*ldc+8 : 1*ldc+16])
		c12 = archsimd.LoadFloat32x8(c[1*ldc+16 : 1*ldc+24])
		c20 = archsimd.LoadFloat32x8(c[2*ldc+0 : 2*ldc+8])
		c21 = archsimd.LoadFloat32x8(c[2*ldc+8 : 2*ldc+16])
		c22 = archsimd.LoadFloat32x8(c[2*ldc+16 : 2*ldc+24])
		c30 = archsimd.LoadFloat32x8(c[3*ldc+0 : 3*ldc+8])
		c31 = archsimd.LoadFloat32x8(c[3*ldc+8 : 3*ldc+16])
		c32 = archsimd.LoadFloat32x8(c[3*ldc+16 : 3*ldc+24])
	}
	for len(a) >= 4 && len(b) >= 24 { // both conditions let the compiler drop the bounds checks
		b0 := archsimd.LoadFloat32x8(b[0:8])
		b1 := archsimd.LoadFloat32x8(b[8:16])
		b2 := archsimd.LoadFloat32x8(b[16:24])
		a0 := archsimd.BroadcastFloat32x8(a[0])
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		c02 = a0.MulAdd(b2, c02)
		a1 := archsimd.BroadcastFloat32x8(a[1])
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		c12 = a1.MulAdd(b2, c12)
		a2 := archsimd.BroadcastFloat32x8(a[2])
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		c22 = a2.MulAdd(b2, c22)
		a3 := archsimd.BroadcastFloat32x8(a[3])
		c30 = a3.MulAdd(b0, c30)
		c31 = a3.MulAdd(b1, c31)
		c32 = a3.MulAdd(b2, c32)
		a = a[4:]
		b = b[24:]
	}
	c00.Store(c[0*ldc+0 : 0*ldc+8])
	c01.Store(c[0*ldc+8 : 0*ldc+16])
	c02.Store(c[0*ldc+16 : 0*ldc+24])
	c10.Store(c[1*ldc+0 : 1*ldc+8])
	c11.Store(c[1*ldc+8 : 1*ldc+16])
	c12.Store(c[1*ldc+16 : 1*ldc+24])
	c20.Store(c[2*ldc+0 : 2*ldc+8])
	c21.Store(c[2*ldc+8 : 2*ldc+16])
	c22.Store(c[2*ldc+16 : 2*ldc+24])
	c30.Store(c[3*ldc+0 : 3*ldc+8])
	c31.Store(c[3*ldc+8 : 3*ldc+16])
	c32.Store(c[3*ldc+16 : 3*ldc+24])
	archsimd.ClearAVXUpperBits()
}

// narrowTiles: no narrower tile in this build (see kernel_simd_wasm.go).
const narrowTiles = false

// microKernelNarrow: no narrower tile in this build (see kernel_simd_wasm.go).
func microKernelNarrow(k int, a, b, c []float32, ldc int, bias []float32, cols int) bool {
	return false
}

// microKernelTall: no tall tile in this build (see kernel_simd_wasm.go).
func microKernelTall(k int, a, b, c []float32, ldc int, bias []float32, cols int) bool {
	return false
}
