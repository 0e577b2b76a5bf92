package nn

// 4-bit weights (Weight.Q4), the layout the engine and the weight file share.
//
// A tensor is Shape[0] rows of rowLen = (product of the other dims) values.
// Each row is packed on its own into ceil(rowLen/Q4Block) blocks of 16
// bytes; byte j of block b holds value 32b+j in its low nibble and value
// 32b+16+j in its high nibble (ggml's Q4_0 order: the low nibbles of a block
// are 16 consecutive values, and so are the high ones, so a SIMD unpack
// needs no shuffle). A nibble holds q+8 for a value q in -7..7 (offset
// binary, as ggml's Q4_0; nibble 0, q = -8, is not used, so the range is
// symmetric like int8's -127..127); nibbles past rowLen in a row's last
// block are 0. Each row has ceil(rowLen/group) float32 scales, one per
// group of consecutive values (the last group may be shorter): value i of
// row r is q * Scale[r*ceil(rowLen/group)+i/group]. The weight file stores
// exactly this (weights.Q4, group 64).

// Q4Block is the number of values in one 16-byte block of a 4-bit row.
const Q4Block = 32

// Q4RowBytes is the packed size of one row of rowLen 4-bit values.
func Q4RowBytes(rowLen int) int { return (rowLen + Q4Block - 1) / Q4Block * (Q4Block / 2) }

// Q4Groups is the number of scales of one row of rowLen values.
func Q4Groups(rowLen, group int) int { return (rowLen + group - 1) / group }

// q4At is value i of a packed row (i < 32*len(row)/16).
func q4At(row []byte, i int) int8 {
	b := row[i/Q4Block*16+i%16]
	if i%Q4Block >= 16 {
		return int8(b>>4) - 8
	}
	return int8(b&0x0f) - 8
}

// Q4Pack packs rows*rowLen values in -8..7 (row-major; others wrap around
// modulo 16) into the layout above, padding nibbles 0.
func Q4Pack(q []int8, rows, rowLen int) []byte {
	rb := Q4RowBytes(rowLen)
	out := make([]byte, rows*rb)
	for r := range rows {
		row := out[r*rb : (r+1)*rb]
		for i, v := range q[r*rowLen : (r+1)*rowLen] {
			at := i/Q4Block*16 + i%16
			n := byte(v+8) & 0x0f
			if i%Q4Block >= 16 {
				row[at] |= n << 4
			} else {
				row[at] |= n
			}
		}
	}
	return out
}

// Q4Unpack returns the float32 values of a packed tensor: q times its
// group's scale. The caller has checked the lengths (as New does).
func Q4Unpack(q []byte, scale []float32, rows, rowLen, group int) []float32 {
	rb, ng := Q4RowBytes(rowLen), Q4Groups(rowLen, group)
	out := make([]float32, rows*rowLen)
	for r := range rows {
		row, sc := q[r*rb:(r+1)*rb], scale[r*ng:(r+1)*ng]
		for i := range rowLen {
			out[r*rowLen+i] = float32(q4At(row, i)) * sc[i/group]
		}
	}
	return out
}

// q4GroupSums sets dst[g] to the sum of x over the full Q4Block blocks of
// group g (all of it but a row's last, partial block), for len(dst) groups.
// The SIMD kernels need it (they work on q+8); it is computed once per
// Forward for all rows.
func q4GroupSums(dst, x []float32, group int) {
	for g := range dst {
		lo := g * group
		hi := lo + min(group, (len(x)-lo)/Q4Block*Q4Block)
		var s float32
		for _, v := range x[lo:hi] {
			s += v
		}
		dst[g] = s
	}
}

// dotQ4Scalar is sum_i q[i]*scale[i/group]*x[i] over n = len(x) values of one
// packed row q (Q4RowBytes(n) bytes) with Q4Groups(n, group) scales: per
// group, the int4 x float32 products are summed in four partial sums, then
// scaled once. (It takes xsum, q4GroupSums of x, like the SIMD kernels,
// and does not need it.)
func dotQ4Scalar(q []byte, scale []float32, group int, x, _ []float32) float32 {
	n := len(x)
	var sum float32
	for g, s := range scale {
		lo, hi := g*group, min((g+1)*group, n)
		var p0, p1, p2, p3 float32
		for b := lo; b < hi; b += Q4Block {
			blk := q[b/2 : b/2+16]
			xs := x[b:min(b+Q4Block, hi)]
			if len(xs) == Q4Block {
				for j := 0; j < 16; j += 2 {
					p0 += float32(int(blk[j]&0x0f)-8) * xs[j]
					p1 += float32(int(blk[j+1]&0x0f)-8) * xs[j+1]
					p2 += float32(int(blk[j]>>4)-8) * xs[16+j]
					p3 += float32(int(blk[j+1]>>4)-8) * xs[17+j]
				}
				continue
			}
			p0 += dotQ4Part(blk, xs)
		}
		sum += s * ((p0 + p1) + (p2 + p3))
	}
	return sum
}

// dotQ4Part is the unscaled dot of a row's last block, shorter than
// Q4Block: the len(xs) < 32 first values of blk against xs.
func dotQ4Part(blk []byte, xs []float32) float32 {
	var s float32
	for j, v := range xs {
		if j < 16 {
			s += float32(int(blk[j]&0x0f)-8) * v
		} else {
			s += float32(int(blk[j-16]>>4)-8) * v
		}
	}
	return s
}
