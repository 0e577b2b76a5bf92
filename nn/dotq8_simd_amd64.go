//go:build goexperiment.simd

package nn

import "simd/archsimd"

// dotQ8 is sum_i float32(q[i])*x[i] over len(q) (x at least as long): 8
// int8 a step, sign-extended to Int32x8 and converted to Float32x8, two
// accumulators. (amd64's archsimd has no ExtendHi; each step loads 16 bytes
// and uses the low 8, so the loop stops 16 before the end.) The loop is all
// VEX; the horizontal sum and the tail run after the upper halves are
// cleared.
func dotQ8(q []int8, x []float32) float32 {
	if !hasAVX2 {
		return dotQ8Scalar(q, x)
	}
	n := len(q)
	x = x[:n]
	var s0, s1 archsimd.Float32x8
	i := 0
	for ; i+24 <= n; i += 16 {
		s0 = archsimd.LoadInt8x16(q[i:i+16]).ExtendLo8ToInt32().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x8(x[i:i+8]), s0)
		s1 = archsimd.LoadInt8x16(q[i+8:i+24]).ExtendLo8ToInt32().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x8(x[i+8:i+16]), s1)
	}
	var tmp [8]float32
	s0.Add(s1).StoreArray(&tmp)
	archsimd.ClearAVXUpperBits() // the sum and the tail are scalar SSE code (kernel_simd_amd64.go)
	return ((tmp[0] + tmp[1]) + (tmp[2] + tmp[3])) + ((tmp[4] + tmp[5]) + (tmp[6] + tmp[7])) + dotQ8Scalar(q[i:], x[i:])
}

// dotQ8x4 is dotQ8 of four rows of the same length against one x (the
// row-blocked form is a wasm kernel; here four dots).
func dotQ8x4(q0, q1, q2, q3 []int8, x []float32) (float32, float32, float32, float32) {
	return dotQ8(q0, x), dotQ8(q1, x), dotQ8(q2, x), dotQ8(q3, x)
}
