//go:build goexperiment.simd

package nn

import "simd/archsimd"

// simdOK: the Float32x4 kernels need AVX (VEX encoding) and FMA (MulAdd).
var simdOK = archsimd.X86.AVX() && archsimd.X86.FMA()

// hasAVX2 gates the 8-lane kernels (GEMM tile, int8 widening VPMOVSXBD ymm).
var hasAVX2 = simdOK && archsimd.X86.AVX2()

// maxKeepsNaN: x86's MAXPS returns one operand when the other is NaN, so
// the pooling maxima (maxInto, maxInto3) take the scalar loop, which lets a
// NaN through as PyTorch does.
const maxKeepsNaN = false
