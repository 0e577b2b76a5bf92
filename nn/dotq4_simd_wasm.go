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
// offset format) 1.43 ms (1.5-1.65 in later runs). int8 (dotQ8x4) is
// 0.94-0.99 ms, float32 3.0 ms. dotQ4x4 as below, one loop over the
// blocks with the group's scale applied in vectors, in program order
// without inlined helpers: 1.0 ms; with the rows' sums in memory and no
// bounds checks on q: 0.92-0.95 ms, the same as int8 (fc2, 2048x2048:
// 0.42-0.44 ms, int8 0.42-0.44). Summing each half block as a tree
// ((a+b)+(c+d), then into the row) instead of a chain: 0.99-1.02 ms.

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
// One loop runs over the full blocks of the rows; at the end of each
// group the four partial sums lose 8*xsum[g] (2*xsum[g] from each lane)
// and are scaled into the rows' accumulators; the last, partial block is
// added after the loop.
//
// The body is written one operation per line, in the order it should run,
// with intrinsics only (Mul and Add, not MulAdd; LoadFloat32x4Array, not
// LoadFloat32x4): the compiler's scheduler breaks ties by source position,
// and the wasm backend spills beyond 16 vector locals. Inlined helpers
// carry their own file's positions, so with them the scheduler ran every
// unpack first and spilled the results (see the measurements above).
func dotQ4x4(q0, q1, q2, q3 []byte, s0, s1, s2, s3 []float32, group int, x, xsum []float32) (float32, float32, float32, float32) {
	n := len(x)
	full := n / Q4Block * Q4Block // values in full blocks
	ng := len(s0)
	xsum = xsum[:ng]
	s1, s2, s3 = s1[:ng], s2[:ng], s3[:ng]
	rb := full / 2
	e0, e1, e2, e3 := q0[rb:], q1[rb:], q2[rb:], q3[rb:] // the partial block, if any
	q0, q1, q2, q3 = q0[:rb], q1[:rb], q2[:rb], q3[:rb]
	k0f := archsimd.BroadcastUint16x8(0x0f)
	// The rows' sums live in memory, touched once a group: as four more
	// vector locals they were spilled and reloaded every block.
	var acc [4]archsimd.Float32x4
	var p0, p1, p2, p3 archsimd.Float32x4
	var w, l, h archsimd.Uint16x8
	g, end := 0, min(group, full)/2 // the group of block bs, and its end (bytes)
	for bs := 0; bs+16 <= rb; bs += 16 {
		xs := (*[Q4Block]float32)(x[2*bs : 2*bs+Q4Block])
		xa := archsimd.LoadFloat32x4Array((*[4]float32)(xs[0:4]))
		xb := archsimd.LoadFloat32x4Array((*[4]float32)(xs[4:8]))
		xc := archsimd.LoadFloat32x4Array((*[4]float32)(xs[16:20]))
		xd := archsimd.LoadFloat32x4Array((*[4]float32)(xs[20:24]))
		w = archsimd.LoadUint8x16Array((*[16]uint8)(q0[bs : bs+16])).ExtendLo8ToUint16()
		l, h = w.And(k0f), w.ShiftAllRight(4)
		p0 = p0.Add(l.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xa))
		p0 = p0.Add(l.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xb))
		p0 = p0.Add(h.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xc))
		p0 = p0.Add(h.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xd))
		w = archsimd.LoadUint8x16Array((*[16]uint8)(q1[bs : bs+16])).ExtendLo8ToUint16()
		l, h = w.And(k0f), w.ShiftAllRight(4)
		p1 = p1.Add(l.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xa))
		p1 = p1.Add(l.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xb))
		p1 = p1.Add(h.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xc))
		p1 = p1.Add(h.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xd))
		w = archsimd.LoadUint8x16Array((*[16]uint8)(q2[bs : bs+16])).ExtendLo8ToUint16()
		l, h = w.And(k0f), w.ShiftAllRight(4)
		p2 = p2.Add(l.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xa))
		p2 = p2.Add(l.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xb))
		p2 = p2.Add(h.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xc))
		p2 = p2.Add(h.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xd))
		w = archsimd.LoadUint8x16Array((*[16]uint8)(q3[bs : bs+16])).ExtendLo8ToUint16()
		l, h = w.And(k0f), w.ShiftAllRight(4)
		p3 = p3.Add(l.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xa))
		p3 = p3.Add(l.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xb))
		p3 = p3.Add(h.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xc))
		p3 = p3.Add(h.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xd))
		xa = archsimd.LoadFloat32x4Array((*[4]float32)(xs[8:12]))
		xb = archsimd.LoadFloat32x4Array((*[4]float32)(xs[12:16]))
		xc = archsimd.LoadFloat32x4Array((*[4]float32)(xs[24:28]))
		xd = archsimd.LoadFloat32x4Array((*[4]float32)(xs[28:32]))
		w = archsimd.LoadUint8x16Array((*[16]uint8)(q0[bs : bs+16])).ExtendHi8ToUint16()
		l, h = w.And(k0f), w.ShiftAllRight(4)
		p0 = p0.Add(l.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xa))
		p0 = p0.Add(l.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xb))
		p0 = p0.Add(h.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xc))
		p0 = p0.Add(h.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xd))
		w = archsimd.LoadUint8x16Array((*[16]uint8)(q1[bs : bs+16])).ExtendHi8ToUint16()
		l, h = w.And(k0f), w.ShiftAllRight(4)
		p1 = p1.Add(l.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xa))
		p1 = p1.Add(l.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xb))
		p1 = p1.Add(h.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xc))
		p1 = p1.Add(h.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xd))
		w = archsimd.LoadUint8x16Array((*[16]uint8)(q2[bs : bs+16])).ExtendHi8ToUint16()
		l, h = w.And(k0f), w.ShiftAllRight(4)
		p2 = p2.Add(l.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xa))
		p2 = p2.Add(l.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xb))
		p2 = p2.Add(h.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xc))
		p2 = p2.Add(h.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xd))
		w = archsimd.LoadUint8x16Array((*[16]uint8)(q3[bs : bs+16])).ExtendHi8ToUint16()
		l, h = w.And(k0f), w.ShiftAllRight(4)
		p3 = p3.Add(l.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xa))
		p3 = p3.Add(l.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xb))
		p3 = p3.Add(h.ExtendLo4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xc))
		p3 = p3.Add(h.ExtendHi4ToUint32().BitsToInt32().ConvertToFloat32().Mul(xd))
		if bs+16 == end {
			c := archsimd.BroadcastFloat32x4(2 * xsum[g]) // the nibbles held q+8
			acc[0] = acc[0].Add(p0.Sub(c).Mul(archsimd.BroadcastFloat32x4(s0[g])))
			acc[1] = acc[1].Add(p1.Sub(c).Mul(archsimd.BroadcastFloat32x4(s1[g])))
			acc[2] = acc[2].Add(p2.Sub(c).Mul(archsimd.BroadcastFloat32x4(s2[g])))
			acc[3] = acc[3].Add(p3.Sub(c).Mul(archsimd.BroadcastFloat32x4(s3[g])))
			p0, p1, p2, p3 = archsimd.Float32x4{}, archsimd.Float32x4{}, archsimd.Float32x4{}, archsimd.Float32x4{}
			g, end = g+1, min(end+group/2, rb)
		}
	}
	r0, r1, r2, r3 := hsum(acc[0]), hsum(acc[1]), hsum(acc[2]), hsum(acc[3])
	if full < n { // the row's last block is partial, in its last group
		xt, g := x[full:], ng-1
		r0 += s0[g] * dotQ4Part(e0, xt)
		r1 += s1[g] * dotQ4Part(e1, xt)
		r2 += s2[g] * dotQ4Part(e2, xt)
		r3 += s3[g] * dotQ4Part(e3, xt)
	}
	return r0, r1, r2, r3
}
