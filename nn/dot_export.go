package nn

// Dot is sum_i a[i]*b[i] over len(a) (b at least as long): the engine's
// float32 dot product, in SIMD where the build has it (GOEXPERIMENT=simd
// on amd64 and wasm), for other packages' hot loops (package teach's head).
func Dot(a, b []float32) float32 { return dotF32(a, b) }
