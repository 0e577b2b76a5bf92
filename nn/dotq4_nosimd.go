//go:build !goexperiment.simd || !(amd64 || wasm)

package nn

// dotQ4 is sum_i q[i]*scale[i/group]*x[i] over the len(x) values of one
// packed 4-bit row; xsum is q4GroupSums of x (see dotQ4Scalar).
func dotQ4(q []byte, scale []float32, group int, x, xsum []float32) float32 {
	return dotQ4Scalar(q, scale, group, x, xsum)
}

// dotQ4x4 is dotQ4 of four rows with the same group size against one x.
func dotQ4x4(q0, q1, q2, q3 []byte, s0, s1, s2, s3 []float32, group int, x, xsum []float32) (float32, float32, float32, float32) {
	return dotQ4(q0, s0, group, x, xsum), dotQ4(q1, s1, group, x, xsum), dotQ4(q2, s2, group, x, xsum), dotQ4(q3, s3, group, x, xsum)
}
