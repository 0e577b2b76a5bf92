//go:build goexperiment.simd

package nn

import "simd/archsimd"

// The wasm SIMD 4-bit kernels. A 16-byte block is loaded as u8x16 and
// widened to u16x8 (bytes 0..7 and 8..15); a lane's low nibble is
// "and 0x0f", its high nibble "shr 4" (16-bit ops: wasm's 8-bit shifts are
// emulated with several instructions on x86); each u16x8 is widened to two
// i32x4 and converted to f32x4. The nibbles hold q+8, taken out once per
// group: sum (q+8)*x - 8*sum x, with sum x over each group's full blocks
// (xsum) computed once per Forward for all rows.
//
// Measured under Node (seed fc1, 4608x2048, BenchmarkFC1, min of 6):
// two's complement nibbles unpacked with i8x16.shl + i8x16.shr_s, one row
// at a time, 2.3-2.4 ms; four rows with eight x vectors live 2.3 ms; four
// rows, half a block (four x vectors) at a time 1.6 ms; the same without
// the xor that turned two's complement into offset nibbles (hence the
// offset format) 1.43 ms. int8 (dotQ8x4) is 0.94-0.99 ms, float32 3.0 ms.

// dotQ4 is sum_i q[i]*scale[i/group]*x[i] over the len(x) values of one
// packed 4-bit row (layout in dotq4.go); xsum[g] is the sum of x over group
// g's full blocks (q4GroupSums). Four accumulators per group, scaled once
// per group.
func dotQ4(q []byte, scale []float32, group int, x, xsum []float32) float32 {
	n := len(x)
	xsum = xsum[:len(scale)]
	k0f := archsimd.BroadcastUint16x8(0x0f)
	var acc archsimd.Float32x4
	var tail float32
	for g, s := range scale {
		lo, hi := g*group, min((g+1)*group, n)
		var p0, p1, p2, p3 archsimd.Float32x4
		b := lo
		for ; b+Q4Block <= hi; b += Q4Block {
			xs := x[b : b+Q4Block]
			x0 := archsimd.LoadFloat32x4(xs[0:4])
			x1 := archsimd.LoadFloat32x4(xs[4:8])
			x2 := archsimd.LoadFloat32x4(xs[8:12])
			x3 := archsimd.LoadFloat32x4(xs[12:16])
			x4 := archsimd.LoadFloat32x4(xs[16:20])
			x5 := archsimd.LoadFloat32x4(xs[20:24])
			x6 := archsimd.LoadFloat32x4(xs[24:28])
			x7 := archsimd.LoadFloat32x4(xs[28:32])
			v := archsimd.LoadUint8x16(q[b/2 : b/2+16])
			w0, w1 := v.ExtendLo8ToUint16(), v.ExtendHi8ToUint16()
			n0, n1, n2, n3 := w0.And(k0f), w1.And(k0f), w0.ShiftAllRight(4), w1.ShiftAllRight(4)
			p0 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x0, p0)
			p1 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x1, p1)
			p2 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x2, p2)
			p3 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x3, p3)
			p0 = n2.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x4, p0)
			p1 = n2.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x5, p1)
			p2 = n3.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x6, p2)
			p3 = n3.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x7, p3)
		}
		if b < hi {
			tail += s * dotQ4Part(q[b/2:b/2+16], x[b:hi])
		}
		// The full blocks held q+8: take 8 * (sum of x over them) out.
		p := p0.Add(p1).Add(p2.Add(p3))
		acc = p.MulAdd(archsimd.BroadcastFloat32x4(s), acc)
		tail -= 8 * s * xsum[g]
	}
	return hsum(acc) + tail
}

