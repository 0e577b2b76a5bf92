package nn

// Winograd F(4x4,5x5) for the 5x5 stride-1 convolutions (AlexNet's conv2):
// each 4x4 block of outputs from an 8x8 input tile (tiles overlapping by
// 4), 64 products per 16 outputs and input channel instead of 400 directly,
// or 4x36 = 144 through the 2x2 shifted 3x3 subkernels and F(4x4,3x3)
// (rearrange.go): 2.25x less GEMM work. The points are 0, ±1, ±2, ±1/2 and
// infinity, the point set (and so the input transform B^T) of NNPACK's
// F(6x6,3x3). nn/testdata/winograd45.py derives the matrices and checks the
// identity in exact rationals:
//
//	B^T = [1    0 -21/4     0  21/4     0 -1 0]   A^T = [1 1  1 1  1 8  8 0]
//	      [0    1     1 -17/4 -17/4     1  1 0]         [0 1 -1 2 -2 4 -4 0]
//	      [0   -1     1  17/4 -17/4    -1  1 0]         [0 1  1 4  4 2  2 0]
//	      [0  1/2   1/4  -5/2  -5/4     2  1 0]         [0 1 -1 8 -8 1 -1 1]
//	      [0 -1/2   1/4   5/2  -5/4    -2  1 0]
//	      [0    2     4  -5/2    -5   1/2  1 0]
//	      [0   -2     4   5/2    -5  -1/2  1 0]
//	      [0   -1     0  21/4     0 -21/4  0 1]
//
// and G (8x5) in winoG45. It runs in winoConv (winograd.go) with k = 5: U
// transformed and packed at load, the 64 GEMMs through the same panels and
// micro-kernel. The input transform runs columns first over a whole row of
// tiles at once (colTransform45: each column serves the two tiles that
// overlap on it, and the rows are contiguous, so the SIMD build runs it in
// Float32x4s), then each tile's rows in locals. The output transform runs
// four tiles at a time in SIMD builds (outputTransform45), as F(4x4,3x3)'s.

// winoG45 is G of F(4x4,5x5).
var winoG45 = [8][5]float64{
	{1, 0, 0, 0, 0},
	{-2.0 / 9, -2.0 / 9, -2.0 / 9, -2.0 / 9, -2.0 / 9},
	{-2.0 / 9, 2.0 / 9, -2.0 / 9, 2.0 / 9, -2.0 / 9},
	{1.0 / 90, 1.0 / 45, 2.0 / 45, 4.0 / 45, 8.0 / 45},
	{1.0 / 90, -1.0 / 45, 2.0 / 45, -4.0 / 45, 8.0 / 45},
	{4.0 / 45, 2.0 / 45, 1.0 / 45, 1.0 / 90, 1.0 / 180},
	{4.0 / 45, -2.0 / 45, 1.0 / 45, -1.0 / 90, 1.0 / 180},
	{0, 0, 0, 0, 1},
}

// winograd45OK reports whether a conv layer can take the F(4x4,5x5) path.
func winograd45OK(l Layer) bool { return l.Kernel == 5 && l.Stride == 1 }

// Transform FLOPs per tile: F(4x4,5x5)'s input transform per channel (16
// 8-point transforms of 38, the column half shared by two tiles) and output
// transform per output channel (12 of 22, and the bias); F(4x4,3x3)'s (12
// 6-point transforms of 24; 10 of 13) and F(2x2,3x3)'s (8 of 4; 6 of 4).
const (
	wino45InFLOPs, wino45OutFLOPs = 8*38 + 8*38/2, 12*22 + 16
	wino4InFLOPs, wino4OutFLOPs   = 12 * 24, 10*13 + 16
	wino2InFLOPs, wino2OutFLOPs   = 8 * 4, 6*4 + 4
)

