package nn

import (
	"math"

	"github.com/chewxy/math32"
)

// rectifyScalar is rectify (ops_*.go) one float at a time. The branch beats
// Go's builtin max in wasm (measured 1.5 vs 3.5-4 ms for 145k floats).
func rectifyScalar(dst, src []float32) {
	dst = dst[:len(src)] // one bounds check for the loop
	for i, v := range src {
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
}

// maxIntoScalar is maxInto (ops_*.go) one float at a time; NaN propagates.
func maxIntoScalar(dst, a, b []float32) {
	n := len(dst)
	a, b = a[:n], b[:n]
	for i := range dst {
		m := a[i]
		if v := b[i]; v > m || v != v {
			m = v
		}
		dst[i] = m
	}
}

// maxInto3Scalar is maxInto3: maxIntoScalar twice, in one loop.
func maxInto3Scalar(dst, a, b, c []float32) {
	n := len(dst)
	a, b, c = a[:n], b[:n], c[:n]
	for i := range dst {
		m := a[i]
		if v := b[i]; v > m || v != v {
			m = v
		}
		if v := c[i]; v > m || v != v {
			m = v
		}
		dst[i] = m
	}
}

// maxPool2d is torch.nn.MaxPool2d(k, stride, pad) with the output size
// already chosen (floor or ceil mode): src (C,H,W) -> dst (C,OH,OW), using
// scratch (2*W floats). Padding counts as -inf, so a window takes the max of
// its in-bounds cells only (a window with none, impossible for sizes
// Arch.Shapes accepts, gives -inf as in PyTorch).
//
// Per output row it takes the max of the window's input rows (rm, vector
// maxInto), then the max of every k consecutive columns of rm (hm, vector
// maxInto again), and then only picks hm[ox*stride-pad] for windows inside
// the row; the few clipped windows at the edges are done one by one.
func maxPool2d(dst, src, scratch []float32, c, h, w, oh, ow, k, stride, pad int) {
	rm, hm := scratch[:w], scratch[w:2*w]
	nh := w - k + 1 // windows fully inside a row
	for ch := 0; ch < c; ch++ {
		plane := src[ch*h*w : (ch+1)*h*w]
		out := dst[ch*oh*ow : (ch+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			y0, y1 := clampWindow(oy*stride-pad, k, h)
			o := out[oy*ow : (oy+1)*ow]
			if y1 == y0 {
				for i := range o {
					o[i] = float32(math.Inf(-1))
				}
				continue
			}
			if y1-y0 == 3 { // the usual 3x3 window, in one pass
				maxInto3(rm, plane[y0*w:y0*w+w], plane[(y0+1)*w:(y0+1)*w+w], plane[(y0+2)*w:(y0+2)*w+w])
			} else {
				copy(rm, plane[y0*w:y0*w+w])
				for y := y0 + 1; y < y1; y++ {
					maxInto(rm, rm, plane[y*w:y*w+w])
				}
			}
			switch {
			case nh > 0 && k == 3:
				maxInto3(hm[:nh], rm[:nh], rm[1:1+nh], rm[2:2+nh])
			case nh > 0:
				copy(hm[:nh], rm[:nh])
				for d := 1; d < k; d++ {
					maxInto(hm[:nh], hm[:nh], rm[d:d+nh])
				}
			}
			for ox := range o {
				x0 := ox*stride - pad
				if x0 >= 0 && x0 < nh {
					o[ox] = hm[x0]
					continue
				}
				a, b := clampWindow(x0, k, w)
				m := float32(math.Inf(-1))
				for _, v := range rm[a:b] {
					if v > m || v != v { // NaN propagates, as in PyTorch
						m = v
					}
				}
				o[ox] = m
			}
		}
	}
}

// clampWindow returns the in-bounds part [a,b) of the window [start,start+k)
// over [0,n).
func clampWindow(start, k, n int) (a, b int) {
	a, b = start, start+k
	if a < 0 {
		a = 0
	}
	if b > n {
		b = n
	}
	if b < a {
		b = a
	}
	return a, b
}

// localResponseNorm is torch.nn.LocalResponseNorm(size, alpha, beta, k) over
// channels: src, dst (C, HW).
//
//	dst[c,p] = src[c,p] / (k + alpha/size * sum_{c'} src[c',p]^2)^beta
//
// with c' from c-size/2 to c+(size-1)/2, channels outside [0,C) counting as
// zero. PyTorch divides alpha by size (it averages the squares with
// avg_pool3d, zero padding included); Caffe's LRN does too. The operation
// order here follows PyTorch's: ((sum/size)*alpha + k)^beta.
func localResponseNorm(dst, src []float32, c, hw, size int, alpha, beta, k float32) {
	lo, hi := size/2, (size-1)/2
	inv := 1 / float32(size)
	for ch := 0; ch < c; ch++ {
		out := dst[ch*hw : (ch+1)*hw]
		for i := range out {
			out[i] = 0
		}
		for cc := max(ch-lo, 0); cc <= min(ch+hi, c-1); cc++ {
			in := src[cc*hw : (cc+1)*hw]
			for i, v := range in {
				out[i] += v * v
			}
		}
		x := src[ch*hw : (ch+1)*hw]
		for i, s := range out {
			d := s*inv*alpha + k
			var p float32
			if beta == 0.75 { // d^0.75 = sqrt(d*sqrt(d)): ~10x faster than Pow, within 1 ulp or so
				p = math32.Sqrt(d * math32.Sqrt(d))
			} else {
				p = math32.Pow(d, beta)
			}
			out[i] = x[i] / p
		}
	}
}

// adaptiveAvgPool2d is torch.nn.AdaptiveAvgPool2d((oh,ow)): src (C,H,W) ->
// dst (C,OH,OW). Output cell i averages input rows floor(i*H/OH) up to
// ceil((i+1)*H/OH) (exclusive), and likewise for columns, as PyTorch does.
func adaptiveAvgPool2d(dst, src []float32, c, h, w, oh, ow int) {
	for ch := 0; ch < c; ch++ {
		plane := src[ch*h*w : (ch+1)*h*w]
		out := dst[ch*oh*ow : (ch+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			y0, y1 := oy*h/oh, ((oy+1)*h+oh-1)/oh
			for ox := 0; ox < ow; ox++ {
				x0, x1 := ox*w/ow, ((ox+1)*w+ow-1)/ow
				var s float32
				for y := y0; y < y1; y++ {
					for _, v := range plane[y*w+x0 : y*w+x1] {
						s += v
					}
				}
				out[oy*ow+ox] = s / float32((y1-y0)*(x1-x0))
			}
		}
	}
}

// Softmax writes softmax(logits/temperature) to dst:
//
//	dst[i] = exp((logits[i]-max)/T) / sum_j exp((logits[j]-max)/T)
//
// A temperature that is not a positive finite number counts as 1. NaN logits
// get probability 0; if no logit is a usable number, dst is uniform. dst gets
// min(len(dst), len(logits)) values (the sum runs over all logits).
func Softmax(dst, logits []float32, temperature float32) {
	t := float64(temperature)
	if !(t > 0) || math.IsInf(t, 0) {
		temperature = 1
	}
	n := min(len(dst), len(logits))
	m := float32(math.Inf(-1))
	for _, v := range logits {
		if v > m {
			m = v
		}
	}
	if math32.IsInf(m, 0) { // all NaN or -Inf, or some +Inf
		cnt := 0
		for _, v := range logits {
			if math32.IsInf(m, 1) && math32.IsInf(v, 1) {
				cnt++
			}
		}
		for i := 0; i < n; i++ {
			switch {
			case cnt == 0:
				dst[i] = 1 / float32(len(logits))
			case math32.IsInf(logits[i], 1):
				dst[i] = 1 / float32(cnt)
			default:
				dst[i] = 0
			}
		}
		return
	}
	var sum float32
	for _, v := range logits {
		if v == v {
			sum += math32.Exp((v - m) / temperature)
		}
	}
	for i := 0; i < n; i++ {
		v := logits[i]
		if v != v {
			dst[i] = 0
			continue
		}
		dst[i] = math32.Exp((v-m)/temperature) / sum
	}
}

// Argmax is the index of the largest value of v, the first one on ties
// (torch.argmax); 0 for an empty v. NaN never wins.
func Argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
