//go:build !goexperiment.simd || !(amd64 || wasm)

package explain

// axpyQ4x4 is axpyQ4x4Scalar (backward.go); wasm and amd64 with SIMD have their own.
func axpyQ4x4(dx []float32, q []byte, scale []float32, rb, ng, group int, r [4]int, g [4]float32) {
	axpyQ4x4Scalar(dx, q, scale, rb, ng, group, r, g)
}
