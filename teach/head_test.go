package teach

import (
	"alexnet/nn"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func randVec(r *rand.Rand, n int, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64()) * scale
	}
	return v
}

// TestLossGradFiniteDifferences checks the hand-written backward pass of the
// head against central differences of the loss, in float64 around float32
// parameters: every bias and a sample of weights.
func TestLossGradFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const in, out, n = 7, 4, 9
	h := NewHead(in, out)
	h.W, h.B = randVec(r, in*out, 0.5), randVec(r, out, 0.5)
	xs := make([][]float32, n)
	ys := make([]int, n)
	for i := range xs {
		xs[i] = randVec(r, in, 1)
		ys[i] = r.IntN(out)
	}
	g := grads{W: make([]float32, in*out), B: make([]float32, out)}
	z := make([]float32, out)
	h.lossGrad(&g, xs, ys, z)
	// loss64 is the loss in float64, so differences of 1e-3 are exact enough.
	loss64 := func() float64 {
		var s float64
		for i, x := range xs {
			zz := make([]float64, out)
			m := math.Inf(-1)
			for o := range zz {
				zz[o] = float64(h.B[o])
				for j := range x {
					zz[o] += float64(h.W[o*in+j]) * float64(x[j])
				}
				m = math.Max(m, zz[o])
			}
			var e float64
			for _, v := range zz {
				e += math.Exp(v - m)
			}
			s += math.Log(e) + m - zz[ys[i]]
		}
		return s / float64(n)
	}
	check := func(name string, p []float32, grad []float32) {
		t.Helper()
		worst := 0.0
		for i := range p {
			old := p[i]
			const eps = 1e-3
			p[i] = old + eps
			up := loss64()
			p[i] = old - eps
			down := loss64()
			p[i] = old
			num := (up - down) / (2 * eps)
			d := math.Abs(num - float64(grad[i]))
			worst = math.Max(worst, d)
			if d > 1e-4+1e-3*math.Abs(num) {
				t.Errorf("%s[%d]: backward %g, finite difference %g", name, i, grad[i], num)
			}
		}
		t.Logf("%s: largest difference %.2g", name, worst)
	}
	check("W", h.W, g.W)
	check("B", h.B, g.B)
}

// separable makes n examples per class of classes well-separated Gaussian
// clusters in dim dimensions.
func separable(r *rand.Rand, classes, n, dim int) []Example {
	centres := make([][]float32, classes)
	for c := range centres {
		centres[c] = randVec(r, dim, 3)
	}
	var ex []Example
	for c := range classes {
		for range n {
			v := randVec(r, dim, 0.3)
			for j := range v {
				v[j] += centres[c][j]
			}
			ex = append(ex, Example{Class: c, Embedding: v})
		}
	}
	return ex
}

func TestTrainSeparable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ex := separable(r, 5, 20, 16)
	res, err := Train(context.Background(), ex, 5, Options{Seed: 1, Holdout: 0.25, Steps: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Held != 25 || res.Report.Correct != 25 {
		t.Errorf("held-out: %d of %d right, want all of 25", res.Report.Correct, res.Report.Held)
	}
	z := make([]float32, 5)
	right := 0
	for _, e := range ex {
		res.Head.Logits(z, e.Embedding)
		if nn.Argmax(z) == e.Class {
			right++
		}
	}
	if right != len(ex) {
		t.Errorf("training set: %d of %d right, want all", right, len(ex))
	}
	if !(res.Calib.Temperature > 0) || res.Calib.Threshold < 0.2 || res.Calib.Threshold > 1 {
		t.Errorf("calibration %+v", res.Calib)
	}
}

func TestTrainDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	ex := separable(r, 3, 10, 8)
	a, err := Train(context.Background(), ex, 3, Options{Seed: 7, Holdout: 0.3, Steps: 20})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(context.Background(), ex, 3, Options{Seed: 7, Holdout: 0.3, Steps: 20})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Head.W {
		if a.Head.W[i] != b.Head.W[i] {
			t.Fatalf("W[%d]: %g then %g with the same seed", i, a.Head.W[i], b.Head.W[i])
		}
	}
	if a.Calib != b.Calib {
		t.Errorf("calibration %+v then %+v", a.Calib, b.Calib)
	}
}

func TestTrainRefuses(t *testing.T) {
	ok := func() []Example {
		return []Example{{Class: 0, Embedding: []float32{1, 0}}, {Class: 1, Embedding: []float32{0, 1}}}
	}
	many := make([]Example, MaxExamples+1)
	for i := range many {
		many[i] = Example{Class: i % 2, Embedding: []float32{1}}
	}
	nan := ok()
	nan[1].Embedding[0] = float32(math.NaN())
	short := ok()
	short[1].Embedding = []float32{1}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name    string
		ctx     context.Context
		ex      []Example
		classes int
		opts    Options
		want    error
	}{
		{"one class", context.Background(), ok()[:1], 1, Options{}, ErrExamples},
		{"a class without examples", context.Background(), ok(), 3, Options{}, ErrExamples},
		{"class out of range", context.Background(), append(ok(), Example{Class: 2, Embedding: []float32{1, 1}}), 2, Options{}, ErrExamples},
		{"too many examples", context.Background(), many, 2, Options{}, ErrExamples},
		{"no embedding", context.Background(), append(ok(), Example{Class: 0}), 2, Options{}, ErrExamples},
		{"NaN", context.Background(), nan, 2, Options{}, ErrExamples},
		{"embeddings of two sizes", context.Background(), short, 2, Options{}, ErrExamples},
		{"holdout 1", context.Background(), ok(), 2, Options{Holdout: 1}, ErrOptions},
		{"negative steps", context.Background(), ok(), 2, Options{Steps: -1}, ErrOptions},
		{"cancelled", cancelled, ok(), 2, Options{}, context.Canceled},
	} {
		if _, err := Train(c.ctx, c.ex, c.classes, c.opts); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestTrainProgress(t *testing.T) {
	ex := separable(rand.New(rand.NewPCG(1, 1)), 2, 5, 3)
	var calls, last, total int
	_, err := Train(context.Background(), ex, 2, Options{Holdout: 0.2, Steps: 7, Progress: func(d, n int) { calls, last, total = calls+1, d, n }})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 14 || last != 14 || total != 14 {
		t.Errorf("progress called %d times, last (%d, %d); want 14 times, last (14, 14): 7 steps held out, 7 on all", calls, last, total)
	}
}
