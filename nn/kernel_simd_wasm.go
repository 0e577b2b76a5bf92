//go:build goexperiment.simd

package nn

import (
	"simd/archsimd"
	"unsafe"
)

// SIMD build: a 4x12 tile. Measured under Node 20 for a 120x720x1200 GEMM
// (GFLOP/s, noisy shared machine, 2-3 runs each): 4x8 7-10, 5x8 10-12,
// 6x8 9-23, 8x8 12-16, 4x16 16-19, 3x16 10-26, 4x12 19-26; with the k loop
// of pairs4x12, on k=192 panels, 4x12 still leads (38-39 against 33-36 for
// 4x8, 35-37 for 3x12, 34-35 for 6x8). 12 accumulators + 3 B vectors + a
// broadcast + a product (no FMA) are 17 vectors: one more than x86-64's 16
// xmm registers, so V8 spills a little, and the smaller tiles lose more to
// their loads and broadcasts.
const (
	mr = 4
	nr = 12
)

// simdKernel reports whether the GEMM uses SIMD instructions.
var simdKernel = simdOK

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	if !simdOK {
		kernelGeneric(k, a, b, c, ldc, bias)
		return
	}
	kernel4x12SIMD(k, a, b, c, ldc, bias)
}

// kernel4x12SIMD is the micro-kernel with archsimd.Float32x4: 12
// accumulators, 3 vector loads of B and 4 broadcasts of A per k. It compiles
// to wasm SIMD128 (f32x4.mul + f32x4.add: wasm has no fused multiply-add
// without relaxed-simd) and runs the k loop in pairs4x12.
func kernel4x12SIMD(k int, a, b, c []float32, ldc int, bias []float32) {
	a = a[:4*k]
	b = b[:12*k]
	c = c[:3*ldc+12]
	var acc [12]archsimd.Float32x4 // row r, columns 4j..4j+3 at acc[3*r+j]
	for r := 0; r < 4; r++ {
		row := c[r*ldc : r*ldc+12]
		if bias != nil {
			acc[3*r] = archsimd.BroadcastFloat32x4(bias[r])
			acc[3*r+1], acc[3*r+2] = acc[3*r], acc[3*r]
		} else { // accumulate: a later K block adds to the tile
			acc[3*r] = archsimd.LoadFloat32x4(row[0:4])
			acc[3*r+1] = archsimd.LoadFloat32x4(row[4:8])
			acc[3*r+2] = archsimd.LoadFloat32x4(row[8:12])
		}
	}
	if k%2 == 1 {
		step4x12(&acc, a[:4], b[:12])
		a, b = a[4:], b[12:]
	}
	if len(a) > 0 {
		pairs4x12(&acc, a, b)
	}
	for r := 0; r < 4; r++ {
		row := c[r*ldc : r*ldc+12]
		acc[3*r].Store(row[0:4])
		acc[3*r+1].Store(row[4:8])
		acc[3*r+2].Store(row[8:12])
	}
}

// step4x12 is one k step of kernel4x12SIMD, for an odd k.
func step4x12(acc *[12]archsimd.Float32x4, a, b []float32) {
	b0, b1, b2 := archsimd.LoadFloat32x4(b[0:4]), archsimd.LoadFloat32x4(b[4:8]), archsimd.LoadFloat32x4(b[8:12])
	for r, x := range a[:4] {
		ar := archsimd.BroadcastFloat32x4(x)
		acc[3*r] = acc[3*r].Add(ar.Mul(b0))
		acc[3*r+1] = acc[3*r+1].Add(ar.Mul(b1))
		acc[3*r+2] = acc[3*r+2].Add(ar.Mul(b2))
	}
}

