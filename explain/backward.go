package explain

import (
	"alexnet/nn"
)

// The backward ops: each takes dy, the gradient of a scalar with respect to
// the layer's output, and writes dx, the gradient with respect to its
// input, as PyTorch's autograd does. Finite-difference tests beside them.

// linearBackward is torch.nn.Linear's input gradient, dx = W^T dy:
// dy (Out), w (Out,In) -> dx (In),
//
//	dx[i] = sum_o W[o,i] * dy[o]
//
// with W as the engine holds it: float32, int8 (W[o,i] = q * scale[o]) or
// int4 (W[o,i] = q * scale[o, i/group], nn.Q4Pack's layout). Rows with
// dy[o] = 0 (about half of them after a ReLU) are skipped. Each row is
// added to dx whole (an axpy; int4 rows four at a time, axpyQ4x4), so the
// weights are read once, in order.
func linearBackward(dx, dy []float32, w nn.Weight) {
	out, in := w.Shape[0], w.Shape[1]
	dx = dx[:in]
	clear(dx)
	switch {
	case w.Q4 != nil:
		rb, ng := nn.Q4RowBytes(in), nn.Q4Groups(in, w.Group)
		var rows [4]int
		var gs [4]float32
		k := 0
		for o, g := range dy[:out] {
			if g == 0 {
				continue
			}
			rows[k], gs[k] = o, g
			if k++; k == 4 {
				axpyQ4x4(dx, w.Q4, w.Scale, rb, ng, w.Group, rows, gs)
				k = 0
			}
		}
		for _, o := range rows[:k] {
			axpyQ4(dx, w.Q4[o*rb:(o+1)*rb], w.Scale[o*ng:(o+1)*ng], w.Group, dy[o])
		}
	case w.Q8 != nil:
		for o, g := range dy[:out] {
			if g == 0 {
				continue
			}
			c := g * w.Scale[o]
			row := w.Q8[o*in : (o+1)*in]
			for i, q := range row {
				dx[i] += c * float32(q)
			}
		}
	default:
		for o, g := range dy[:out] {
			if g == 0 {
				continue
			}
			row := w.F32[o*in : (o+1)*in]
			for i, v := range row {
				dx[i] += g * v
			}
		}
	}
}

// axpyQ4 adds g times one int4 row (nn.Q4Pack's layout: 16-byte blocks of
// 32 values, value 32b+j in the low nibble of byte j of block b and value
// 32b+16+j in its high nibble, nibble = q+8) to dx (len(dx) values), each
// value scaled by its group's scale.
func axpyQ4(dx []float32, row []byte, scale []float32, group int, g float32) {
	n := len(dx)
	for gi, s := range scale {
		c := g * s
		lo, hi := gi*group, min((gi+1)*group, n)
		for b := lo; b < hi; b += nn.Q4Block {
			blk := row[b/2 : b/2+16]
			d := dx[b:min(b+nn.Q4Block, hi)]
			if len(d) == nn.Q4Block {
				lo16, hi16 := d[:16:16], d[16:32:32]
				for j, v := range blk {
					lo16[j] += c * float32(int(v&0x0f)-8)
					hi16[j] += c * float32(int(v>>4)-8)
				}
				continue
			}
			for j := range d { // a row's last, shorter block
				v := blk[j%16]
				if j >= 16 {
					v >>= 4
				}
				d[j] += c * float32(int(v&0x0f)-8)
			}
		}
	}
}

// axpyQ4x4Scalar is axpyQ4x4 (axpy_*.go) in scalar Go: axpyQ4 for four
// rows at once, rows r[0..3] of the packed weights q (rb bytes a row, ng
// scales a row) with gradients g[0..3]. dx is loaded and stored once for
// four rows instead of four times (2.6x faster natively, 1.9x under Node,
// BenchmarkLinearBackward, best of 4 on a busy machine). The nibbles are
// summed as stored (q+8) and 8*sum(c) is taken off once per group.
func axpyQ4x4Scalar(dx []float32, q []byte, scale []float32, rb, ng, group int, r [4]int, g [4]float32) {
	n := len(dx)
	r0, r1, r2, r3 := q[r[0]*rb:(r[0]+1)*rb], q[r[1]*rb:(r[1]+1)*rb], q[r[2]*rb:(r[2]+1)*rb], q[r[3]*rb:(r[3]+1)*rb]
	for gi := 0; gi < ng; gi++ {
		c0, c1, c2, c3 := g[0]*scale[r[0]*ng+gi], g[1]*scale[r[1]*ng+gi], g[2]*scale[r[2]*ng+gi], g[3]*scale[r[3]*ng+gi]
		k := 8 * (c0 + c1 + c2 + c3)
		lo, hi := gi*group, min((gi+1)*group, n)
		for b := lo; b < hi; b += nn.Q4Block {
			d := dx[b:min(b+nn.Q4Block, hi)]
			if len(d) < nn.Q4Block { // a row's last, shorter block
				for i, rw := range [4][]byte{r0, r1, r2, r3} {
					axpyQ4Part(d, rw[b/2:b/2+16], [4]float32{c0, c1, c2, c3}[i])
				}
				continue
			}
			b0, b1, b2, b3 := r0[b/2:b/2+16:b/2+16], r1[b/2:b/2+16:b/2+16], r2[b/2:b/2+16:b/2+16], r3[b/2:b/2+16:b/2+16]
			lo16, hi16 := d[:16:16], d[16:32:32]
			for j := range 16 {
				v0, v1, v2, v3 := b0[j], b1[j], b2[j], b3[j]
				lo16[j] += c0*float32(v0&0x0f) + c1*float32(v1&0x0f) + c2*float32(v2&0x0f) + c3*float32(v3&0x0f) - k
				hi16[j] += c0*float32(v0>>4) + c1*float32(v1>>4) + c2*float32(v2>>4) + c3*float32(v3>>4) - k
			}
		}
	}
}

