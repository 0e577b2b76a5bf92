package nn

// The int8 dot product of the linear layers with int8 weights (Weight.Q8):
// dotQ8 and dotQ8x4 (dotq8_simd_amd64.go, dotq8_simd_wasm.go,
// dotq8_nosimd.go) and their scalar kernel.

// dotQ8Scalar is sum_i float32(q[i])*x[i] over len(q) (x at least as long).
func dotQ8Scalar(q []int8, x []float32) float32 {
	x = x[:len(q)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(q); i += 4 {
		s0 += float32(q[i]) * x[i]
		s1 += float32(q[i+1]) * x[i+1]
		s2 += float32(q[i+2]) * x[i+2]
		s3 += float32(q[i+3]) * x[i+3]
	}
	for ; i < len(q); i++ {
		s0 += float32(q[i]) * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}
