//go:build !goexperiment.simd || !(amd64 || wasm)

package nn

// Scalar build: a 4x8 tile (32 accumulators) for the GEMM micro-kernel.
const (
	mr = 4
	nr = 8
)

// simdKernel reports whether the GEMM uses SIMD instructions.
const simdKernel = false

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	kernel4x8Scalar(k, a, b, c, ldc, bias)
}