// pairs4x12 adds the products of the 4-row A panel a and the 12-column B
// panel b (len(a)/4 steps, an even number, at least 2) to acc, two k steps
// per iteration. It is written for the machine code Go's wasm backend and
// V8 make of it (BenchmarkMicroKernel/tile: 33-36 GFLOP/s against 23-24
// for a plain slice loop; the loop alone 38-39):
//
//   - The loop is do-while, so the accumulators' loop phis sit in the block
//     of their adds. Go's SSA scheduler puts values that have a use inside
//     their block first (ssa/schedule.go); a loop whose condition is at the
//     top leaves the adds with no such use, and all 12 products are made
//     before the first add, which spills 9 vectors to Go's stack (linear
//     memory) every step. Here mul and add follow the source order, and Go
//     keeps the loop in 16 wasm locals without spilling.
//   - Mul then Add, not MulAdd: MulAdd is inlined from archsimd and its
//     mul and add carry one source position, the scheduler's next tie-break.
//   - Every load is at a constant offset from one pointer per panel, moved
//     once per iteration (unsafe.Add, within the panels checked above): no
//     slice bookkeeping (a = a[4:] costs a negate, shift and mask in V8's
//     code) and few live integers.
//   - Two steps per iteration halve the loop's overhead: every Go jump is a
//     br through the function's br_table dispatch loop in wasm. Four were
//     no faster: V8 then keeps more vectors live (x86-64 has 16 xmm
//     registers, V8 one scratch: the 12 accumulators, 3 B vectors, a
//     broadcast and a product already make 17, so V8 itself spills a few).
func pairs4x12(acc *[12]archsimd.Float32x4, a, b []float32) {
	n := len(a) * 4 // bytes of a
	_ = b[3*len(a)-1]
	pa, pb := unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0])
	c00, c01, c02, c10, c11, c12 := acc[0], acc[1], acc[2], acc[3], acc[4], acc[5]
	c20, c21, c22, c30, c31, c32 := acc[6], acc[7], acc[8], acc[9], acc[10], acc[11]
	ia, ib := 0, 0 // byte offsets of this pair of steps in a and b
	for {
		qa, qb := unsafe.Add(pa, ia), unsafe.Add(pb, ib)
		{
			b0 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(qb, 0)))
			b1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(qb, 16)))
			b2 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(qb, 32)))
			a0 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qa, 0)))
			c00 = c00.Add(a0.Mul(b0))
			c01 = c01.Add(a0.Mul(b1))
			c02 = c02.Add(a0.Mul(b2))
			a1 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qa, 4)))
			c10 = c10.Add(a1.Mul(b0))
			c11 = c11.Add(a1.Mul(b1))
			c12 = c12.Add(a1.Mul(b2))
			a2 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qa, 8)))
			c20 = c20.Add(a2.Mul(b0))
			c21 = c21.Add(a2.Mul(b1))
			c22 = c22.Add(a2.Mul(b2))
			a3 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qa, 12)))
			c30 = c30.Add(a3.Mul(b0))
			c31 = c31.Add(a3.Mul(b1))
			c32 = c32.Add(a3.Mul(b2))
		}
		{
			b0 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(qb, 48)))
			b1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(qb, 64)))
			b2 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(qb, 80)))
			a0 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qa, 16)))
			c00 = c00.Add(a0.Mul(b0))
			c01 = c01.Add(a0.Mul(b1))
			c02 = c02.Add(a0.Mul(b2))
			a1 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qa, 20)))
			c10 = c10.Add(a1.Mul(b0))
			c11 = c11.Add(a1.Mul(b1))
			c12 = c12.Add(a1.Mul(b2))
			a2 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qa, 24)))
			c20 = c20.Add(a2.Mul(b0))
			c21 = c21.Add(a2.Mul(b1))
			c22 = c22.Add(a2.Mul(b2))
			a3 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qa, 28)))
			c30 = c30.Add(a3.Mul(b0))
			c31 = c31.Add(a3.Mul(b1))
			c32 = c32.Add(a3.Mul(b2))
		}
		ia += 32
		ib += 96
		if ia >= n {
			break
		}
	}
	acc[0], acc[1], acc[2], acc[3], acc[4], acc[5] = c00, c01, c02, c10, c11, c12
	acc[6], acc[7], acc[8], acc[9], acc[10], acc[11] = c20, c21, c22, c30, c31, c32
}

// narrowTiles reports whether microKernelNarrow takes last panels of up
// to 8 columns (winoCost counts them as 4 or 8 columns).
var narrowTiles = simdOK

// microKernelNarrow computes only the first cols columns of a tile (the
// rest of the mr x nr tile in c is left alone), for a last column panel
// that is mostly padding: a 4x4 tile for cols <= 4, 4x8 for cols <= 8. b
// is still a packed nr-wide panel. It reports false when it cannot help
// (more columns, or no SIMD); the caller then runs microKernel.
func microKernelNarrow(k int, a, b, c []float32, ldc int, bias []float32, cols int) bool {
	switch {
	case !simdOK || cols > 8:
		return false
	case cols <= 4:
		kernel4xNSIMD(k, a, b, c, ldc, bias, false)
	default:
		kernel4xNSIMD(k, a, b, c, ldc, bias, true)
	}
	return true
}