// wino45Pays reports whether F(4x4,5x5) takes fewer FLOPs (GEMM, counted
// as in winoCost, and transforms) than the 2x2 subkernels through the
// cheaper of F(2x2,3x3) and F(4x4,3x3), for a 5x5 stride-1 conv of c input
// and oc output channels per group onto an oh x ow map. The rearranging
// copy is left out.
func wino45Pays(c, oc, oh, ow int) bool {
	tiles := func(f int) int { return ((oh + f - 1) / f) * ((ow + f - 1) / f) }
	cols4 := winoCost(4, oh, ow) / 36 // GEMM columns: tiles rounded to panels
	direct := 2*64*cols4*c*oc + tiles(4)*(wino45InFLOPs*c+wino45OutFLOPs*oc)
	sub4 := 2*winoCost(4, oh, ow)*4*c*oc + tiles(4)*(wino4InFLOPs*4*c+wino4OutFLOPs*oc)
	sub2 := 2*winoCost(2, oh, ow)*4*c*oc + tiles(2)*(wino2InFLOPs*4*c+wino2OutFLOPs*oc)
	return direct < min(sub4, sub2)
}

// winoKernel45 is U = G g G^T (8x8) for one 5x5 kernel g (row-major), in
// float64, rounded once.
func winoKernel45(u *[64]float32, g []float32) {
	var t [8][5]float64 // G g
	for i := 0; i < 8; i++ {
		for j := 0; j < 5; j++ {
			var s float64
			for a := 0; a < 5; a++ {
				s += winoG45[i][a] * float64(g[a*5+j])
			}
			t[i][j] = s
		}
	}
	for i := 0; i < 8; i++ {
		for j := 0; j < 8; j++ {
			var s float64
			for b := 0; b < 5; b++ {
				s += t[i][b] * winoG45[j][b]
			}
			u[i*8+j] = float32(s)
		}
	}
}

// inputTransform45 writes V_xi = (B^T d B)[xi] for every channel and 8x8
// tile into nr-column panels, as inputTransform: per channel and row of
// tiles, B^T d for every column at once (colTransform45, into wc.cols),
// then (B^T d) B per tile, row by row, in locals.
func (wc *winoConv) inputTransform45(in []float32) {
	cg, hp, wp, tp, tw := wc.cg, wc.hp, wc.wp, wc.tp, wc.tw
	xs := cg * tp // one xi
	v := wc.v[:64*xs]
	cols := wc.cols[:8*wp]
	for c := 0; c < cg; c++ {
		ch := in[c*hp*wp : (c+1)*hp*wp]
		for ty := 0; ty < wc.th; ty++ {
			colTransform45(cols, ch[4*ty*wp:(4*ty+8)*wp], wp)
			for tx := 0; tx < tw; tx++ {
				t := ty*tw + tx
				o := (t/nr)*cg*nr + c*nr + t%nr
				for i := 0; i < 8; i++ {
					r := cols[i*wp+4*tx : i*wp+4*tx+8 : i*wp+4*tx+8]
					d0, d1, d2, d3, d4, d5, d6, d7 := r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
					vi := v[i*8*xs:]
					vi[0*xs+o] = d0 - d6 + 5.25*(d4-d2)
					vi[7*xs+o] = d7 - d1 + 5.25*(d3-d5)
					a, b := d2+d6-4.25*d4, d1+d5-4.25*d3
					vi[1*xs+o] = a + b
					vi[2*xs+o] = a - b
					a, b = d6+0.25*d2-1.25*d4, 0.5*d1-2.5*d3+2*d5
					vi[3*xs+o] = a + b
					vi[4*xs+o] = a - b
					a, b = d6+4*d2-5*d4, 2*d1-2.5*d3+0.5*d5
					vi[5*xs+o] = a + b
					vi[6*xs+o] = a - b
				}
			}
		}
	}
}

