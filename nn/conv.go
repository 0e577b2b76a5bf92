package nn

// convLayer is a torch.nn.Conv2d ready to run: weights packed per group into
// mr-row panels (gemm.go), bias padded to whole panels, and one im2col
// buffer in nr-column panels, reused by every group.
type convLayer struct {
	c, h, w                int // input
	oc, oh, ow             int // output
	k, stride, pad, groups int
	cg, ocg                int // input and output channels per group
	kk                     int // GEMM depth: cg*k*k
	n                      int // GEMM width: oh*ow
	mp                     int // output channels per group rounded up to mr
	a                      []float32
	bias                   []float32
	col                    []float32
}

func newConvLayer(l Layer, in, out Shape, w, b Weight) *convLayer {
	g := max(l.Groups, 1)
	cv := &convLayer{
		c: in.C, h: in.H, w: in.W, oc: out.C, oh: out.H, ow: out.W,
		k: l.Kernel, stride: l.Stride, pad: l.Pad, groups: g,
		cg: in.C / g, ocg: out.C / g,
	}
	cv.kk = cv.cg * cv.k * cv.k
	cv.n = cv.oh * cv.ow
	cv.mp = (cv.ocg + mr - 1) / mr * mr
	cv.a = make([]float32, g*cv.mp*cv.kk)
	cv.bias = make([]float32, g*cv.mp)
	cv.col = make([]float32, (cv.n+nr-1)/nr*nr*cv.kk)
	wf, bf := dequant(w), dequant(b)
	for gi := 0; gi < g; gi++ {
		packA(cv.a[gi*cv.mp*cv.kk:(gi+1)*cv.mp*cv.kk], wf[gi*cv.ocg*cv.kk:(gi+1)*cv.ocg*cv.kk], cv.ocg, cv.kk)
		copy(cv.bias[gi*cv.mp:], bf[gi*cv.ocg:(gi+1)*cv.ocg])
	}
	return cv
}

func (cv *convLayer) flops() int64 {
	return 2 * int64(cv.oc) * int64(cv.n) * int64(cv.kk)
}

// forward is torch.nn.Conv2d: src (C,H,W), weights (OC,C/groups,K,K) ->
// dst (OC,OH,OW), per group an im2col into packed panels and a GEMM.
func (cv *convLayer) forward(dst, src []float32) {
	hw := cv.h * cv.w
	for g := 0; g < cv.groups; g++ {
		im2colPacked(cv.col, src[g*cv.cg*hw:(g+1)*cv.cg*hw], cv.cg, cv.h, cv.w, cv.k, cv.stride, cv.pad, cv.oh, cv.ow)
		gemmPacked(dst[g*cv.ocg*cv.n:(g+1)*cv.ocg*cv.n], cv.n,
			cv.a[g*cv.mp*cv.kk:(g+1)*cv.mp*cv.kk], cv.col, cv.bias[g*cv.mp:(g+1)*cv.mp],
			cv.ocg, cv.n, cv.kk)
	}
}

// im2colPacked writes the convolution patches of src (C,H,W) as the GEMM's
// B matrix (K = C*k*k rows, N = oh*ow columns) in nr-column panels:
//
//	col[(n/nr)*K*nr + p*nr + n%nr] = src[ci, oy*s-pad+ky, ox*s-pad+kx]
//
// with p = (ci*k+ky)*k+kx and n = oy*ow+ox; zero outside the image and for
// columns n >= N (the tail of the last panel).
func im2colPacked(col, src []float32, c, h, w, k, stride, pad, oh, ow int) {
	kk := c * k * k
	n := oh * ow
	panels := (n + nr - 1) / nr
	// Zero the tail columns of the last panel once; the loops below only
	// write columns < n.
	if tail := n % nr; tail != 0 {
		last := col[(panels-1)*kk*nr : panels*kk*nr]
		for p := 0; p < kk; p++ {
			for j := tail; j < nr; j++ {
				last[p*nr+j] = 0
			}
		}
	}
	for ci := 0; ci < c; ci++ {
		plane := src[ci*h*w : (ci+1)*h*w]
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				p := (ci*k+ky)*k + kx
				// Walk the output pixels in order; dst tracks where pixel
				// nn lands: panel base + p*nr + nn%nr.
				nn := 0
				for oy := 0; oy < oh; oy++ {
					iy := oy*stride - pad + ky
					rowOK := iy >= 0 && iy < h
					ix := kx - pad
					for ox := 0; ox < ow; ox, ix = ox+1, ix+stride {
						var v float32
						if rowOK && ix >= 0 && ix < w {
							v = plane[iy*w+ix]
						}
						col[(nn/nr)*kk*nr+p*nr+nn%nr] = v
						nn++
					}
				}
			}
		}
	}
}
