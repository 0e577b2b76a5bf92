package nn

// kernel3x4Scalar is the scalar GEMM micro-kernel for a 3x4 tile:
//
//	c[r*ldc+j] = bias[r] + sum_p a[p*3+r] * b[p*4+j]   (r < 3, j < 4)
//
// or, with bias nil, c[r*ldc+j] += sum_p ... (a later K block of gemm.go
// adding to the tile). Every micro-kernel follows this convention.
//
// a and b are packed panels (see gemm.go). The 12 accumulators are named
// locals so they stay in registers. Measured on a 128x720x1200 GEMM, two runs
// each (GFLOP/s): under Node 4x8 2.4-3.2, 4x4 2.9-3.1, 2x8 3.8-4.0, 2x4
// 3.8-4.6, 3x4 5.2-5.6; natively all 2.2-3.8 (Go's scalar amd64 code has no
// FMA; the SIMD build is the fast native path).
func kernel3x4Scalar(k int, a, b, c []float32, ldc int, bias []float32) {
	a = a[:3*k]
	b = b[:4*k]
	r0 := c[0*ldc : 0*ldc+4]
	r1 := c[1*ldc : 1*ldc+4]
	r2 := c[2*ldc : 2*ldc+4]
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23 float32
	if bias != nil {
		_ = bias[2]
		c00, c01, c02, c03 = bias[0], bias[0], bias[0], bias[0]
		c10, c11, c12, c13 = bias[1], bias[1], bias[1], bias[1]
		c20, c21, c22, c23 = bias[2], bias[2], bias[2], bias[2]
	} else { // accumulate: a later K block adds to the tile
		c00, c01, c02, c03 = r0[0], r0[1], r0[2], r0[3]
		c10, c11, c12, c13 = r1[0], r1[1], r1[2], r1[3]
		c20, c21, c22, c23 = r2[0], r2[1], r2[2], r2[3]
	}
	for len(a) >= 3 && len(b) >= 4 { // both conditions let the compiler drop the bounds checks below
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a0 := a[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := a[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := a[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a = a[3:]
		b = b[4:]
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
	r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
}

// kernelGeneric is the same micro-kernel for any mr x nr tile, a plain loop.
// It is the fallback when the SIMD tile has no scalar twin (amd64 without
// AVX+FMA) and the reference the tests hold the fast kernels to.
func kernelGeneric(k int, a, b, c []float32, ldc int, bias []float32) {
	var acc [mr * nr]float32
	for r := 0; r < mr; r++ {
		for j := 0; j < nr; j++ {
			if bias != nil {
				acc[r*nr+j] = bias[r]
			} else {
				acc[r*nr+j] = c[r*ldc+j]
			}
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