// kernel4xNSIMD is the 4x4 (wide false) or 4x8 (wide true) tile over a
// 12-wide B panel; bias nil adds to c, as microKernel.
func kernel4xNSIMD(k int, a, b, c []float32, ldc int, bias []float32, wide bool) {
	a = a[:4*k]
	b = b[:12*k]
	c = c[:3*ldc+12]
	var c00, c01, c10, c11, c20, c21, c30, c31 archsimd.Float32x4
	if bias != nil {
		_ = bias[3]
		c00 = archsimd.BroadcastFloat32x4(bias[0])
		c10 = archsimd.BroadcastFloat32x4(bias[1])
		c20 = archsimd.BroadcastFloat32x4(bias[2])
		c30 = archsimd.BroadcastFloat32x4(bias[3])
		c01, c11, c21, c31 = c00, c10, c20, c30
	} else {
		c00 = archsimd.LoadFloat32x4(c[0*ldc : 0*ldc+4])
		c10 = archsimd.LoadFloat32x4(c[1*ldc : 1*ldc+4])
		c20 = archsimd.LoadFloat32x4(c[2*ldc : 2*ldc+4])
		c30 = archsimd.LoadFloat32x4(c[3*ldc : 3*ldc+4])
		if wide {
			c01 = archsimd.LoadFloat32x4(c[0*ldc+4 : 0*ldc+8])
			c11 = archsimd.LoadFloat32x4(c[1*ldc+4 : 1*ldc+8])
			c21 = archsimd.LoadFloat32x4(c[2*ldc+4 : 2*ldc+8])
			c31 = archsimd.LoadFloat32x4(c[3*ldc+4 : 3*ldc+8])
		}
	}
	if wide {
		for len(a) >= 4 && len(b) >= 12 {
			b0 := archsimd.LoadFloat32x4(b[0:4])
			b1 := archsimd.LoadFloat32x4(b[4:8])
			a0 := archsimd.BroadcastFloat32x4(a[0])
			c00 = a0.MulAdd(b0, c00)
			c01 = a0.MulAdd(b1, c01)
			a1 := archsimd.BroadcastFloat32x4(a[1])
			c10 = a1.MulAdd(b0, c10)
			c11 = a1.MulAdd(b1, c11)
			a2 := archsimd.BroadcastFloat32x4(a[2])
			c20 = a2.MulAdd(b0, c20)
			c21 = a2.MulAdd(b1, c21)
			a3 := archsimd.BroadcastFloat32x4(a[3])
			c30 = a3.MulAdd(b0, c30)
			c31 = a3.MulAdd(b1, c31)
			a = a[4:]
			b = b[12:]
		}
		c01.Store(c[0*ldc+4 : 0*ldc+8])
		c11.Store(c[1*ldc+4 : 1*ldc+8])
		c21.Store(c[2*ldc+4 : 2*ldc+8])
		c31.Store(c[3*ldc+4 : 3*ldc+8])
	} else {
		for len(a) >= 4 && len(b) >= 12 {
			b0 := archsimd.LoadFloat32x4(b[0:4])
			c00 = archsimd.BroadcastFloat32x4(a[0]).MulAdd(b0, c00)
			c10 = archsimd.BroadcastFloat32x4(a[1]).MulAdd(b0, c10)
			c20 = archsimd.BroadcastFloat32x4(a[2]).MulAdd(b0, c20)
			c30 = archsimd.BroadcastFloat32x4(a[3]).MulAdd(b0, c30)
			a = a[4:]
			b = b[12:]
		}
	}
	c00.Store(c[0*ldc : 0*ldc+4])
	c10.Store(c[1*ldc : 1*ldc+4])
	c20.Store(c[2*ldc : 2*ldc+4])
	c30.Store(c[3*ldc : 3*ldc+4])
}

// microKernelTall computes the first cols (<= 4) columns of three mr-row
// tiles at once, rows 0..11: a holds the three A panels one after another
// (3*k*mr floats), bias 12 values (nil adds to c, as microKernel), c the
// 12-row block. It is the last column panel's kernel when that panel has at
// most 4 tiles (13x13 maps: 16 tiles = 12 + 4): the narrow 4x4 tile
// broadcasts one A value per multiply-add, this one keeps 4 rows in each
// lane and broadcasts B, 12 multiply-adds per 3 loads and 4 broadcasts, as
// the 4x12 tile. It reports false when it cannot help (more columns, or no
// SIMD); the caller then runs the narrow or full tile per panel.
func microKernelTall(k int, a, b, c []float32, ldc int, bias []float32, cols int) bool {
	if !simdOK || cols > 4 {
		return false
	}
	if cols == 1 { // 27x27 maps: 49 tiles = 4 panels + 1
		kernel12x1SIMD(k, a, b, c, ldc, bias)
		return true
	}
	kernel12x4SIMD(k, a, b, c, ldc, bias, cols)
	return true
}