// dotQ4x4 is dotQ4 of four rows with the same group size against one x:
// each x vector is loaded once for the four rows, one accumulator per row.
func dotQ4x4(q0, q1, q2, q3 []byte, s0, s1, s2, s3 []float32, group int, x, xsum []float32) (float32, float32, float32, float32) {
	n := len(x)
	xsum = xsum[:len(s0)]
	s1, s2, s3 = s1[:len(s0)], s2[:len(s0)], s3[:len(s0)]
	k0f := archsimd.BroadcastUint16x8(0x0f)
	var a0, a1, a2, a3 archsimd.Float32x4
	var t0, t1, t2, t3 float32
	for g := range s0 {
		lo, hi := g*group, min((g+1)*group, n)
		var p0, p1, p2, p3 archsimd.Float32x4
		b := lo
		for ; b+Q4Block <= hi; b += Q4Block {
			xs := x[b : b+Q4Block]
			bs := b / 2
			// Values 0..15 (low nibbles), then 16..31 (high nibbles): eight
			// x vectors and four accumulators at once would not fit x86's 16
			// vector registers V8 allocates from.
			x0 := archsimd.LoadFloat32x4(xs[0:4])
			x1 := archsimd.LoadFloat32x4(xs[4:8])
			x2 := archsimd.LoadFloat32x4(xs[8:12])
			x3 := archsimd.LoadFloat32x4(xs[12:16])
			{
				v := archsimd.LoadUint8x16(q0[bs : bs+16])
				n0, n1 := v.ExtendLo8ToUint16().And(k0f), v.ExtendHi8ToUint16().And(k0f)
				p0 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x0, p0)
				p0 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x1, p0)
				p0 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x2, p0)
				p0 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x3, p0)
			}
			{
				v := archsimd.LoadUint8x16(q1[bs : bs+16])
				n0, n1 := v.ExtendLo8ToUint16().And(k0f), v.ExtendHi8ToUint16().And(k0f)
				p1 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x0, p1)
				p1 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x1, p1)
				p1 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x2, p1)
				p1 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x3, p1)
			}
			{
				v := archsimd.LoadUint8x16(q2[bs : bs+16])
				n0, n1 := v.ExtendLo8ToUint16().And(k0f), v.ExtendHi8ToUint16().And(k0f)
				p2 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x0, p2)
				p2 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x1, p2)
				p2 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x2, p2)
				p2 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x3, p2)
			}
			{
				v := archsimd.LoadUint8x16(q3[bs : bs+16])
				n0, n1 := v.ExtendLo8ToUint16().And(k0f), v.ExtendHi8ToUint16().And(k0f)
				p3 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x0, p3)
				p3 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x1, p3)
				p3 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x2, p3)
				p3 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x3, p3)
			}
			x0 = archsimd.LoadFloat32x4(xs[16:20])
			x1 = archsimd.LoadFloat32x4(xs[20:24])
			x2 = archsimd.LoadFloat32x4(xs[24:28])
			x3 = archsimd.LoadFloat32x4(xs[28:32])
			{
				v := archsimd.LoadUint8x16(q0[bs : bs+16])
				n0, n1 := v.ExtendLo8ToUint16().ShiftAllRight(4), v.ExtendHi8ToUint16().ShiftAllRight(4)
				p0 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x0, p0)
				p0 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x1, p0)
				p0 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x2, p0)
				p0 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x3, p0)
			}
			{
				v := archsimd.LoadUint8x16(q1[bs : bs+16])
				n0, n1 := v.ExtendLo8ToUint16().ShiftAllRight(4), v.ExtendHi8ToUint16().ShiftAllRight(4)
				p1 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x0, p1)
				p1 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x1, p1)
				p1 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x2, p1)
				p1 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x3, p1)
			}
			{
				v := archsimd.LoadUint8x16(q2[bs : bs+16])
				n0, n1 := v.ExtendLo8ToUint16().ShiftAllRight(4), v.ExtendHi8ToUint16().ShiftAllRight(4)
				p2 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x0, p2)
				p2 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x1, p2)
				p2 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x2, p2)
				p2 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x3, p2)
			}
			{
				v := archsimd.LoadUint8x16(q3[bs : bs+16])
				n0, n1 := v.ExtendLo8ToUint16().ShiftAllRight(4), v.ExtendHi8ToUint16().ShiftAllRight(4)
				p3 = n0.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x0, p3)
				p3 = n0.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x1, p3)
				p3 = n1.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x2, p3)
				p3 = n1.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().MulAdd(x3, p3)
			}
		}
		corr := xsum[g] // sum of x over the full blocks, which held q+8
		if b < hi {
			xt := x[b:hi]
			t0 += s0[g] * dotQ4Part(q0[b/2:b/2+16], xt)
			t1 += s1[g] * dotQ4Part(q1[b/2:b/2+16], xt)
			t2 += s2[g] * dotQ4Part(q2[b/2:b/2+16], xt)
			t3 += s3[g] * dotQ4Part(q3[b/2:b/2+16], xt)
		}
		a0 = p0.MulAdd(archsimd.BroadcastFloat32x4(s0[g]), a0)
		a1 = p1.MulAdd(archsimd.BroadcastFloat32x4(s1[g]), a1)
		a2 = p2.MulAdd(archsimd.BroadcastFloat32x4(s2[g]), a2)
		a3 = p3.MulAdd(archsimd.BroadcastFloat32x4(s3[g]), a3)
		t0 -= 8 * s0[g] * corr
		t1 -= 8 * s1[g] * corr
		t2 -= 8 * s2[g] * corr
		t3 -= 8 * s3[g] * corr
	}
	return hsum(a0) + t0, hsum(a1) + t1, hsum(a2) + t2, hsum(a3) + t3
}
