package nn

import "math"

// The two ops of a taught model's embedding (package teach): pooled
// features of several layers, normalised to unit length.

// globalPool is one tapped layer of the "globalpool" op: the mean and the
// max of every channel,
//
//	src (C,H,W) -> dst (2C): dst[c] = mean(src[c]), dst[C+c] = max(src[c])
//
// as torch.cat([x.mean((2,3)), x.amax((2,3))], 1). A NaN propagates into
// the max as in PyTorch. The op concatenates this over its layers in order.
func globalPool(dst, src []float32, c, hw int) {
	mean, mx := dst[:c], dst[c:2*c]
	for ch := range c {
		plane := src[ch*hw : (ch+1)*hw]
		var s float32
		m := plane[0]
		for _, v := range plane {
			s += v
			if v > m || v != v {
				m = v
			}
		}
		mean[ch], mx[ch] = s/float32(hw), m
	}
}

// l2Normalize is torch.nn.functional.normalize(x, p=2, dim=1, eps=1e-12):
// every position divided by the length of its vector of channels,
//
//	src, dst (C, HW): dst[c,p] = src[c,p] / max(sqrt(sum_c' src[c',p]^2), 1e-12)
//
// On a flat (C,1,1) input that is the whole vector over its length. The
// sum is in float64, so the length is the float32 closest to the true one.
func l2Normalize(dst, src []float32, c, hw int) {
	for p := range hw {
		var s float64
		for ch := range c {
			v := float64(src[ch*hw+p])
			s += v * v
		}
		norm := float32(max(math.Sqrt(s), 1e-12))
		for ch := range c {
			dst[ch*hw+p] = src[ch*hw+p] / norm
		}
	}
}
