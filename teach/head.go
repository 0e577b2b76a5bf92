package teach

import (
	"math"

	"github.com/chewxy/math32"

	"alexnet/nn"
)

// Head is the taught classifier: one linear layer on the embedding,
//
//	logits = W x + b,  W (Out,In) row-major, b (Out)
//
// as torch.nn.Linear(In, Out), so it exports as one "linear" layer.
type Head struct {
	In, Out int
	W, B    []float32
}

// NewHead returns a head of zeros: the loss is convex in W and b, so the
// start does not matter for where training ends, and zeros make it
// independent of any random stream.
func NewHead(in, out int) *Head {
	return &Head{In: in, Out: out, W: make([]float32, in*out), B: make([]float32, out)}
}

// Clone returns a deep copy.
func (h *Head) Clone() *Head {
	return &Head{In: h.In, Out: h.Out, W: append([]float32(nil), h.W...), B: append([]float32(nil), h.B...)}
}

// Logits writes W x + b to dst (Out floats): x (In) -> dst (Out), with the
// engine's dot product (nn.Dot, SIMD in the page's build), as nn's linear
// layer computes an exported head.
func (h *Head) Logits(dst, x []float32) {
	x = x[:h.In]
	for o := range dst[:h.Out] {
		dst[o] = h.B[o] + nn.Dot(h.W[o*h.In:(o+1)*h.In], x)
	}
}

// grads is the gradient of the loss with respect to a head's W and b, and
// the scratch lossGrad computes it in.
type grads struct {
	W, B []float32
	xt   []float32 // the batch transposed, (In, N)
	dz   []float32 // dL/dz transposed, (Out, N)
}

// lossGrad computes the mean softmax cross-entropy of the head over the
// examples xs (each In floats) with labels ys and adds its gradient to g
// (zeroed first):
//
//	loss = 1/N sum_i -log softmax(W x_i + b)[y_i]
//	dL/dz_i = (softmax(z_i) - onehot(y_i)) / N
//	dL/dW = sum_i dz_i x_i^T,  dL/db = sum_i dz_i
//
// (torch.nn.functional.cross_entropy, reduction "mean"). z is scratch of
// Out floats. The loss is accumulated in float64. dL/dW[o][j] is computed
// as a dot product over the batch of dz[o] and column j of the batch, both
// transposed first: dot products of N floats run in SIMD where axpys
// of In floats would not.
func (h *Head) lossGrad(g *grads, xs [][]float32, ys []int, z []float32) float64 {
	n := len(xs)
	if len(g.xt) < h.In*n {
		g.xt = make([]float32, h.In*n)
		g.dz = make([]float32, h.Out*n)
	}
	xt, dz := g.xt[:h.In*n], g.dz[:h.Out*n]
	clear(g.B)
	var loss float64
	inv := 1 / float32(n)
	for i, x := range xs {
		for j, v := range x[:h.In] {
			xt[j*n+i] = v
		}
		h.Logits(z, x)
		m := z[0]
		for _, v := range z {
			m = max(m, v)
		}
		var sum float32
		for o, v := range z {
			z[o] = math32.Exp(v - m)
			sum += z[o]
		}
		y := ys[i]
		loss += math.Log(float64(sum)) - math.Log(float64(z[y]))
		for o := range z {
			d := z[o] / sum
			if o == y {
				d--
			}
			d *= inv
			g.B[o] += d
			dz[o*n+i] = d
		}
	}
	for o := range h.Out {
		row, d := g.W[o*h.In:(o+1)*h.In], dz[o*n:(o+1)*n]
		for j := range row {
			row[j] = nn.Dot(d, xt[j*n:(j+1)*n])
		}
	}
	return loss / float64(n)
}

// adamW is torch.optim.AdamW's update for one tensor, with its state:
//
//	p -= lr*wd*p
//	m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
//	p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
//
// (decoupled weight decay, Loshchilov & Hutter 2019; PyTorch 1.13's
// single-tensor path, in the same order of operations).
type adamW struct {
	m, v []float32
}

func newAdamW(n int) *adamW { return &adamW{m: make([]float32, n), v: make([]float32, n)} }

func (a *adamW) step(p, g []float32, t int, lr, wd, b1, b2, eps float32) {
	p, g = p[:len(a.m)], g[:len(a.m)]
	m, v := a.m, a.v[:len(a.m)]
	bc1 := 1 - math32.Pow(b1, float32(t))
	bc2 := 1 - math32.Pow(b2, float32(t))
	stepSize := lr / bc1
	bc2sqrt := math32.Sqrt(bc2)
	decay := 1 - lr*wd
	for i := range p {
		p[i] *= decay
		m[i] += (g[i] - m[i]) * (1 - b1)
		v[i] = v[i]*b2 + (1-b2)*g[i]*g[i]
		p[i] -= stepSize * m[i] / (math32.Sqrt(v[i])/bc2sqrt + eps)
	}
}
