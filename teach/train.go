package teach

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"alexnet/nn"
	"alexnet/weights"
)

// Limits on what Train accepts; beyond them it returns ErrExamples.
const (
	MaxClasses  = 1000  // classes of one head
	MaxExamples = 20000 // examples, all classes together
)

// Errors, wrapped with context.
var (
	ErrExamples = errors.New("teach: bad examples")
	ErrOptions  = errors.New("teach: bad options")
	ErrBase     = errors.New("teach: unsupported base model")
	ErrInput    = errors.New("teach: bad input tensor")
)

// Example is one taught example: its class and its embedding
// (Embedder.Embed).
type Example struct {
	Class     int
	Embedding []float32
}

// Options steer Train. The zero value is usable: every zero field takes
// the default named beside it.
type Options struct {
	Seed        uint64  // the held-out split; the same seed gives the same head
	Holdout     float64 // fraction of each class held out to measure and calibrate, 0..0.9 (0: none)
	Steps       int     // AdamW steps per training (DefaultSteps)
	Batch       int     // examples per step, drawn without replacement in a seeded order (DefaultBatch); >= all of them: full batch
	LR          float32 // AdamW learning rate (DefaultLR)
	WeightDecay float32 // AdamW decoupled weight decay of W (DefaultWeightDecay); b is not decayed
	// Progress, if set, is called after every step with the steps done and
	// the steps of the whole Train call (a training on the split, then the
	// final one on all examples).
	Progress func(done, total int)
}

// Defaults of Options, chosen by measurement (see the package doc).
const (
	DefaultSteps       = 200
	DefaultBatch       = 64
	DefaultLR          = 0.05
	DefaultWeightDecay = 1e-4
	betas1, betas2     = 0.9, 0.999 // torch.optim.AdamW defaults
	adamEps            = 1e-8
)

// Report is how the head did on the held-out examples.
type Report struct {
	Held, Correct int
	Confusion     [][]int // [true class][predicted class], held-out examples
	NotSure       int     // held-out examples whose calibrated top probability is below the threshold
}

// Result is what Train makes: the head trained on all examples, its
// calibration (fitted on the held-out examples; temperature 1 and no
// threshold without them) and the held-out report.
type Result struct {
	Head   *Head
	Calib  weights.Calibration
	Report Report
}

// Train trains a head for classes classes on the examples: AdamW on
// mini-batches of them, first on the examples not held out (to measure
// the held-out ones and calibrate on them), then on all of them for the
// returned head. It stops with ctx's error when ctx is done.
func Train(ctx context.Context, examples []Example, classes int, opts Options) (*Result, error) {
	dim, err := checkExamples(examples, classes)
	if err != nil {
		return nil, err
	}
	if err := opts.fill(); err != nil {
		return nil, err
	}
	train, held := split(examples, classes, opts.Holdout, opts.Seed)
	total := opts.Steps
	if len(held) > 0 {
		total *= 2
	}
	res := &Result{Calib: weights.Calibration{Temperature: 1}}
	done := 0
	if len(held) > 0 {
		h, err := fit(ctx, train, dim, classes, opts, &done, total)
		if err != nil {
			return nil, err
		}
		res.Calib, res.Report = calibrate(h, held, classes)
	}
	res.Head, err = fit(ctx, examples, dim, classes, opts, &done, total)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (o *Options) fill() error {
	if o.Steps == 0 {
		o.Steps = DefaultSteps
	}
	if o.Batch == 0 {
		o.Batch = DefaultBatch
	}
	if o.LR == 0 {
		o.LR = DefaultLR
	}
	if o.WeightDecay == 0 {
		o.WeightDecay = DefaultWeightDecay
	}
	switch {
	case !(o.Holdout >= 0 && o.Holdout <= 0.9):
		return fmt.Errorf("%w: holdout %g, want 0..0.9", ErrOptions, o.Holdout)
	case o.Steps < 1 || o.Steps > 100000:
		return fmt.Errorf("%w: %d steps, want 1..100000", ErrOptions, o.Steps)
	case o.Batch < 1:
		return fmt.Errorf("%w: batch of %d, want >= 1", ErrOptions, o.Batch)
	case !(o.LR > 0 && o.LR < 10):
		return fmt.Errorf("%w: learning rate %g, want (0,10)", ErrOptions, o.LR)
	case !(o.WeightDecay >= 0 && o.WeightDecay*o.LR < 1):
		return fmt.Errorf("%w: weight decay %g, want >= 0 and below 1/learning rate", ErrOptions, o.WeightDecay)
	}
	return nil
}

// checkExamples checks classes, labels, counts and values, and returns the
// embedding size.
func checkExamples(examples []Example, classes int) (int, error) {
	if classes < 2 || classes > MaxClasses {
		return 0, fmt.Errorf("%w: %d classes, want 2..%d", ErrExamples, classes, MaxClasses)
	}
	if len(examples) > MaxExamples {
		return 0, fmt.Errorf("%w: %d examples, at most %d", ErrExamples, len(examples), MaxExamples)
	}
	count := make([]int, classes)
	dim := -1
	for i, e := range examples {
		if e.Class < 0 || e.Class >= classes {
			return 0, fmt.Errorf("%w: example %d has class %d, want 0..%d", ErrExamples, i, e.Class, classes-1)
		}
		v := e.Embedding
		if dim < 0 {
			dim = len(v)
		}
		if len(v) != dim || dim == 0 || dim > nn.MaxFloats/MaxClasses {
			return 0, fmt.Errorf("%w: example %d has an embedding of %d floats, the first has %d", ErrExamples, i, len(v), dim)
		}
		for j, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return 0, fmt.Errorf("%w: example %d value %d is %g", ErrExamples, i, j, x)
			}
		}
		count[e.Class]++
	}
	for c, n := range count {
		if n == 0 {
			return 0, fmt.Errorf("%w: class %d has no examples", ErrExamples, c)
		}
	}
	return dim, nil
}

