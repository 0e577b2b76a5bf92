package nn

// Space-to-depth turns a strided convolution into a stride-1 one: with
// block s = stride, input channel c's pixel (y,x) of the zero-padded input
// becomes pixel (y/s, x/s) of channel (c*s + y%s)*s + x%s, and the kernel
// (K x K) is cut the same way into a ceil(K/s) x ceil(K/s) kernel over
// C*s*s channels, zero where s*ceil(K/s) > K:
//
//	w2[o][(c*s+dy)*s+dx][ky][kx] = w[o][c][ky*s+dy][kx*s+dx]   (0 past K)
//
// AlexNet's conv1 (11x11, stride 4, 3 channels) becomes a 3x3 stride-1
// convolution over 48 channels, which then runs with Winograd F(2x2,3x3)
// (winograd.go): 16 multiplies per 4 outputs over 48 channels = 192, against
// 121*3 = 363 per output directly: 1.9x fewer, and no strided gather.

type s2dConv struct {
	c, h, w, pad, s int
	k2              int // kernel after space-to-depth
}

// s2dOK reports whether a conv layer is a strided conv whose space-to-depth
// kernel is 3x3 (conv1 of every AlexNet here).
func s2dOK(l Layer) bool {
	return l.Stride > 1 && max(l.Groups, 1) == 1 && (l.Kernel+l.Stride-1)/l.Stride == 3
}

// newS2DConv returns the space-to-depth step and the Winograd layer that
// runs after it.
func newS2DConv(l Layer, in, out Shape, wf, bf []float32) (*s2dConv, *winoConv) {
	s, k := l.Stride, l.Kernel
	sd := &s2dConv{c: in.C, h: in.H, w: in.W, pad: l.Pad, s: s, k2: (k + s - 1) / s}
	// The stride-1 map must reach every output: oh + k2 - 1 rows.
	hs := max((in.H+2*l.Pad+s-1)/s, out.H+sd.k2-1)
	ws := max((in.W+2*l.Pad+s-1)/s, out.W+sd.k2-1)
	c2 := in.C * s * s
	w2 := make([]float32, out.C*c2*sd.k2*sd.k2)
	for o := 0; o < out.C; o++ {
		for c := 0; c < in.C; c++ {
			for ky := 0; ky < k; ky++ {
				for kx := 0; kx < k; kx++ {
					c2i := (c*s+ky%s)*s + kx%s
					w2[((o*c2+c2i)*sd.k2+ky/s)*sd.k2+kx/s] = wf[((o*in.C+c)*k+ky)*k+kx]
				}
			}
		}
	}
	l2 := Layer{Op: OpConv, InC: c2, OutC: out.C, Kernel: sd.k2, Stride: 1}
	return sd, newWinoConv(l2, Shape{c2, hs, ws}, out, w2, bf)
}

// fill writes the space-to-depth image of src (C,H,W), zero-padded by pad,
// into dst, a (C*s*s, rows, stride) buffer whose other entries are zero
// and stay zero (only pixels that come from src are ever written).
func (sd *s2dConv) fill(dst, src []float32, rows, stride int) {
	s, pad := sd.s, sd.pad
	for c := 0; c < sd.c; c++ {
		for dy := 0; dy < s; dy++ {
			for dx := 0; dx < s; dx++ {
				plane := dst[((c*s+dy)*s+dx)*rows*stride : ((c*s+dy)*s+dx+1)*rows*stride]
				// Columns X with 0 <= X*s+dx-pad < w.
				x0 := max(0, (pad-dx+s-1)/s)
				x1 := min(stride, (sd.w-1+pad-dx)/s+1)
				for Y := 0; Y < rows; Y++ {
					y := Y*s + dy - pad
					if y < 0 || y >= sd.h || x1 <= x0 {
						continue
					}
					row := src[(c*sd.h+y)*sd.w : (c*sd.h+y+1)*sd.w]
					d := plane[Y*stride : Y*stride+stride]
					for X := x0; X < x1; X++ {
						d[X] = row[X*s+dx-pad]
					}
				}
			}
		}
	}
}