// axpyQ4Part adds c times the first len(d) < 32 values of one packed block.
func axpyQ4Part(d []float32, blk []byte, c float32) {
	for j := range d {
		v := blk[j%16]
		if j >= 16 {
			v >>= 4
		}
		d[j] += c * float32(int(v&0x0f)-8)
	}
}

// reluBackward is torch.nn.ReLU's input gradient: dy, y (n) -> dx (n),
// dx[i] = dy[i] where the output y[i] > 0, else 0 (PyTorch's
// threshold_backward; y > 0 exactly where the input is > 0).
func reluBackward(dx, dy, y []float32) {
	dx = dx[:len(dy)]
	y = y[:len(dy)]
	for i, g := range dy {
		if y[i] > 0 {
			dx[i] = g
		} else {
			dx[i] = 0
		}
	}
}

// maxPoolBackward is torch.nn.MaxPool2d(k, stride, pad)'s input gradient:
// x (C,H,W) the pooling's input, dy (C,OH,OW) -> dx (C,H,W). Each output's
// gradient goes to the argmax of its window as PyTorch's CPU kernel picks
// it (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, cpu_max_pool): scanning
// the in-bounds window in row-major order, an input replaces the argmax when
// it is larger or NaN; so among equal values (ties) the first wins, and
// among NaNs the last. Windows
// overlap when stride < k; an input picked by several windows gets the sum.
func maxPoolBackward(dx, dy, x []float32, c, h, w, oh, ow, k, stride, pad int) {
	dx = dx[:c*h*w]
	clear(dx)
	for ch := 0; ch < c; ch++ {
		plane := x[ch*h*w : (ch+1)*h*w]
		d := dx[ch*h*w : (ch+1)*h*w]
		g := dy[ch*oh*ow : (ch+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			y0, y1 := max(oy*stride-pad, 0), min(oy*stride-pad+k, h)
			for ox := 0; ox < ow; ox++ {
				x0, x1 := max(ox*stride-pad, 0), min(ox*stride-pad+k, w)
				best := -1
				for y := y0; y < y1; y++ {
					for xx := x0; xx < x1; xx++ {
						v := plane[y*w+xx]
						if best < 0 || v > plane[best] || v != v {
							best = y*w + xx
						}
					}
				}
				if best >= 0 {
					d[best] += g[oy*ow+ox]
				}
			}
		}
	}
}

// adaptiveAvgPoolBackward is torch.nn.AdaptiveAvgPool2d((oh,ow))'s input
// gradient: dy (C,OH,OW) -> dx (C,H,W). Output cell (i,j) averages rows
// floor(i*H/OH) to ceil((i+1)*H/OH) (exclusive) and likewise columns, so
// each input in its window gets dy[i,j] / (window size); windows overlap
// when H is not a multiple of OH, and when upsampling.
func adaptiveAvgPoolBackward(dx, dy []float32, c, h, w, oh, ow int) {
	dx = dx[:c*h*w]
	clear(dx)
	for ch := 0; ch < c; ch++ {
		d := dx[ch*h*w : (ch+1)*h*w]
		g := dy[ch*oh*ow : (ch+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			y0, y1 := oy*h/oh, ((oy+1)*h+oh-1)/oh
			for ox := 0; ox < ow; ox++ {
				x0, x1 := ox*w/ow, ((ox+1)*w+ow-1)/ow
				v := g[oy*ow+ox] / float32((y1-y0)*(x1-x0))
				for y := y0; y < y1; y++ {
					for xx := x0; xx < x1; xx++ {
						d[y*w+xx] += v
					}
				}
			}
		}
	}
}