// colTransform45Scalar is B^T d for every column x < wp of the 8 rows of
// src (8 x wp) into t (8 x wp): colTransform45 in builds without SIMD, and
// the loop the SIMD one is tested against.
func colTransform45Scalar(t, src []float32, wp int) {
	s0, s1, s2, s3 := src[0*wp:1*wp], src[1*wp:2*wp], src[2*wp:3*wp], src[3*wp:4*wp]
	s4, s5, s6, s7 := src[4*wp:5*wp], src[5*wp:6*wp], src[6*wp:7*wp], src[7*wp:8*wp]
	t0, t1, t2, t3 := t[0*wp:1*wp], t[1*wp:2*wp], t[2*wp:3*wp], t[3*wp:4*wp]
	t4, t5, t6, t7 := t[4*wp:5*wp], t[5*wp:6*wp], t[6*wp:7*wp], t[7*wp:8*wp]
	for x := 0; x < wp; x++ {
		d0, d1, d2, d3, d4, d5, d6, d7 := s0[x], s1[x], s2[x], s3[x], s4[x], s5[x], s6[x], s7[x]
		t0[x] = d0 - d6 + 5.25*(d4-d2)
		t7[x] = d7 - d1 + 5.25*(d3-d5)
		a, b := d2+d6-4.25*d4, d1+d5-4.25*d3
		t1[x], t2[x] = a+b, a-b
		a, b = d6+0.25*d2-1.25*d4, 0.5*d1-2.5*d3+2*d5
		t3[x], t4[x] = a+b, a-b
		a, b = d6+4*d2-5*d4, 2*d1-2.5*d3+0.5*d5
		t5[x], t6[x] = a+b, a-b
	}
}

// outputTransform45Scalar is Y = A^T m A + bias for every output channel
// and 4x4 tile, clipped at the map's edge: outputTransform45 in builds
// without SIMD, and the loop the SIMD one is tested against.
func (wc *winoConv) outputTransform45Scalar(dst, bias []float32) {
	mp, tp, oh, ow, tw := wc.mp, wc.tp, wc.oh, wc.ow, wc.tw
	xs := mp * tp
	m := wc.m[:64*xs]
	var t [32]float32 // A^T m: 4 rows of 8
	for o := 0; o < wc.ocg; o++ {
		bo := bias[o]
		out := dst[o*oh*ow : (o+1)*oh*ow]
		for ty := 0; ty < wc.th; ty++ {
			for tx := 0; tx < tw; tx++ {
				idx := o*tp + ty*tw + tx
				for j := 0; j < 8; j++ { // A^T m, column j
					s0, s1, s2, s3 := m[(0*8+j)*xs+idx], m[(1*8+j)*xs+idx], m[(2*8+j)*xs+idx], m[(3*8+j)*xs+idx]
					s4, s5, s6, s7 := m[(4*8+j)*xs+idx], m[(5*8+j)*xs+idx], m[(6*8+j)*xs+idx], m[(7*8+j)*xs+idx]
					p1, r1, p2, r2, p3, r3 := s1+s2, s1-s2, s3+s4, s3-s4, s5+s6, s5-s6
					t[0*8+j] = s0 + p1 + p2 + 8*p3
					t[1*8+j] = r1 + 2*r2 + 4*r3
					t[2*8+j] = p1 + 4*p2 + 2*p3
					t[3*8+j] = r1 + 8*r2 + r3 + s7
				}
				y, x := 4*ty, 4*tx
				for i := 0; i < 4 && y+i < oh; i++ { // (A^T m) A, row i
					row := t[i*8 : i*8+8 : i*8+8]
					s0, s1, s2, s3, s4, s5, s6, s7 := row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7]
					p1, r1, p2, r2, p3, r3 := s1+s2, s1-s2, s3+s4, s3-s4, s5+s6, s5-s6
					res := [4]float32{s0 + p1 + p2 + 8*p3, r1 + 2*r2 + 4*r3, p1 + 4*p2 + 2*p3, r1 + 8*r2 + r3 + s7}
					dr := out[(y+i)*ow : (y+i)*ow+ow]
					for j := 0; j < 4 && x+j < ow; j++ {
						dr[x+j] = bo + res[j]
					}
				}
			}
		}
	}
}