// kernel12x1SIMD is microKernelTall for one column: 3 multiply-adds per k.
func kernel12x1SIMD(k int, a, b, c []float32, ldc int, bias []float32) {
	a0, a1, a2 := a[:4*k], a[4*k:8*k], a[8*k:12*k]
	b = b[:12*k]
	c = c[:11*ldc+1]
	var t [12]float32
	if bias != nil {
		copy(t[:], bias[:12])
	} else {
		for r := range t {
			t[r] = c[r*ldc]
		}
	}
	c0, c1, c2 := archsimd.LoadFloat32x4(t[0:4]), archsimd.LoadFloat32x4(t[4:8]), archsimd.LoadFloat32x4(t[8:12])
	for len(a0) >= 4 && len(a1) >= 4 && len(a2) >= 4 && len(b) >= 12 {
		y := archsimd.BroadcastFloat32x4(b[0])
		c0 = archsimd.LoadFloat32x4(a0[0:4]).MulAdd(y, c0)
		c1 = archsimd.LoadFloat32x4(a1[0:4]).MulAdd(y, c1)
		c2 = archsimd.LoadFloat32x4(a2[0:4]).MulAdd(y, c2)
		a0, a1, a2 = a0[4:], a1[4:], a2[4:]
		b = b[12:]
	}
	c0.StoreArray((*[4]float32)(t[0:4]))
	c1.StoreArray((*[4]float32)(t[4:8]))
	c2.StoreArray((*[4]float32)(t[8:12]))
	for r, v := range t {
		c[r*ldc] = v
	}
}

// kernel12x4SIMD is microKernelTall: accumulator cQJ (acc[4*Q+J]) holds
// rows 4Q..4Q+3 of column J, so the tile is written back one lane at a time.
// Its k loop is pairs12x4, built as pairs4x12.
func kernel12x4SIMD(k int, a, b, c []float32, ldc int, bias []float32, cols int) {
	a0, a1, a2 := a[:4*k], a[4*k:8*k], a[8*k:12*k]
	b = b[:12*k]
	c = c[:11*ldc+cols]
	var acc [12]archsimd.Float32x4
	var t [4][12]float32 // column j of the 12 rows
	if bias != nil {
		for q := 0; q < 3; q++ {
			x := archsimd.LoadFloat32x4(bias[4*q : 4*q+4])
			acc[4*q], acc[4*q+1], acc[4*q+2], acc[4*q+3] = x, x, x, x
		}
	} else {
		for r := 0; r < 12; r++ {
			for j := 0; j < cols; j++ {
				t[j][r] = c[r*ldc+j]
			}
		}
		for q := 0; q < 3; q++ {
			acc[4*q] = archsimd.LoadFloat32x4(t[0][4*q : 4*q+4])
			acc[4*q+1] = archsimd.LoadFloat32x4(t[1][4*q : 4*q+4])
			acc[4*q+2] = archsimd.LoadFloat32x4(t[2][4*q : 4*q+4])
			acc[4*q+3] = archsimd.LoadFloat32x4(t[3][4*q : 4*q+4])
		}
	}
	if k%2 == 1 {
		step12x4(&acc, a0[:4], a1[:4], a2[:4], b[:12])
		a0, a1, a2, b = a0[4:], a1[4:], a2[4:], b[12:]
	}
	if len(a0) > 0 {
		pairs12x4(&acc, a0, a1, a2, b)
	}
	for q := 0; q < 3; q++ {
		acc[4*q].Store(t[0][4*q : 4*q+4])
		acc[4*q+1].Store(t[1][4*q : 4*q+4])
		acc[4*q+2].Store(t[2][4*q : 4*q+4])
		acc[4*q+3].Store(t[3][4*q : 4*q+4])
	}
	// Every loop iteration is a dispatch through the function's br_table in
	// wasm: the common 4-column tile writes each row in one iteration.
	for r := 0; r < 12; r++ {
		if cols == 4 {
			row := c[r*ldc : r*ldc+4]
			row[0], row[1], row[2], row[3] = t[0][r], t[1][r], t[2][r], t[3][r]
			continue
		}
		for j := 0; j < cols; j++ {
			c[r*ldc+j] = t[j][r]
		}
	}
}

