package nn

// The float32 dot product of the linear layers: dotF32 (dot_simd.go,
// dot_nosimd.go) and its scalar kernel.

// dotF32Scalar is sum_i w[i]*x[i] over len(w) (x at least as long), with four
// independent partial sums so the adds pipeline.
func dotF32Scalar(w, x []float32) float32 {
	x = x[:len(w)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(w); i += 4 {
		s0 += w[i] * x[i]
		s1 += w[i+1] * x[i+1]
		s2 += w[i+2] * x[i+2]
		s3 += w[i+3] * x[i+3]
	}
	for ; i < len(w); i++ {
		s0 += w[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}
