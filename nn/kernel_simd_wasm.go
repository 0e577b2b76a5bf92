//go:build goexperiment.simd

package nn

import "simd/archsimd"

// SIMD build: a 4x12 tile. Measured under Node 20 for a 120x720x1200 GEMM
// (GFLOP/s, noisy shared machine, 2-3 runs each): 4x8 7-10, 5x8 10-12,
// 6x8 9-23, 8x8 12-16, 4x16 16-19, 3x16 10-26, 4x12 19-26. 4x12 keeps 12
// accumulators + 3 B vectors + 1 broadcast = 16 registers, the most x86-64
// has for V8's SIMD code without spilling.
const (
	mr = 4
	nr = 12
)

// simdKernel reports whether the GEMM uses SIMD instructions.
var simdKernel = simdOK

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	if !simdOK {
		kernelGeneric(k, a, b, c, ldc, bias)
		return
	}
	kernel4x12SIMD(k, a, b, c, ldc, bias)
}

// kernel4x12SIMD is the micro-kernel with archsimd.Float32x4: 12
// accumulators, 3 vector loads of B and 4 broadcasts of A per k. It compiles to
// wasm SIMD128 (f32x4.mul + f32x4.add: wasm has no fused multiply-add
// without relaxed-simd) and to AVX VFMADD on amd64.
func kernel4x12SIMD(k int, a, b, c []float32, ldc int, bias []float32) {
	a = a[:4*k]
	b = b[:12*k]
	c = c[:3*ldc+12]
	var c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32 archsimd.Float32x4
	if bias != nil {
		_ = bias[3]
		c00 = archsimd.BroadcastFloat32x4(bias[0])
		c01, c02 = c00, c00
		c10 = archsimd.BroadcastFloat32x4(bias[1])
		c11, c12 = c10, c10
		c20 = archsimd.BroadcastFloat32x4(bias[2])
		c21, c22 = c20, c20
		c30 = archsimd.BroadcastFloat32x4(bias[3])
		c31, c32 = c30, c30
	} else { // accumulate: a later K block adds to the tile
		c00 = archsimd.LoadFloat32x4(c[0*ldc+0 : 0*ldc+4])
		c01 = archsimd.LoadFloat32x4(c[0*ldc+4 : 0*ldc+8])
		c02 = archsimd.LoadFloat32x4(c[0*ldc+8 : 0*ldc+12])
		c10 = archsimd.LoadFloat32x4(c[1*ldc+0 : 1*ldc+4])
		c11 = archsimd.LoadFloat32x4(c[1*ldc+4 : 1*ldc+8])
		c12 = archsimd.LoadFloat32x4(c[1*ldc+8 : 1*ldc+12])
		c20 = archsimd.LoadFloat32x4(c[2*ldc+0 : 2*ldc+4])
		c21 = archsimd.LoadFloat32x4(c[2*ldc+4 : 2*ldc+8])
		c22 = archsimd.LoadFloat32x4(c[2*ldc+8 : 2*ldc+12])
		c30 = archsimd.LoadFloat32x4(c[3*ldc+0 : 3*ldc+4])
		c31 = archsimd.LoadFloat32x4(c[3*ldc+4 : 3*ldc+8])
		c32 = archsimd.LoadFloat32x4(c[3*ldc+8 : 3*ldc+12])
	}
	for len(a) >= 4 && len(b) >= 12 { // both conditions let the compiler drop the bounds checks
		b0 := archsimd.LoadFloat32x4(b[0:4])
		b1 := archsimd.LoadFloat32x4(b[4:8])
		b2 := archsimd.LoadFloat32x4(b[8:12])
		a0 := archsimd.BroadcastFloat32x4(a[0])
		c00 = a0.MulAdd(b0, c00)
		c01 = a0.MulAdd(b1, c01)
		c02 = a0.MulAdd(b2, c02)
		a1 := archsimd.BroadcastFloat32x4(a[1])
		c10 = a1.MulAdd(b0, c10)
		c11 = a1.MulAdd(b1, c11)
		c12 = a1.MulAdd(b2, c12)
		a2 := archsimd.BroadcastFloat32x4(a[2])
		c20 = a2.MulAdd(b0, c20)
		c21 = a2.MulAdd(b1, c21)
		c22 = a2.MulAdd(b2, c22)
		a3 := archsimd.BroadcastFloat32x4(a[3])
		c30 = a3.MulAdd(b0, c30)
		c31 = a3.MulAdd(b1, c31)
		c32 = a3.MulAdd(b2, c32)
		a = a[4:]
		b = b[12:]
	}
	c00.Store(c[0*ldc+0 : 0*ldc+4])
	c01.Store(c[0*ldc+4 : 0*ldc+8])
	c02.Store(c[0*ldc+8 : 0*ldc+12])
	c10.Store(c[1*ldc+0 : 1*ldc+4])
	c11.Store(c[1*ldc+4 : 1*ldc+8])
	c12.Store(c[1*ldc+8 : 1*ldc+12])
	c20.Store(c[2*ldc+0 : 2*ldc+4])
	c21.Store(c[2*ldc+4 : 2*ldc+8])
	c22.Store(c[2*ldc+8 : 2*ldc+12])
	c30.Store(c[3*ldc+0 : 3*ldc+4])
	c31.Store(c[3*ldc+4 : 3*ldc+8])
	c32.Store(c[3*ldc+8 : 3*ldc+12])
}

