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

// dotQ8x4 is dotQ8 of four rows of the same length against one x: each x
// vector is loaded once for the four rows, one accumulator per row (four
// independent add chains).
func dotQ8x4(q0, q1, q2, q3 []int8, x []float32) (float32, float32, float32, float32) {
	n := len(q0)
	x = x[:n]
	q1, q2, q3 = q1[:n], q2[:n], q3[:n]
	var a0, a1, a2, a3 archsimd.Float32x4
	i := 0
	for ; i+16 <= n; i += 16 {
		x0 := archsimd.LoadFloat32x4(x[i : i+4])
		x1 := archsimd.LoadFloat32x4(x[i+4 : i+8])
		x2 := archsimd.LoadFloat32x4(x[i+8 : i+12])
		x3 := archsimd.LoadFloat32x4(x[i+12 : i+16])
		v := archsimd.LoadInt8x16(q0[i : i+16])
		lo, hi := v.ExtendLo8ToInt16(), v.ExtendHi8ToInt16()
		a0 = lo.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(x0, a0)
		a0 = lo.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(x1, a0)
		a0 = hi.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(x2, a0)
		a0 = hi.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(x3, a0)
		v = archsimd.LoadInt8x16(q1[i : i+16])
		lo, hi = v.ExtendLo8ToInt16(), v.ExtendHi8ToInt16()
		a1 = lo.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(x0, a1)
		a1 = lo.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(x1, a1)
		a1 = hi.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(x2, a1)
		a1 = hi.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(x3, a1)
		v = archsimd.LoadInt8x16(q2[i : i+16])
		lo, hi = v.ExtendLo8ToInt16(), v.ExtendHi8ToInt16()
		a2 = lo.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(x0, a2)
		a2 = lo.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(x1, a2)
		a2 = hi.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(x2, a2)
		a2 = hi.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(x3, a2)
		v = archsimd.LoadInt8x16(q3[i : i+16])
		lo, hi = v.ExtendLo8ToInt16(), v.ExtendHi8ToInt16()
		a3 = lo.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(x0, a3)
		a3 = lo.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(x1, a3)
		a3 = hi.ExtendLo4ToInt32().ConvertToFloat32().MulAdd(x2, a3)
		a3 = hi.ExtendHi4ToInt32().ConvertToFloat32().MulAdd(x3, a3)
	}
	return hsum(a0) + dotQ8Scalar(q0[i:], x[i:]), hsum(a1) + dotQ8Scalar(q1[i:], x[i:]),
		hsum(a2) + dotQ8Scalar(q2[i:], x[i:]), hsum(a3) + dotQ8Scalar(q3[i:], x[i:])
}
