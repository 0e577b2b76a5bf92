//go:build goexperiment.simd

package nn

// simdOK: wasm SIMD128 is part of the target; every engine that runs Go
// 1.27's wasm output has it.
const simdOK = true

// maxKeepsNaN: wasm's f32x4.max returns NaN when either lane is NaN, as
// PyTorch's max pooling does.
const maxKeepsNaN = true
