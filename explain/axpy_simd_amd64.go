//go:build goexperiment.simd

package explain

import (
	"simd/archsimd"

	"alexnet/nn"
)

// avx2 gates the kernel: 8-lane integer widening (VPMOVZXBW ymm) and FMA.
var avx2 = archsimd.X86.AVX2() && archsimd.X86.FMA()

// axpyQ4x4 is axpyQ4x4Scalar (backward.go) with AVX2, in the unpacking of
// the engine's amd64 4-bit kernel (nn/dotq4_simd_amd64.go): a 16-byte block
// is zero-extended to Uint16x16, "and 0x0f" gives values 0..15 of the block
// and "shr 4" values 16..31, each half zero-extended to Int32x8 and
// converted to Float32x8. The 32 values of dx a block covers stay in four
// Float32x8 while the four rows are added in.
//
// The group loop is all VEX, as the engine's 256-bit kernels are (see
// nn/kernel_simd_amd64.go on mixing SSE with AVX; TestAVXUpperClean checks
// it): the scales and gradients only feed broadcasts, the coefficients
// g[i]*scale and the offset -8*sum stay in vectors, and the rows are four
// slices rather than an array (ranging over an array copies it with legacy
// MOVUPS). The upper halves are cleared after the last vector store, before
// the scalar work: the row's last, partial block, which only the last group
// can have (a group is a multiple of nn.Q4Block).
func axpyQ4x4(dx []float32, q []byte, scale []float32, rb, ng, group int, r [4]int, g [4]float32) {
	if !avx2 {
		axpyQ4x4Scalar(dx, q, scale, rb, ng, group, r, g)
		return
	}
	n := len(dx)
	full := n / nn.Q4Block * nn.Q4Block // values in full blocks
	q0, q1, q2, q3 := q[r[0]*rb:(r[0]+1)*rb], q[r[1]*rb:(r[1]+1)*rb], q[r[2]*rb:(r[2]+1)*rb], q[r[3]*rb:(r[3]+1)*rb]
	s0, s1, s2, s3 := scale[r[0]*ng:(r[0]+1)*ng], scale[r[1]*ng:(r[1]+1)*ng], scale[r[2]*ng:(r[2]+1)*ng], scale[r[3]*ng:(r[3]+1)*ng]
	k0f := archsimd.BroadcastUint16x16(0x0f)
	m8 := archsimd.BroadcastFloat32x8(-8)
	for gi := range ng {
		c0 := archsimd.BroadcastFloat32x8(g[0]).Mul(archsimd.BroadcastFloat32x8(s0[gi]))
		c1 := archsimd.BroadcastFloat32x8(g[1]).Mul(archsimd.BroadcastFloat32x8(s1[gi]))
		c2 := archsimd.BroadcastFloat32x8(g[2]).Mul(archsimd.BroadcastFloat32x8(s2[gi]))
		c3 := archsimd.BroadcastFloat32x8(g[3]).Mul(archsimd.BroadcastFloat32x8(s3[gi]))
		k := c0.Add(c1).Add(c2).Add(c3).Mul(m8)
		lo, hi := gi*group, min((gi+1)*group, full)
		for b := lo; b+nn.Q4Block <= hi; b += nn.Q4Block {
			d := dx[b : b+nn.Q4Block : b+nn.Q4Block]
			a0 := archsimd.LoadFloat32x8(d[0:8]).Add(k)
			a1 := archsimd.LoadFloat32x8(d[8:16]).Add(k)
			a2 := archsimd.LoadFloat32x8(d[16:24]).Add(k)
			a3 := archsimd.LoadFloat32x8(d[24:32]).Add(k)
			a0, a1, a2, a3 = addQ4Block(a0, a1, a2, a3, q0[b/2:b/2+16], c0, k0f)
			a0, a1, a2, a3 = addQ4Block(a0, a1, a2, a3, q1[b/2:b/2+16], c1, k0f)
			a0, a1, a2, a3 = addQ4Block(a0, a1, a2, a3, q2[b/2:b/2+16], c2, k0f)
			a0, a1, a2, a3 = addQ4Block(a0, a1, a2, a3, q3[b/2:b/2+16], c3, k0f)
			a0.Store(d[0:8])
			a1.Store(d[8:16])
			a2.Store(d[16:24])
			a3.Store(d[24:32])
		}
	}
	archsimd.ClearAVXUpperBits()
	if full < n { // the row's last block is partial, in its last group
		gi, d := ng-1, dx[full:]
		axpyQ4Part(d, q0[full/2:full/2+16], g[0]*s0[gi])
		axpyQ4Part(d, q1[full/2:full/2+16], g[1]*s1[gi])
		axpyQ4Part(d, q2[full/2:full/2+16], g[2]*s2[gi])
		axpyQ4Part(d, q3[full/2:full/2+16], g[3]*s3[gi])
	}
}

// addQ4Block returns a0..a3 (the 32 values of one block) plus c times the
// block's nibbles blk (16 bytes; the q+8 offset is taken off by the
// caller). It is inlined: a call with the upper halves dirty would break
// the rule above.
func addQ4Block(a0, a1, a2, a3 archsimd.Float32x8, blk []byte, c archsimd.Float32x8, k0f archsimd.Uint16x16) (archsimd.Float32x8, archsimd.Float32x8, archsimd.Float32x8, archsimd.Float32x8) {
	u := archsimd.LoadUint8x16(blk).ExtendToUint16()
	l, h := u.And(k0f), u.ShiftAllRight(4)
	a0 = l.GetLo().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(c, a0)
	a1 = l.GetHi().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(c, a1)
	a2 = h.GetLo().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(c, a2)
	a3 = h.GetHi().ExtendToUint32().AsInt32x8().ConvertToFloat32().MulAdd(c, a3)
	return a0, a1, a2, a3
}
