//go:build goexperiment.simd

package nn

import "simd/archsimd"

// dotQ4 is sum_i q[i]*scale[i/group]*x[i] over the len(x) values of one
// packed 4-bit row (layout in dotq4.go); xsum[g] is the sum of x over group
// g's full blocks (q4GroupSums). AVX2: a 16-byte block is zero-extended to
// Uint16x16 (VPMOVZXBW), "and 0x0f" gives values 0..15 and "shr 4" values
// 16..31 (x86 has no 8-bit shifts); each half is zero-extended to Int32x8
// and converted to Float32x8. The nibbles hold q+8: each of a group's 8
// lanes takes out xsum[g] before the scale, 8*xsum[g] in all.
//
// The group loop is all VEX: scale[g] and xsum[g] only feed broadcasts
// (VMOVSS loads), and the scalar work (the last, partial block and the
// horizontal sum) waits until the upper halves are cleared (see
// kernel_simd_amd64.go on mixing SSE with AVX).
func dotQ4(q []byte, scale []float32, group int, x, xsum []float32) float32 {
	if !hasAVX2 {
		return dotQ4Scalar(q, scale, group, x, xsum)
	}
	n := len(x)
	full := n / Q4Block * Q4Block // values in full blocks
	xsum = xsum[:len(scale)]
	k0f := archsimd.BroadcastUint16x16(0x0f)
	var acc archsimd.Float32x8
	for g := range scale {
		lo, hi := g*group, min((g+1)*group, full)
		var p0, p1, p2, p3 archsimd.Float32x8
		for b := lo; b+Q4Block <= hi; b += Q4Block {
			xs := x[b : b+Q4Block]
			u := archsimd.LoadUint8x16(q[b/2 : b/2+16]).ExtendToUint16()
			l, h := u.And(k0f), u.ShiftAllRight(4)
			p0 = l.GetLo().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x8(xs[0:8]), p0)
			p1 = l.GetHi().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x8(xs[8:16]), p1)
			p2 = h.GetLo().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x8(xs[16:24]), p2)
			p3 = h.GetHi().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(archsimd.LoadFloat32x8(xs[24:32]), p3)
		}
		p := p0.Add(p1).Add(p2.Add(p3)).Sub(archsimd.BroadcastFloat32x8(xsum[g]))
		acc = p.MulAdd(archsimd.BroadcastFloat32x8(scale[g]), acc)
	}
	var tmp [8]float32
	acc.StoreArray(&tmp)
	archsimd.ClearAVXUpperBits()
	sum := ((tmp[0] + tmp[1]) + (tmp[2] + tmp[3])) + ((tmp[4] + tmp[5]) + (tmp[6] + tmp[7]))
	if full < n { // the row's last block is partial, in its last group
		sum += scale[len(scale)-1] * dotQ4Part(q[full/2:full/2+16], x[full:])
	}
	return sum
}

// dotQ4x4 is dotQ4 of four rows with the same group size against one x
// (the row-blocked form is a wasm kernel; here four dots).
func dotQ4x4(q0, q1, q2, q3 []byte, s0, s1, s2, s3 []float32, group int, x, xsum []float32) (float32, float32, float32, float32) {
	return dotQ4(q0, s0, group, x, xsum), dotQ4(q1, s1, group, x, xsum), dotQ4(q2, s2, group, x, xsum), dotQ4(q3, s3, group, x, xsum)
}
