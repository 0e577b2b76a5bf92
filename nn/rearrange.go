package nn

// Two rearrangements of the input turn other convolutions into 3x3
// stride-1 ones, which then run with Winograd (winograd.go).
// Both stack nd x nd sampled copies of each input channel:
//
//	x2[(c,dy,dx)][Y][X] = xpad[c][Y*s + dy*q][X*s + dx*q]
//	w2[o][(c,dy,dx)][ky][kx] = w[o][c][ky*s + dy*q][kx*s + dx*q]   (0 past K)
//
// with xpad the zero-padded input and (c,dy,dx) the new channel
// (c*nd+dy)*nd+dx, so groups stay contiguous.
//
//   - Space-to-depth (s = stride, q = 1, nd = s): a strided conv whose
//     ceil(K/s) is 3. AlexNet's conv1 (11x11, stride 4, 3 channels) becomes
//     a 3x3 conv over 48 channels: 16 multiplies per 4 outputs over 48
//     channels = 192 per output, against 363 directly, and no strided
//     gather.
//   - Subkernels (s = 1, q = 3, nd = ceil(K/3)): a stride-1 KxK conv is
//     decomposed into nd*nd 3x3 subkernels, the sum of nd*nd 3x3 convs of
//     shifted inputs. conv2's 5x5 becomes a
//     3x3 over 4x the channels: 16*4/4 = 16 multiplies per output (the
//     6x6 cover wastes 11 of 36 taps) against 25, 1.4x fewer with the seed's
//     tile rounding. A 5x5 conv takes F(4x4,5x5) instead (winograd45.go:
//     4 multiplies per output) where that pays (wino45Pays), as conv2 does.

// rearrangement is one of the two: the input (C,H,W) with its padding,
// and s, q, nd as above.
type rearrangement struct {
	c, h, w, pad int
	s, q, nd     int
}

// s2dOK reports whether a strided conv has a 3x3 space-to-depth kernel.
func s2dOK(l Layer) bool {
	return l.Stride > 1 && (l.Kernel+l.Stride-1)/l.Stride == 3
}

// subkernelsOK reports whether a stride-1 conv is worth decomposing into
// 3x3 subkernels: 4x4 to 6x6 kernels (a 2x2 grid of subkernels).
func subkernelsOK(l Layer) bool {
	return l.Stride == 1 && l.Kernel >= 4 && l.Kernel <= 6
}

// newRearrangement returns the rearrangement for a layer s2dOK
// (spaceToDepth true) or subkernelsOK accepts, and the Winograd layer, with
// output tile winoTile (newWinoConv), that runs after it.
func newRearrangement(l Layer, in, out Shape, wf, bf []float32, spaceToDepth bool, winoTile int) (*rearrangement, *winoConv) {
	k := l.Kernel
	g := max(l.Groups, 1)
	sd := &rearrangement{c: in.C, h: in.H, w: in.W, pad: l.Pad, s: 1, q: 3, nd: (k + 2) / 3}
	if spaceToDepth {
		sd.s, sd.q, sd.nd = l.Stride, 1, l.Stride
	}
	nd2 := sd.nd * sd.nd
	// The stride-1 map must reach every output: oh + 2 rows.
	hs, ws := out.H+2, out.W+2
	cg := in.C / g
	c2 := in.C * nd2
	w2 := make([]float32, out.C*cg*nd2*9)
	for o := 0; o < out.C; o++ {
		for c := 0; c < cg; c++ {
			for dy := 0; dy < sd.nd; dy++ {
				for dx := 0; dx < sd.nd; dx++ {
					c2i := (c*sd.nd+dy)*sd.nd + dx
					for ky := 0; ky < 3; ky++ {
						for kx := 0; kx < 3; kx++ {
							y, x := ky*sd.s+dy*sd.q, kx*sd.s+dx*sd.q
							if y < k && x < k {
								w2[((o*cg*nd2+c2i)*3+ky)*3+kx] = wf[((o*cg+c)*k+y)*k+x]
							}
						}
					}
				}
			}
		}
	}
	l2 := Layer{Op: OpConv, InC: c2, OutC: out.C, Kernel: 3, Stride: 1, Groups: g}
	return sd, newWinoConv(l2, Shape{c2, hs, ws}, out, w2, bf, winoTile)
}

// fill writes the rearranged src (C,H,W) into dst, a (C*nd*nd, rows,
// stride) buffer whose other entries are zero and stay zero (only pixels
// that come from src are ever written).
func (sd *rearrangement) fill(dst, src []float32, rows, stride int) {
	s, q, nd, pad := sd.s, sd.q, sd.nd, sd.pad
	for c := 0; c < sd.c; c++ {
		for dy := 0; dy < nd; dy++ {
			for dx := 0; dx < nd; dx++ {
				ci := (c*nd+dy)*nd + dx
				plane := dst[ci*rows*stride : (ci+1)*rows*stride]
				// Columns X with 0 <= X*s + dx*q - pad < w.
				off := dx*q - pad
				x0 := 0
				if off < 0 {
					x0 = (-off + s - 1) / s
				}
				x1 := min(stride, (sd.w-1-off)/s+1)
				if sd.w-1-off < 0 || x1 <= x0 {
					continue
				}
				for Y := 0; Y < rows; Y++ {
					y := Y*s + dy*q - pad
					if y < 0 || y >= sd.h {
						continue
					}
					row := src[(c*sd.h+y)*sd.w : (c*sd.h+y+1)*sd.w]
					d := plane[Y*stride : Y*stride+stride]
					if s == 1 {
						copy(d[x0:x1], row[x0+off:x1+off])
						continue
					}
					for X := x0; X < x1; X++ {
						d[X] = row[X*s+off]
					}
				}
			}
		}
	}
}