// narrowTiles reports whether microKernelNarrow takes last panels of up
// to 8 columns (winoCost counts them as 4 or 8 columns).
var narrowTiles = simdOK

// microKernelNarrow computes only the first cols columns of a tile (the
// rest of the mr x nr tile in c is left alone), for a last column panel
// that is mostly padding: a 4x4 tile for cols <= 4, 4x8 for cols <= 8. b
// is still a packed nr-wide panel. It reports false when it cannot help
// (more columns, or no SIMD); the caller then runs microKernel.
func microKernelNarrow(k int, a, b, c []float32, ldc int, bias []float32, cols int) bool {
	switch {
	case !simdOK || cols > 8:
		return false
	case cols <= 4:
		kernel4xNSIMD(k, a, b, c, ldc, bias, false)
	default:
		kernel4xNSIMD(k, a, b, c, ldc, bias, true)
	}
	return true
}

// kernel4xNSIMD is the 4x4 (wide false) or 4x8 (wide true) tile over a
// 12-wide B panel; bias nil adds to c, as microKernel.
func kernel4xNSIMD(k int, a, b, c []float32, ldc int, bias []float32, wide bool) {
	a = a[:4*k]
	b = b[:12*k]
	c = c[:3*ldc+12]
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x4
	if bias != nil {
		_ = bias[3]
		c00 = archsimd.BroadcastFloat32x4(bias[0])
		c10 = archsimd.BroadcastFloat32x4(bias[1])
		c20 = archsimd.BroadcastFloat32x4(bias[2])
		c30 = archsimd.BroadcastFloat32x4(bias[3])
		c01, c11, c21, c31 = c00, c10, c20, c30
	} else {
		c00 = archsimd.LoadFloat32x4(c[0*ldc : 0*ldc+4])
		c10 = archsimd.LoadFloat32x4(c[1*ldc : 1*ldc+4])
		c20 = archsimd.LoadFloat32x4(c[2*ldc : 2*ldc+4])
		c30 = archsimd.LoadFloat32x4(c[3*ldc : 3*ldc+4])
		if wide {
			c01 = archsimd.LoadFloat32x4(c[0*ldc+4 : 0*ldc+8])
			c11 = archsimd.LoadFloat32x4(c[1*ldc+4 : 1*ldc+8])
			c21 = archsimd.LoadFloat32x4(c[2*ldc+4 : 2*ldc+8])
			c31 = archsimd.LoadFloat32x4(c[3*ldc+4 : 3*ldc+8])
		}
	}
	if wide {
		for len(a) >= 4 && len(b) >= 12 {
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
			b = b[12:]
		}
		c01.Store(c[0*ldc+4 : 0*ldc+8])
		c11.Store(c[1*ldc+4 : 1*ldc+8])
		c21.Store(c[2*ldc+4 : 2*ldc+8])
		c31.Store(c[3*ldc+4 : 3*ldc+8])
	} else {
		for len(a) >= 4 && len(b) >= 12 {
			b0 := archsimd.LoadFloat32x4(b[0:4])
			c00 = archsimd.BroadcastFloat32x4(a[0]).MulAdd(b0, c00)
			c10 = archsimd.BroadcastFloat32x4(a[1]).MulAdd(b0, c10)
			c20 = archsimd.BroadcastFloat32x4(a[2]).MulAdd(b0, c20)
			c30 = archsimd.BroadcastFloat32x4(a[3]).MulAdd(b0, c30)
			a = a[4:]
			b = b[12:]
		}
	}
	c00.Store(c[0*ldc : 0*ldc+4])
	c10.Store(c[1*ldc : 1*ldc+4])
	c20.Store(c[2*ldc : 2*ldc+4])
	c30.Store(c[3*ldc : 3*ldc+4])
}
