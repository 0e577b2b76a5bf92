package nn

// Winograd F(4x4,3x3) (Lavin & Gray, 2015; points 0, 1, -1, 2, -2, inf):
// each 4x4 block of outputs from a 6x6 input tile (tiles overlapping by 2),
// 36 products per 16 outputs instead of 144. It runs in the same winoConv
// (winograd.go) with 36 GEMMs instead of 16, where winoCost says it pays:
// the seed's 55x55 (conv1 after space-to-depth) and 27x27 (conv2 in 3x3
// subkernels) maps, and the 13x13 ones with the narrow last panel.
//
//	B^T = [4  0 -5  0 1 0]   G = [ 1/4     0    0]   A^T = [1 1  1 1  1 0]
//	      [0 -4 -4  1 1 0]       [-1/6 -1/6 -1/6]         [0 1 -1 2 -2 0]
//	      [0  4 -4 -1 1 0]       [-1/6  1/6 -1/6]         [0 1  1 4  4 0]
//	      [0 -2 -1  2 1 0]       [1/24 1/12  1/6]         [0 1 -1 8 -8 1]
//	      [0  2 -1 -2 1 0]       [1/24 -1/12 1/6]
//	      [0  4  0 -5 0 1]       [   0    0    1]
//
// Its rounding error is larger than F(2x2)'s (the constants reach 8 and
// 1/24): measured against the float64 reference in TestWinogradRandom.

// winoG4 is G of F(4x4,3x3).
var winoG4 = [6][3]float64{
	{1.0 / 4, 0, 0},
	{-1.0 / 6, -1.0 / 6, -1.0 / 6},
	{-1.0 / 6, 1.0 / 6, -1.0 / 6},
	{1.0 / 24, 1.0 / 12, 1.0 / 6},
	{1.0 / 24, -1.0 / 12, 1.0 / 6},
	{0, 0, 1},
}

// winoKernel4 is U = G g G^T (6x6) for one 3x3 kernel g (row-major), in
// float64, rounded once.
func winoKernel4(u *[36]float32, g []float32) {
	var t [6][3]float64 // G g
	for i := 0; i < 6; i++ {
		for j := 0; j < 3; j++ {
			t[i][j] = winoG4[i][0]*float64(g[j]) + winoG4[i][1]*float64(g[3+j]) + winoG4[i][2]*float64(g[6+j])
		}
	}
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			u[i*6+j] = float32(t[i][0]*winoG4[j][0] + t[i][1]*winoG4[j][1] + t[i][2]*winoG4[j][2])
		}
	}
}

