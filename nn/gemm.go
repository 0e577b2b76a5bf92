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

// gemmPacked computes c[i*ldc+j] = bias[i] + sum_p A[i][p]*B[p][j] for
// i < m, j < n, from packA-packed a (with bias padded to a multiple of mr)
// and nr-column packed b.
func gemmPacked(c []float32, ldc int, a, b, bias []float32, m, n, k int) {
	gemmPanels(c, ldc, a, b, bias, m, n, k, 0, (n+nr-1)/nr)
}

// gemmPanels is gemmPacked restricted to the column panels [j0,j1), so
// goroutines can split one GEMM.
func gemmPanels(c []float32, ldc int, a, b, bias []float32, m, n, k, j0, j1 int) {
	var tmp [mr * nr]float32 // edge tiles go through here; stays on the stack
	for jp := j0; jp < j1; jp++ {
		bp := b[jp*k*nr : (jp+1)*k*nr]
		col := jp * nr
		cols := min(nr, n-col)
		for ip := 0; ip*mr < m; ip++ {
			ap := a[ip*k*mr : (ip+1)*k*mr]
			row := ip * mr
			rows := min(mr, m-row)
			bs := bias[row : row+mr]
			if rows == mr && cols == nr {
				microKernel(k, ap, bp, c[row*ldc+col:], ldc, bs)
				continue
			}
			microKernel(k, ap, bp, tmp[:], nr, bs)
			for r := 0; r < rows; r++ {
				copy(c[(row+r)*ldc+col:(row+r)*ldc+col+cols], tmp[r*nr:r*nr+cols])
			}
		}
	}
}
