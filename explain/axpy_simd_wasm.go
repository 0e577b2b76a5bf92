//go:build goexperiment.simd

package explain

import (
	"simd/archsimd"

	"alexnet/nn"
)

// axpyQ4x4 is axpyQ4x4Scalar (backward.go) with wasm SIMD128, in the
// unpacking of the engine's wasm 4-bit kernels (nn/dotq4_simd_wasm.go): a block
// of 16 bytes is widened to two u16x8, "and 0x0f" gives the low nibbles
// (values 0..15 of the block), "shr 4" the high ones (16..31), each widened
// to i32x4 and converted to f32x4. The 32 values of dx a block covers stay
// in eight f32x4 while the four rows are added in.
func axpyQ4x4(dx []float32, q []byte, scale []float32, rb, ng, group int, r [4]int, g [4]float32) {
	n := len(dx)
	rows := [4][]byte{q[r[0]*rb : (r[0]+1)*rb], q[r[1]*rb : (r[1]+1)*rb], q[r[2]*rb : (r[2]+1)*rb], q[r[3]*rb : (r[3]+1)*rb]}
	k0f := archsimd.BroadcastUint16x8(0x0f)
	for gi := 0; gi < ng; gi++ {
		var c [4]float32
		var cv [4]archsimd.Float32x4
		for i := range c {
			c[i] = g[i] * scale[r[i]*ng+gi]
			cv[i] = archsimd.BroadcastFloat32x4(c[i])
		}
		k := archsimd.BroadcastFloat32x4(-8 * (c[0] + c[1] + c[2] + c[3]))
		lo, hi := gi*group, min((gi+1)*group, n)
		b := lo
		for ; b+nn.Q4Block <= hi; b += nn.Q4Block {
			d := dx[b : b+nn.Q4Block : b+nn.Q4Block]
			a0 := archsimd.LoadFloat32x4(d[0:4]).Add(k)
			a1 := archsimd.LoadFloat32x4(d[4:8]).Add(k)
			a2 := archsimd.LoadFloat32x4(d[8:12]).Add(k)
			a3 := archsimd.LoadFloat32x4(d[12:16]).Add(k)
			a4 := archsimd.LoadFloat32x4(d[16:20]).Add(k)
			a5 := archsimd.LoadFloat32x4(d[20:24]).Add(k)
			a6 := archsimd.LoadFloat32x4(d[24:28]).Add(k)
			a7 := archsimd.LoadFloat32x4(d[28:32]).Add(k)
			for i, rw := range rows {
				v := archsimd.LoadUint8x16(rw[b/2 : b/2+16])
				w0, w1 := v.ExtendLo8ToUint16(), v.ExtendHi8ToUint16()
				n0, n1, n2, n3 := w0.And(k0f), w1.And(k0f), w0.ShiftAllRight(4), w1.ShiftAllRight(4)
				ci := cv[i]
				a0 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(ci, a0)
				a1 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(ci, a1)
				a2 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(ci, a2)
				a3 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(ci, a3)
				a4 = n2.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(ci, a4)
				a5 = n2.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(ci, a5)
				a6 = n3.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(ci, a6)
				a7 = n3.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(ci, a7)
			}
			a0.Store(d[0:4])
			a1.Store(d[4:8])
			a2.Store(d[8:12])
			a3.Store(d[12:16])
			a4.Store(d[16:20])
			a5.Store(d[20:24])
			a6.Store(d[24:28])
			a7.Store(d[28:32])
		}
		if b < hi { // a row's last, shorter block
			for i, rw := range rows {
				axpyQ4Part(dx[b:hi], rw[b/2:b/2+16], c[i])
			}
		}
	}
}
