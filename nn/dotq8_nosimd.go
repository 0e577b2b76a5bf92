//go:build !goexperiment.simd || !(amd64 || wasm)

package nn

// dotQ8 is sum_i float32(q[i])*x[i] over len(q) (x at least as long).
func dotQ8(q []int8, x []float32) float32 { return dotQ8Scalar(q, x) }

// dotQ8x4 is dotQ8 of four rows of the same length against one x.
func dotQ8x4(q0, q1, q2, q3 []int8, x []float32) (float32, float32, float32, float32) {
	return dotQ8(q0, x), dotQ8(q1, x), dotQ8(q2, x), dotQ8(q3, x)
}
