//go:build goexperiment.simd && (amd64 || wasm)

package nn

import "simd/archsimd"

// colTransform45 is colTransform45Scalar four columns at a time: the rows
// are contiguous, so B^T d for columns x..x+3 is B^T applied to eight
// Float32x4s. wp is a multiple of 4 (newWinoConv rounds it up).
func colTransform45(t, src []float32, wp int) {
	if !simdOK {
		colTransform45Scalar(t, src, wp)
		return
	}
	s0, s1, s2, s3 := src[0*wp:1*wp], src[1*wp:2*wp], src[2*wp:3*wp], src[3*wp:4*wp]
	s4, s5, s6, s7 := src[4*wp:5*wp], src[5*wp:6*wp], src[6*wp:7*wp], src[7*wp:8*wp]
	t0, t1, t2, t3 := t[0*wp:1*wp], t[1*wp:2*wp], t[2*wp:3*wp], t[3*wp:4*wp]
	t4, t5, t6, t7 := t[4*wp:5*wp], t[5*wp:6*wp], t[6*wp:7*wp], t[7*wp:8*wp]
	c525, c425 := archsimd.BroadcastFloat32x4(5.25), archsimd.BroadcastFloat32x4(4.25)
	c025, c125 := archsimd.BroadcastFloat32x4(0.25), archsimd.BroadcastFloat32x4(1.25)
	c05, c25 := archsimd.BroadcastFloat32x4(0.5), archsimd.BroadcastFloat32x4(2.5)
	c2, c4, c5 := archsimd.BroadcastFloat32x4(2), archsimd.BroadcastFloat32x4(4), archsimd.BroadcastFloat32x4(5)
	for x := 0; x+4 <= wp; x += 4 {
		d0, d1 := archsimd.LoadFloat32x4(s0[x:x+4]), archsimd.LoadFloat32x4(s1[x:x+4])
		d2, d3 := archsimd.LoadFloat32x4(s2[x:x+4]), archsimd.LoadFloat32x4(s3[x:x+4])
		d4, d5 := archsimd.LoadFloat32x4(s4[x:x+4]), archsimd.LoadFloat32x4(s5[x:x+4])
		d6, d7 := archsimd.LoadFloat32x4(s6[x:x+4]), archsimd.LoadFloat32x4(s7[x:x+4])
		c525.MulAdd(d4.Sub(d2), d0.Sub(d6)).Store(t0[x : x+4])
		c525.MulAdd(d3.Sub(d5), d7.Sub(d1)).Store(t7[x : x+4])
		a, b := d2.Add(d6).Sub(c425.Mul(d4)), d1.Add(d5).Sub(c425.Mul(d3))
		a.Add(b).Store(t1[x : x+4])
		a.Sub(b).Store(t2[x : x+4])
		a, b = c025.MulAdd(d2, d6).Sub(c125.Mul(d4)), c05.MulAdd(d1, c2.Mul(d5)).Sub(c25.Mul(d3))
		a.Add(b).Store(t3[x : x+4])
		a.Sub(b).Store(t4[x : x+4])
		a, b = c4.MulAdd(d2, d6).Sub(c5.Mul(d4)), c2.MulAdd(d1, c05.Mul(d5)).Sub(c25.Mul(d3))
		a.Add(b).Store(t5[x : x+4])
		a.Sub(b).Store(t6[x : x+4])
	}
}

// outputTransform45 is outputTransform45Scalar four tiles at a time, as
// outputTransform4 (winograd4_simd.go): tiles t0..t0+3 of one output
// channel are the four lanes, then each lane's 4x4 block is written pixel
// by pixel, clipped at the map's edge.
func (wc *winoConv) outputTransform45(dst, bias []float32) {
	if !simdOK {
		wc.outputTransform45Scalar(dst, bias)
		return
	}
	mp, tp, oh, ow, tw := wc.mp, wc.tp, wc.oh, wc.ow, wc.tw
	xs := mp * tp
	m := wc.m[:64*xs]
	two, four, eight := archsimd.BroadcastFloat32x4(2), archsimd.BroadcastFloat32x4(4), archsimd.BroadcastFloat32x4(8)
	var t [32]archsimd.Float32x4 // A^T m: 4 rows of 8
	var res [16][4]float32       // (A^T m) A + bias: res[i*4+j][lane]
	for o := 0; o < wc.ocg; o++ {
		bo := archsimd.BroadcastFloat32x4(bias[o])
		out := dst[o*oh*ow : (o+1)*oh*ow]
		for t0 := 0; t0 < wc.t; t0 += 4 {
			idx := o*tp + t0
			for j := 0; j < 8; j++ { // A^T m, column j
				s0 := archsimd.LoadFloat32x4(m[(0*8+j)*xs+idx : (0*8+j)*xs+idx+4])
				s1 := archsimd.LoadFloat32x4(m[(1*8+j)*xs+idx : (1*8+j)*xs+idx+4])
				s2 := archsimd.LoadFloat32x4(m[(2*8+j)*xs+idx : (2*8+j)*xs+idx+4])
				s3 := archsimd.LoadFloat32x4(m[(3*8+j)*xs+idx : (3*8+j)*xs+idx+4])
				s4 := archsimd.LoadFloat32x4(m[(4*8+j)*xs+idx : (4*8+j)*xs+idx+4])
				s5 := archsimd.LoadFloat32x4(m[(5*8+j)*xs+idx : (5*8+j)*xs+idx+4])
				s6 := archsimd.LoadFloat32x4(m[(6*8+j)*xs+idx : (6*8+j)*xs+idx+4])
				s7 := archsimd.LoadFloat32x4(m[(7*8+j)*xs+idx : (7*8+j)*xs+idx+4])
				p1, r1, p2, r2, p3, r3 := s1.Add(s2), s1.Sub(s2), s3.Add(s4), s3.Sub(s4), s5.Add(s6), s5.Sub(s6)
				t[0*8+j] = eight.MulAdd(p3, s0.Add(p1).Add(p2))
				t[1*8+j] = four.MulAdd(r3, two.MulAdd(r2, r1))
				t[2*8+j] = two.MulAdd(p3, four.MulAdd(p2, p1))
				t[3*8+j] = eight.MulAdd(r2, r1).Add(r3).Add(s7)
			}
			for i := 0; i < 4; i++ { // (A^T m) A, row i
				s0, s1, s2, s3 := t[i*8], t[i*8+1], t[i*8+2], t[i*8+3]
				s4, s5, s6, s7 := t[i*8+4], t[i*8+5], t[i*8+6], t[i*8+7]
				p1, r1, p2, r2, p3, r3 := s1.Add(s2), s1.Sub(s2), s3.Add(s4), s3.Sub(s4), s5.Add(s6), s5.Sub(s6)
				bo.Add(eight.MulAdd(p3, s0.Add(p1).Add(p2))).StoreArray(&res[i*4+0])
				bo.Add(four.MulAdd(r3, two.MulAdd(r2, r1))).StoreArray(&res[i*4+1])
				bo.Add(two.MulAdd(p3, four.MulAdd(p2, p1))).StoreArray(&res[i*4+2])
				bo.Add(eight.MulAdd(r2, r1).Add(r3).Add(s7)).StoreArray(&res[i*4+3])
			}
			writeTiles4(out, &res, t0, wc.t, tw, oh, ow)
		}
	}
}
