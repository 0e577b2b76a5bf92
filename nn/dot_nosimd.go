//go:build !goexperiment.simd || !(amd64 || wasm)

package nn

// dotF32 is sum_i w[i]*x[i] over len(w) (x at least as long).
func dotF32(w, x []float32) float32 { return dotF32Scalar(w, x) }
