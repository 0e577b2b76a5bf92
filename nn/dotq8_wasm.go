//go:build goexperiment.simd

package nn

import "simd/archsimd"

// dotQ8 is sum_i float32(q[i])*x[i] over len(q) (x at least as long): 16
// int8 a step, widened i8x16 -> 2 x i16x8 -> 4 x i32x4 -> f32x4 (wasm's
// extend_low/high and convert), into four accumulators.
func dotQ8(q []int8, x []float32) float32 {
	n := len(q)
	x = x[:n]
	var s0, s1, s2, s3 archsimd.Float32x4
	i := 0
	for ; i+16 <= n; i += 16 {
		v := archsimd.LoadInt8x16(q[i : i+16])
		lo, hi := v.ExtendLo8ToInt16(), v.ExtendHi8ToInt16()
		s0 = lo.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x4(x[i:i+4]), s0)
		s1 = lo.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x4(x[i+4:i+8]), s1)
		s2 = hi.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x4(x[i+8:i+12]), s2)
		s3 = hi.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x4(x[i+12:i+16]), s3)
	}
	return hsum(s0.Add(s1).Add(s2.Add(s3))) + dotQ8Scalar(q[i:], x[i:])
}
