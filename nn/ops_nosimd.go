//go:build !goexperiment.simd || !(amd64 || wasm)

package nn

// rectify is torch.nn.ReLU: dst[i] = max(src[i], 0). src, dst (n).
func rectify(dst, src []float32) { rectifyScalar(dst, src) }

// maxInto sets dst[i] = max(a[i], b[i]) for i < len(dst).
func maxInto(dst, a, b []float32) { maxIntoScalar(dst, a, b) }

// maxInto3 sets dst[i] = max(a[i], b[i], c[i]) for i < len(dst).
func maxInto3(dst, a, b, c []float32) { maxInto3Scalar(dst, a, b, c) }
