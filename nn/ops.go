package nn

import (
	"math"

	"github.com/chewxy/math32"
)

// rectify is torch.nn.ReLU: dst[i] = max(src[i], 0). src, dst (n).
func rectify(dst, src []float32) {
	dst = dst[:len(src)] // one bounds check for the loop
	for i, v := range src {
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
}

// maxPool2d is torch.nn.MaxPool2d(k, stride, pad) with the output size
// already chosen (floor or ceil mode): src (C,H,W) -> dst (C,OH,OW).
// Padding counts as -inf, so a window takes the max of its in-bounds cells
// only; a window with none (impossible for sizes Arch.Shapes accepts) gives
// -inf, as in PyTorch.
func maxPool2d(dst, src []float32, c, h, w, oh, ow, k, stride, pad int) {
	for ch := 0; ch < c; ch++ {
		plane := src[ch*h*w : (ch+1)*h*w]
		out := dst[ch*oh*ow : (ch+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			y0, y1 := clampWindow(oy*stride-pad, k, h)
			for ox := 0; ox < ow; ox++ {
				x0, x1 := clampWindow(ox*stride-pad, k, w)
				m := float32(math.Inf(-1))
				for y := y0; y < y1; y++ {
					row := plane[y*w+x0 : y*w+x1]
					for _, v := range row {
						if v > m || v != v { // NaN propagates, as in PyTorch
							m = v
						}
					}
				}
				out[oy*ow+ox] = m
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