// inputTransform4 writes V_xi = (B^T d B)[xi] for every channel and 6x6
// tile into nr-column panels, as inputTransform. Columns first (B^T d, into
// a 36-float scratch), then rows, each a straight-line 6-point transform.
func (wc *winoConv) inputTransform4(in []float32) {
	cg, hp, wp, tp, tw := wc.cg, wc.hp, wc.wp, wc.tp, wc.tw
	xs := cg * tp // one xi
	v := wc.v[:36*xs]
	var t [36]float32
	for c := 0; c < cg; c++ {
		ch := in[c*hp*wp : (c+1)*hp*wp]
		for ty := 0; ty < wc.th; ty++ {
			r0 := ch[4*ty*wp : 4*ty*wp+wp]
			r1 := ch[(4*ty+1)*wp : (4*ty+1)*wp+wp]
			r2 := ch[(4*ty+2)*wp : (4*ty+2)*wp+wp]
			r3 := ch[(4*ty+3)*wp : (4*ty+3)*wp+wp]
			r4 := ch[(4*ty+4)*wp : (4*ty+4)*wp+wp]
			r5 := ch[(4*ty+5)*wp : (4*ty+5)*wp+wp]
			for tx := 0; tx < tw; tx++ {
				x := 4 * tx
				a, b, c2, d, e, f := r0[x:x+6:x+6], r1[x:x+6:x+6], r2[x:x+6:x+6], r3[x:x+6:x+6], r4[x:x+6:x+6], r5[x:x+6:x+6]
				for j := 0; j < 6; j++ { // B^T d, column j
					d0, d1, d2, d3, d4, d5 := a[j], b[j], c2[j], d[j], e[j], f[j]
					t[0*6+j] = 4*d0 - 5*d2 + d4
					t[1*6+j] = d3 + d4 - 4*(d1+d2)
					t[2*6+j] = d4 - d3 + 4*(d1-d2)
					t[3*6+j] = d4 - d2 + 2*(d3-d1)
					t[4*6+j] = d4 - d2 + 2*(d1-d3)
					t[5*6+j] = 4*d1 - 5*d3 + d5
				}
				tt := ty*tw + tx
				o := (tt/nr)*cg*nr + c*nr + tt%nr
				for i := 0; i < 6; i++ { // (B^T d) B, row i
					row := t[i*6 : i*6+6 : i*6+6]
					d0, d1, d2, d3, d4, d5 := row[0], row[1], row[2], row[3], row[4], row[5]
					base := i * 6 * xs
					v[base+0*xs+o] = 4*d0 - 5*d2 + d4
					v[base+1*xs+o] = d3 + d4 - 4*(d1+d2)
					v[base+2*xs+o] = d4 - d3 + 4*(d1-d2)
					v[base+3*xs+o] = d4 - d2 + 2*(d3-d1)
					v[base+4*xs+o] = d4 - d2 + 2*(d1-d3)
					v[base+5*xs+o] = 4*d1 - 5*d3 + d5
				}
			}
		}
	}
}

// outputTransform4Scalar is Y = A^T m A + bias for every output channel and
// 4x4 tile, clipped at the map's edge: outputTransform4 in builds without
// SIMD, and the loop the SIMD one is tested against.
func (wc *winoConv) outputTransform4Scalar(dst, bias []float32) {
	mp, tp, oh, ow, tw := wc.mp, wc.tp, wc.oh, wc.ow, wc.tw
	xs := mp * tp
	m := wc.m[:36*xs]
	var t [24]float32 // A^T m: 4 rows of 6
	for o := 0; o < wc.ocg; o++ {
		bo := bias[o]
		out := dst[o*oh*ow : (o+1)*oh*ow]
		for ty := 0; ty < wc.th; ty++ {
			for tx := 0; tx < tw; tx++ {
				idx := o*tp + ty*tw + tx
				for j := 0; j < 6; j++ { // A^T m, column j
					s0, s1, s2 := m[(0*6+j)*xs+idx], m[(1*6+j)*xs+idx], m[(2*6+j)*xs+idx]
					s3, s4, s5 := m[(3*6+j)*xs+idx], m[(4*6+j)*xs+idx], m[(5*6+j)*xs+idx]
					p, q := s1+s2, s3+s4
					r, w := s1-s2, s3-s4
					t[0*6+j] = s0 + p + q
					t[1*6+j] = r + 2*w
					t[2*6+j] = p + 4*q
					t[3*6+j] = r + 8*w + s5
				}
				y, x := 4*ty, 4*tx
				for i := 0; i < 4 && y+i < oh; i++ { // (A^T m) A, row i
					row := t[i*6 : i*6+6 : i*6+6]
					s0, s1, s2, s3, s4, s5 := row[0], row[1], row[2], row[3], row[4], row[5]
					p, q := s1+s2, s3+s4
					r, w := s1-s2, s3-s4
					res := [4]float32{s0 + p + q, r + 2*w, p + 4*q, r + 8*w + s5}
					dr := out[(y+i)*ow : (y+i)*ow+ow]
					for j := 0; j < 4 && x+j < ow; j++ {
						dr[x+j] = bo + res[j]
					}
				}
			}
		}
	}
}