// split holds out round(frac*n) examples of each class of n (at most n-1,
// and none of a class of one), chosen by a PCG stream seeded with seed.
func split(examples []Example, classes int, frac float64, seed uint64) (train, held []Example) {
	if frac == 0 {
		return examples, nil
	}
	r := rand.New(rand.NewPCG(seed, 0x7465616368)) // "teach"
	byClass := make([][]int, classes)
	for i, e := range examples {
		byClass[e.Class] = append(byClass[e.Class], i)
	}
	isHeld := make([]bool, len(examples))
	for _, idx := range byClass {
		k := min(int(math.Round(frac*float64(len(idx)))), len(idx)-1)
		r.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for _, i := range idx[:k] {
			isHeld[i] = true
		}
	}
	for i, e := range examples {
		if isHeld[i] {
			held = append(held, e)
		} else {
			train = append(train, e)
		}
	}
	return train, held
}

// fit trains a new head on the examples.
func fit(ctx context.Context, examples []Example, dim, classes int, o Options, done *int, total int) (*Head, error) {
	var xs [][]float32
	var ys []int
	for _, e := range examples {
		xs = append(xs, e.Embedding)
		ys = append(ys, e.Class)
	}
	h := NewHead(dim, classes)
	return h, descend(ctx, h, xs, ys, o, done, total)
}

// descend runs o.Steps AdamW steps on h from where it is, each on the
// next o.Batch of xs in an order shuffled anew for every pass over them
// (a PCG stream seeded with o.Seed), or on all of xs when they are no more
// than o.Batch.
func descend(ctx context.Context, h *Head, xs [][]float32, ys []int, o Options, done *int, total int) error {
	g := grads{W: make([]float32, len(h.W)), B: make([]float32, len(h.B))}
	aw, ab := newAdamW(len(h.W)), newAdamW(len(h.B))
	z := make([]float32, h.Out)
	bx, by := xs, ys
	var order []int
	r := rand.New(rand.NewPCG(o.Seed, 0x6261746368)) // "batch"
	if len(xs) > o.Batch {
		bx, by = make([][]float32, o.Batch), make([]int, o.Batch)
		order = make([]int, len(xs))
		for i := range order {
			order[i] = i
		}
	}
	next := len(order)
	for t := 1; t <= o.Steps; t++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if order != nil {
			for k := range bx {
				if next == len(order) {
					r.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
					next = 0
				}
				bx[k], by[k] = xs[order[next]], ys[order[next]]
				next++
			}
		}
		h.lossGrad(&g, bx, by, z)
		aw.step(h.W, g.W, t, o.LR, o.WeightDecay, betas1, betas2, adamEps)
		ab.step(h.B, g.B, t, o.LR, 0, betas1, betas2, adamEps)
		*done++
		if o.Progress != nil {
			o.Progress(*done, total)
		}
	}
	return nil
}

// calibrate measures h on held, fits the temperature
// in [0.5, 5] that minimises their cross-entropy, and sets the not-sure threshold as
// train/train.py does: the lowest top probability (0.20, 0.21, ...) at
// which the held-out predictions kept are at least 95% right (1 if none).
func calibrate(h *Head, held []Example, classes int) (weights.Calibration, Report) {
	rep := Report{Held: len(held), Confusion: make([][]int, classes)}
	for i := range rep.Confusion {
		rep.Confusion[i] = make([]int, classes)
	}
	logits := make([][]float32, len(held))
	for i, e := range held {
		logits[i] = make([]float32, classes)
		h.Logits(logits[i], e.Embedding)
		p := nn.Argmax(logits[i])
		rep.Confusion[e.Class][p]++
		if p == e.Class {
			rep.Correct++
		}
	}
	nll := func(t float64) float64 {
		var s float64
		for i, e := range held {
			s += crossEntropy(logits[i], e.Class, t)
		}
		return s
	}
	// Golden-section search on log T over [0.5, 5], train/train.py's range:
	// a few held-out examples, all right, would otherwise drive T to 0.
	lo, hi := math.Log(0.5), math.Log(5)
	phi := (math.Sqrt(5) - 1) / 2
	for range 60 {
		a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
		if nll(math.Exp(a)) <= nll(math.Exp(b)) {
			hi = b
		} else {
			lo = a
		}
	}
	t := float32(math.Exp((lo + hi) / 2))
	cal := weights.Calibration{Temperature: t, Threshold: 1}
	probs := make([]float32, classes)
	conf := make([]float32, len(held))
	right := make([]bool, len(held))
	for i, e := range held {
		nn.Softmax(probs, logits[i], t)
		p := nn.Argmax(probs)
		conf[i], right[i] = probs[p], p == e.Class
	}
	for th := 20; th < 100; th++ {
		kept, ok := 0, 0
		for i := range conf {
			if conf[i] >= float32(th)/100 {
				kept++
				if right[i] {
					ok++
				}
			}
		}
		if kept > 0 && float64(ok) >= 0.95*float64(kept) {
			cal.Threshold = float32(th) / 100
			break
		}
	}
	for i := range conf {
		if conf[i] < cal.Threshold {
			rep.NotSure++
		}
	}
	return cal, rep
}

func crossEntropy(logits []float32, y int, t float64) float64 {
	m := float64(slices.Max(logits))
	var s float64
	for _, v := range logits {
		s += math.Exp((float64(v) - m) / t)
	}
	return math.Log(s) - (float64(logits[y])-m)/t
}
