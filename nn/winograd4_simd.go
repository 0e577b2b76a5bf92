//go:build goexperiment.simd && (amd64 || wasm)

package nn

import "simd/archsimd"

// outputTransform4 is outputTransform4Scalar four tiles at a time: tiles
// t0..t0+3 of one output channel (consecutive in each M_xi, across tile
// rows; tp is a whole number of panels, so the loads stay inside the row)
// are the four lanes of the Float32x4s, so both stages of A^T m A are vector
// adds. Each lane's 4x4 block is then written pixel by pixel, clipped at
// the map's edge: wasm SIMD has no two-vector shuffle to transpose it.
func (wc *winoConv) outputTransform4(dst, bias []float32) {
	if !simdOK {
		wc.outputTransform4Scalar(dst, bias)
		return
	}
	mp, tp, oh, ow, tw := wc.mp, wc.tp, wc.oh, wc.ow, wc.tw
	xs := mp * tp
	m := wc.m[:36*xs]
	two, four, eight := archsimd.BroadcastFloat32x4(2), archsimd.BroadcastFloat32x4(4), archsimd.BroadcastFloat32x4(8)
	var t [24]archsimd.Float32x4 // A^T m: 4 rows of 6
	var res [16][4]float32       // (A^T m) A + bias: res[i*4+j][lane]
	for o := 0; o < wc.ocg; o++ {
		bo := archsimd.BroadcastFloat32x4(bias[o])
		out := dst[o*oh*ow : (o+1)*oh*ow]
		for t0 := 0; t0 < wc.t; t0 += 4 {
			idx := o*tp + t0
			for j := 0; j < 6; j++ { // A^T m, column j
				s0 := archsimd.LoadFloat32x4(m[(0*6+j)*xs+idx : (0*6+j)*xs+idx+4])
				s1 := archsimd.LoadFloat32x4(m[(1*6+j)*xs+idx : (1*6+j)*xs+idx+4])
				s2 := archsimd.LoadFloat32x4(m[(2*6+j)*xs+idx : (2*6+j)*xs+idx+4])
				s3 := archsimd.LoadFloat32x4(m[(3*6+j)*xs+idx : (3*6+j)*xs+idx+4])
				s4 := archsimd.LoadFloat32x4(m[(4*6+j)*xs+idx : (4*6+j)*xs+idx+4])
				s5 := archsimd.LoadFloat32x4(m[(5*6+j)*xs+idx : (5*6+j)*xs+idx+4])
				p, q := s1.Add(s2), s3.Add(s4)
				r, w := s1.Sub(s2), s3.Sub(s4)
				t[0*6+j] = s0.Add(p).Add(q)
				t[1*6+j] = two.MulAdd(w, r)
				t[2*6+j] = four.MulAdd(q, p)
				t[3*6+j] = eight.MulAdd(w, r).Add(s5)
			}
			for i := 0; i < 4; i++ { // (A^T m) A, row i
				s0, s1, s2, s3, s4, s5 := t[i*6], t[i*6+1], t[i*6+2], t[i*6+3], t[i*6+4], t[i*6+5]
				p, q := s1.Add(s2), s3.Add(s4)
				r, w := s1.Sub(s2), s3.Sub(s4)
				bo.Add(s0.Add(p).Add(q)).StoreArray(&res[i*4+0])
				bo.Add(two.MulAdd(w, r)).StoreArray(&res[i*4+1])
				bo.Add(four.MulAdd(q, p)).StoreArray(&res[i*4+2])
				bo.Add(eight.MulAdd(w, r).Add(s5)).StoreArray(&res[i*4+3])
			}
			writeTiles4(out, &res, t0, wc.t, tw, oh, ow)
		}
	}
}

// writeTiles4 writes the 4x4 output blocks of tiles t0..t0+3 (those below
// t, the tile count; tw tiles a row) of one channel into out (oh x ow) from
// res[i*4+j][lane], lane l holding tile t0+l, clipped at the map's edge:
// wasm SIMD has no two-vector shuffle to transpose the lanes, so pixel by
// pixel. The F(4x4) output transforms (3x3 and 5x5) share it.
func writeTiles4(out []float32, res *[16][4]float32, t0, t, tw, oh, ow int) {
	for l := 0; l < 4 && t0+l < t; l++ {
		y, x := (t0+l)/tw*4, (t0+l)%tw*4
		if y+4 <= oh && x+4 <= ow { // a whole tile: no clipping
			for i := 0; i < 4; i++ {
				d := out[(y+i)*ow+x : (y+i)*ow+x+4 : (y+i)*ow+x+4]
				d[0], d[1], d[2], d[3] = res[i*4][l], res[i*4+1][l], res[i*4+2][l], res[i*4+3][l]
			}
			continue
		}
		for i := 0; i < 4 && y+i < oh; i++ {
			dr := out[(y+i)*ow : (y+i)*ow+ow]
			for j := 0; j < 4 && x+j < ow; j++ {
				dr[x+j] = res[i*4+j][l]
			}
		}
	}
}
