//go:build goexperiment.simd

package explain

import (
	"simd/archsimd"

	"alexnet/nn"
)

// avx2 gates the kernel: 8-lane integer widening (VPMOVZXBW ymm) and FMA.
var avx2 = archsimd.X86.AVX2() && archsimd.X86.FMA()

// axpyQ4x4 is axpyQ4x4Scalar (backward.go) with AVX2, in the unpacking of
// the engine's amd64 4-bit kernel (nn/dotq4_amd64.go): a 16-byte block is
// zero-extended to Uint16x16, "and 0x0f" gives values 0..15 of the block
// and "shr 4" values 16..31, each half zero-extended to Int32x8 and
// converted to Float32x8. The 32 values of dx a block covers stay in four
// Float32x8 while the four rows are added in.
func axpyQ4x4(dx []float32, q []byte, scale []float32, rb, ng, group int, r [4]int, g [4]float32) {
	if !avx2 {
		axpyQ4x4Scalar(dx, q, scale, rb, ng, group, r, g)
		return
	}
	n := len(dx)
	rows := [4][]byte{q[r[0]*rb : (r[0]+1)*rb], q[r[1]*rb : (r[1]+1)*rb], q[r[2]*rb : (r[2]+1)*rb], q[r[3]*rb : (r[3]+1)*rb]}
	k0f := archsimd.BroadcastUint16x16(0x0f)
	for gi := 0; gi < ng; gi++ {
		var c [4]float32
		var cv [4]archsimd.Float32x8
		for i := range c {
			c[i] = g[i] * scale[r[i]*ng+gi]
			cv[i] = archsimd.BroadcastFloat32x8(c[i])
		}
		k := archsimd.BroadcastFloat32x8(-8 * (c[0] + c[1] + c[2] + c[3]))
		lo, hi := gi*group, min((gi+1)*group, n)
		b := lo
		for ; b+nn.Q4Block <= hi; b += nn.Q4Block {
			d := dx[b : b+nn.Q4Block : b+nn.Q4Block]
			a0 := archsimd.LoadFloat32x8(d[0:8]).Add(k)
			a1 := archsimd.LoadFloat32x8(d[8:16]).Add(k)
			a2 := archsimd.LoadFloat32x8(d[16:24]).Add(k)
			a3 := archsimd.LoadFloat32x8(d[24:32]).Add(k)
			for i, rw := range rows {
				u := archsimd.LoadUint8x16(rw[b/2 : b/2+16]).ExtendToUint16()
				l, h := u.And(k0f), u.ShiftAllRight(4)
				ci := cv[i]
				a0 = l.GetLo().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(ci, a0)
				a1 = l.GetHi().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(ci, a1)
				a2 = h.GetLo().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(ci, a2)
				a3 = h.GetHi().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(ci, a3)
			}
			a0.Store(d[0:8])
			a1.Store(d[8:16])
			a2.Store(d[16:24])
			a3.Store(d[24:32])
		}
		if b < hi { // a row's last, shorter block
			for i, rw := range rows {
				axpyQ4Part(dx[b:hi], rw[b/2:b/2+16], c[i])
			}
		}
	}
}