// step12x4 is one k step of kernel12x4SIMD, for an odd k.
func step12x4(acc *[12]archsimd.Float32x4, a0, a1, a2, b []float32) {
	x0, x1, x2 := archsimd.LoadFloat32x4(a0[0:4]), archsimd.LoadFloat32x4(a1[0:4]), archsimd.LoadFloat32x4(a2[0:4])
	for j, v := range b[:4] {
		y := archsimd.BroadcastFloat32x4(v)
		acc[j] = acc[j].Add(x0.Mul(y))
		acc[4+j] = acc[4+j].Add(x1.Mul(y))
		acc[8+j] = acc[8+j].Add(x2.Mul(y))
	}
}

// pairs12x4 adds the products of the three A panels a0, a1, a2 (rows 0-3,
// 4-7, 8-11; len(a0)/4 steps, an even number, at least 2) and the first 4
// columns of the 12-column B panel b to acc, two k steps per iteration,
// shaped for Go's wasm backend and V8 as pairs4x12 (see there).
func pairs12x4(acc *[12]archsimd.Float32x4, a0, a1, a2, b []float32) {
	n := len(a0) * 4 // bytes of each A panel
	_, _, _ = a1[len(a0)-1], a2[len(a0)-1], b[3*len(a0)-1]
	p0, p1, p2, pb := unsafe.Pointer(&a0[0]), unsafe.Pointer(&a1[0]), unsafe.Pointer(&a2[0]), unsafe.Pointer(&b[0])
	c00, c01, c02, c03, c10, c11 := acc[0], acc[1], acc[2], acc[3], acc[4], acc[5]
	c12, c13, c20, c21, c22, c23 := acc[6], acc[7], acc[8], acc[9], acc[10], acc[11]
	i := 0 // byte offset of this pair of steps in the A panels, 3i in b
	for {
		q0, q1, q2, qb := unsafe.Add(p0, i), unsafe.Add(p1, i), unsafe.Add(p2, i), unsafe.Add(pb, 3*i)
		{
			x0 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(q0, 0)))
			x1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(q1, 0)))
			x2 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(q2, 0)))
			y0 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qb, 0)))
			c00 = c00.Add(x0.Mul(y0))
			c10 = c10.Add(x1.Mul(y0))
			c20 = c20.Add(x2.Mul(y0))
			y1 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qb, 4)))
			c01 = c01.Add(x0.Mul(y1))
			c11 = c11.Add(x1.Mul(y1))
			c21 = c21.Add(x2.Mul(y1))
			y2 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qb, 8)))
			c02 = c02.Add(x0.Mul(y2))
			c12 = c12.Add(x1.Mul(y2))
			c22 = c22.Add(x2.Mul(y2))
			y3 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qb, 12)))
			c03 = c03.Add(x0.Mul(y3))
			c13 = c13.Add(x1.Mul(y3))
			c23 = c23.Add(x2.Mul(y3))
		}
		{
			x0 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(q0, 16)))
			x1 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(q1, 16)))
			x2 := archsimd.LoadFloat32x4Array((*[4]float32)(unsafe.Add(q2, 16)))
			y0 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qb, 48)))
			c00 = c00.Add(x0.Mul(y0))
			c10 = c10.Add(x1.Mul(y0))
			c20 = c20.Add(x2.Mul(y0))
			y1 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qb, 52)))
			c01 = c01.Add(x0.Mul(y1))
			c11 = c11.Add(x1.Mul(y1))
			c21 = c21.Add(x2.Mul(y1))
			y2 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qb, 56)))
			c02 = c02.Add(x0.Mul(y2))
			c12 = c12.Add(x1.Mul(y2))
			c22 = c22.Add(x2.Mul(y2))
			y3 := archsimd.BroadcastFloat32x4(*(*float32)(unsafe.Add(qb, 60)))
			c03 = c03.Add(x0.Mul(y3))
			c13 = c13.Add(x1.Mul(y3))
			c23 = c23.Add(x2.Mul(y3))
		}
		i += 32
		if i >= n {
			break
		}
	}
	acc[0], acc[1], acc[2], acc[3], acc[4], acc[5] = c00, c01, c02, c03, c10, c11
	acc[6], acc[7], acc[8], acc[9], acc[10], acc[11] = c12, c13, c20, c21, c22, c23
}
