//go:build !goexperiment.simd || !(amd64 || wasm)

package nn

// outputTransform4 is Y = A^T m A + bias for every output channel and 4x4
// tile (see outputTransform4Scalar).
func (wc *winoConv) outputTransform4(dst, bias []float32) {
	wc.outputTransform4Scalar(dst, bias)
}
