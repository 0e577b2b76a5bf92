//go:build !goexperiment.simd || !(amd64 || wasm)

package nn

// rectify is torch.nn.ReLU: dst[i] = max(src[i], 0). src, dst (n).
func rectify(dst, src []float32) { rectifyScalar(dst, src) }

// maxInto sets dst[i] = max(a[i], b[i]) for i < len(dst).
func maxInto(dst, a, b []float32) { maxIntoScalar(dst, a, b) }
