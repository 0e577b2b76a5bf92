//go:build !goexperiment.simd || !(amd64 || wasm)

package nn

// colTransform45 is B^T d for every column (see colTransform45Scalar).
func colTransform45(t, src []float32, wp int) { colTransform45Scalar(t, src, wp) }

// outputTransform45 is Y = A^T m A + bias for every output channel and 4x4
// tile (see outputTransform45Scalar).
func (wc *winoConv) outputTransform45(dst, bias []float32) {
	wc.outputTransform45Scalar(dst, bias)
}
