//go:build goexperiment.simd && (amd64 || wasm)

package nn

import "simd/archsimd"

// dotF32 is sum_i w[i]*x[i] over len(w) (x at least as long), 16 floats a
// step in four Float32x4 accumulators (independent add chains).
func dotF32(w, x []float32) float32 {
	if !simdOK {
		return dotF32Scalar(w, x)
	}
	n := len(w)
	x = x[:n]
	var s0, s1, s2, s3 archsimd.Float32x4
	i := 0
	for ; i+16 <= n; i += 16 {
		s0 = archsimd.LoadFloat32x4(w[i:i+4]).MulAdd(archsimd.LoadFloat32x4(x[i:i+4]), s0)
		s1 = archsimd.LoadFloat32x4(w[i+4:i+8]).MulAdd(archsimd.LoadFloat32x4(x[i+4:i+8]), s1)
		s2 = archsimd.LoadFloat32x4(w[i+8:i+12]).MulAdd(archsimd.LoadFloat32x4(x[i+8:i+12]), s2)
		s3 = archsimd.LoadFloat32x4(w[i+12:i+16]).MulAdd(archsimd.LoadFloat32x4(x[i+12:i+16]), s3)
	}
	return hsum(s0.Add(s1).Add(s2.Add(s3))) + dotF32Scalar(w[i:], x[i:])
}

func hsum(v archsimd.Float32x4) float32 {
	return (v.GetElem(0) + v.GetElem(1)) + (v.GetElem(2) + v.GetElem(3))
}
