package nn

// The convolutions run as one GEMM per group,
//
//	C (M,N) = A (M,K) * B (K,N) + bias (M),
//
// with M output channels, K = C/groups*KH*KW and N = OH*OW output pixels.
// A (the weights) is packed once at load into panels of mr rows: panel i
// holds A[i*mr+r][p] at [p*mr+r], rows past M are zero. B (im2col of the
// input) is written straight into panels of nr columns: panel j holds
// B[p][j*nr+c] at [p*nr+c], columns past N are zero. The micro-kernel
// (kernel_*.go) then reads both panels strictly sequentially and keeps an
// mr x nr block of C in registers for the whole K loop: per k it loads mr+nr
// floats and does mr*nr multiply-adds. mr and nr depend on the build
// (SIMD or scalar) and are set in kernel_*.go.
//
// K is cut into blocks of at most kcMax (kBlocks; convPaths.kcMax), so
// that one B panel (kc*nr floats) stays in L1 while every A panel passes over it, and the A
// rows of one block (M*kc floats) stay in L2: without blocking, conv4's B
// panel is 83 KB and its A 1.3 MB, both streamed from further out for
// every tile. The first block starts from the bias, later ones add to C
// (micro-kernel with bias nil).

// packA packs the rows x k matrix w (row-major) into mr-row panels:
// dst[(i/mr)*k*mr + p*mr + i%mr] = w[i*k+p], zero for rows >= rows.
// dst has ceil(rows/mr)*mr*k floats.
func packA(dst, w []float32, rows, k int) {
	for i := range dst {
		dst[i] = 0
	}
	for i := 0; i < rows; i++ {
		panel := dst[(i/mr)*k*mr:]
		r := i % mr
		for p, v := range w[i*k : (i+1)*k] {
			panel[p*mr+r] = v
		}
	}
}

// kBlocks returns how many K blocks of at most kcMax a depth of kk takes
// and their size (the last may be shorter): near-equal blocks, so no block
// is a sliver.
func kBlocks(kk, kcMax int) (nb, kc int) {
	if kcMax <= 0 || kk <= kcMax {
		return 1, max(kk, 1)
	}
	nb = (kk + kcMax - 1) / kcMax
	return nb, (kk + nb - 1) / nb
}
