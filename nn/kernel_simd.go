//go:build goexperiment.simd && (amd64 || wasm)

package nn

import "simd/archsimd"

// SIMD build: a 4x8 tile held in 8 Float32x4 accumulators (2 vectors per
// row), with 2 vector loads of B and 4 broadcasts of A per k.
const (
	mr = 4
	nr = 8
)

// simdKernel reports whether the GEMM uses SIMD instructions.
var simdKernel = simdOK

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	if !simdOK {
		kernel4x8Scalar(k, a, b, c, ldc, bias)
		return
	}
	kernel4x8SIMD(k, a, b, c, ldc, bias)
}

// kernel4x8SIMD is kernel4x8Scalar with archsimd.Float32x4: compiles to wasm
// SIMD128 (f32x4.mul/add) and to AVX (VFMADD) on amd64.
func kernel4x8SIMD(k int, a, b, c []float32, ldc int, bias []float32) {
	a = a[:4*k]
	b = b[:8*k]
	_ = bias[3]
	bb0 := archsimd.BroadcastFloat32x4(bias[0])
	bb1 := archsimd.BroadcastFloat32x4(bias[1])
	bb2 := archsimd.BroadcastFloat32x4(bias[2])
	bb3 := archsimd.BroadcastFloat32x4(bias[3])
	c00, c01 := bb0, bb0
	c10, c11 := bb1, bb1
	c20, c21 := bb2, bb2
	c30, c31 := bb3, bb3
	for len(a) >= 4 && len(b) >= 8 {
		b0 := archsimd.LoadFloat32x4(b[0:4])
		b1 := archsimd.LoadFloat32x4(b[4:8])
		a0 := archsimd.BroadcastFloat32x4(a[0])
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		a1 := archsimd.BroadcastFloat32x4(a[1])
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		a2 := archsimd.BroadcastFloat32x4(a[2])
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		a3 := archsimd.BroadcastFloat32x4(a[3])
		c30 = a3.MulAdd(b0, c30)
		c31 = a3.MulAdd(b1, c31)
		a = a[4:]
		b = b[8:]
	}
	c00.Store(c[0*ldc : 0*ldc+4])
	c01.Store(c[0*ldc+4 : 0*ldc+8])
	c10.Store(c[1*ldc : 1*ldc+4])
	c11.Store(c[1*ldc+4 : 1*ldc+8])
	c20.Store(c[2*ldc : 2*ldc+4])
	c21.Store(c[2*ldc+4 : 2*ldc+8])
	c30.Store(c[3*ldc : 3*ldc+4])
	c31.Store(c[3*ldc+4 : 3*ldc+8])
}
