//go:build !goexperiment.simd || !(amd64 || wasm)

package nn

// Scalar build: a 3x4 tile (12 accumulators, fits the registers; see
// kernel3x4Scalar for the measurements) for the GEMM micro-kernel.
const (
	mr = 3
	nr = 4
)

// simdKernel reports whether the GEMM uses SIMD instructions.
const simdKernel = false

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	kernel3x4Scalar(k, a, b, c, ldc, bias)
}

// narrowTiles: no narrower tile in this build (see kernel_simd_wasm.go).
const narrowTiles = false

// microKernelNarrow: no narrower tile in this build (see kernel_simd_wasm.go).
func microKernelNarrow(k int, a, b, c []float32, ldc int, bias []float32, cols int) bool {
	return false
}

// microKernelTall: no tall tile in this build (see kernel_simd_wasm.go).
func microKernelTall(k int, a, b, c []float32, ldc int, bias []float32, cols int) bool {
	return false
}
