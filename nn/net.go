package nn

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Weight is one state_dict tensor as the engine takes it: exactly one of
//   - F32: PyTorch layout, row-major over Shape;
//   - Q8 with one float32 Scale per Shape[0] row (per output channel or row),
//     meaning value = float32(Q8[i]) * Scale[row];
//   - Q4 with one float32 Scale per Group values of a row: 4-bit values
//     packed as Q4Pack describes (value = q * Scale[row*groups+g]).
type Weight struct {
	Shape []int
	F32   []float32
	Q8    []int8
	Scale []float32
	Q4    []byte // 4-bit values, Q4Pack's layout
	Group int    // Q4 only: values per scale, a positive multiple of Q4Block
}

// ErrParam is wrapped by every error New returns for a missing, unexpected
// or mis-shaped parameter.
var ErrParam = errors.New("nn: bad parameter")

// Net is a network ready to run: weights packed for the kernels and every
// activation buffer allocated once. A Net is not safe for concurrent use
// (Forward writes its buffers); build one Net per goroutine.
type Net struct {
	arch   Arch
	shapes []Shape     // output shape of every layer
	in     []float32   // copy of the input, (InC,InH,InW)
	outs   [][]float32 // output of every layer; identity layers alias their input
	layers []layer
	flops  []int64
	paths  convPaths // how conv layers run (defaultConvPaths for New)

	// A part net (NewPart): this is part `part` of `parts`, exchanging
	// shares through exchange; the output of the last layer is exchanged
	// too when it is partial (lastLo, lastHi: this part's share, in floats).
	part, parts    int
	exchange       Exchange
	lastSync       bool
	lastLo, lastHi int
}

// layer is one compiled step. Only the fields of its op are set.
type layer struct {
	op      Op
	l       Layer
	in      Shape
	out     Shape
	conv    *convLayer
	linear  *linearLayer
	scratch []float32 // maxpool: two rows

	// Part nets only (split.go): the share [lo,hi) of output channels this
	// part computes (hi 0: all of them), and whether the parts exchange the
	// input first (syncLo, syncHi: this part's share of it, in floats).
	lo, hi         int
	sync           bool
	syncLo, syncHi int
}

// New checks the architecture and the parameters against a.Params() (every
// tensor present, shapes equal, data lengths right, values finite), packs
// the weights for the kernels and sizes all buffers. Conv weights, float32 or
// int8, are dequantised here into packed float32 panels; int8 linear weights
// stay int8 and are dequantised inside the dot product.
func New(a Arch, params map[string]Weight) (*Net, error) {
	return build(a, params, 0, 1, nil, defaultConvPaths())
}

// build is New (parts 1, ex nil) and NewPart, with the conv paths given.
func build(a Arch, params map[string]Weight, part, parts int, ex Exchange, paths convPaths) (*Net, error) {
	cost, err := a.Cost() // checks a (Shapes) too
	if err != nil {
		return nil, err
	}
	shapes, _ := a.Shapes()
	want := a.Params()
	known := make(map[string]bool, len(want))
	for _, p := range want {
		known[p.Name] = true
		w, ok := params[p.Name]
		if !ok {
			return nil, fmt.Errorf("%w: %s missing (arch %q needs %v)", ErrParam, p.Name, a.Name, p.Shape)
		}
		if err := checkWeight(p, w); err != nil {
			return nil, err
		}
	}
	for name := range params {
		if !known[name] {
			return nil, fmt.Errorf("%w: %s is not a parameter of arch %q", ErrParam, name, a.Name)
		}
	}

	n := &Net{
		arch:     a,
		shapes:   shapes,
		in:       make([]float32, a.InC*a.InH*a.InW),
		outs:     make([][]float32, len(a.Layers)),
		layers:   make([]layer, len(a.Layers)),
		flops:    cost.LayerFLOPs,
		part:     part,
		parts:    parts,
		exchange: ex,
		paths:    paths,
	}
	var work chan *convJob
	if parts == 1 {
		work = startWorkers(n)
	}
	prev := n.in
	s := Shape{a.InC, a.InH, a.InW}
	partial, plo, phi := false, 0, 0 // the share of the activation flowing in (part nets)
	for i, l := range a.Layers {
		ly := layer{op: l.Op, l: l, in: s, out: shapes[i]}
		if parts > 1 {
			partial, plo, phi = n.splitLayer(&ly, params, partial, plo, phi)
		}
		switch l.Op {
		case OpConv:
			if ly.conv == nil {
				ly.conv = newConvLayer(l, s, shapes[i], params[l.Name+".weight"], params[l.Name+".bias"], paths)
				ly.conv.setWorkers(work)
			}
			n.outs[i] = make([]float32, shapes[i].Len())
		case OpLinear:
			if ly.linear == nil {
				ly.linear = newLinearLayer(l, params[l.Name+".weight"], params[l.Name+".bias"])
			}
			n.outs[i] = make([]float32, shapes[i].Len())
		case OpMaxPool:
			ly.scratch = make([]float32, 2*s.W)
			n.outs[i] = make([]float32, shapes[i].Len())
		case OpDropout, OpFlatten:
			n.outs[i] = prev // identity: same floats, same order
		default:
			n.outs[i] = make([]float32, shapes[i].Len())
		}
		n.layers[i] = ly
		prev = n.outs[i]
		s = shapes[i]
	}
	if partial {
		hw := s.H * s.W
		n.lastSync, n.lastLo, n.lastHi = true, plo*hw, phi*hw
	}
	shareWinoScratch(n.layers)
	return n, nil
}

// checkWeight checks one tensor against the shape the architecture wants.
func checkWeight(p Param, w Weight) error {
	if len(w.Shape) != len(p.Shape) {
		return fmt.Errorf("%w: %s has shape %v, want %v", ErrParam, p.Name, w.Shape, p.Shape)
	}
	count := 1
	for i := range p.Shape {
		if w.Shape[i] != p.Shape[i] {
			return fmt.Errorf("%w: %s has shape %v, want %v", ErrParam, p.Name, w.Shape, p.Shape)
		}
		count *= p.Shape[i]
	}
	set := 0
	for _, ok := range [...]bool{w.F32 != nil, w.Q8 != nil, w.Q4 != nil} {
		if ok {
			set++
		}
	}
	switch {
	case set != 1:
		return fmt.Errorf("%w: %s must have exactly one of F32, Q8+Scale or Q4+Scale", ErrParam, p.Name)
	case w.F32 != nil:
		if len(w.F32) != count {
			return fmt.Errorf("%w: %s has %d floats, shape %v needs %d", ErrParam, p.Name, len(w.F32), p.Shape, count)
		}
		if i := firstNonFinite(w.F32); i >= 0 {
			return fmt.Errorf("%w: %s[%d] is %v", ErrParam, p.Name, i, w.F32[i])
		}
	case w.Q8 != nil:
		if len(w.Q8) != count {
			return fmt.Errorf("%w: %s has %d int8 values, shape %v needs %d", ErrParam, p.Name, len(w.Q8), p.Shape, count)
		}
		if len(w.Scale) != p.Shape[0] {
			return fmt.Errorf("%w: %s has %d scales, want one per row (%d)", ErrParam, p.Name, len(w.Scale), p.Shape[0])
		}
		if i := firstNonFinite(w.Scale); i >= 0 {
			return fmt.Errorf("%w: %s scale[%d] is %v", ErrParam, p.Name, i, w.Scale[i])
		}
	default:
		rows := p.Shape[0]
		rowLen := count / rows
		if w.Group < Q4Block || w.Group%Q4Block != 0 || w.Group > MaxFloats {
			return fmt.Errorf("%w: %s has 4-bit group size %d, want a positive multiple of %d", ErrParam, p.Name, w.Group, Q4Block)
		}
		if want := rows * Q4RowBytes(rowLen); len(w.Q4) != want {
			return fmt.Errorf("%w: %s has %d bytes of 4-bit values, shape %v needs %d", ErrParam, p.Name, len(w.Q4), p.Shape, want)
		}
		if want := rows * Q4Groups(rowLen, w.Group); len(w.Scale) != want {
			return fmt.Errorf("%w: %s has %d scales, want %d (%d per row, one per %d values)", ErrParam, p.Name, len(w.Scale), want, want/rows, w.Group)
		}
		if i := firstNonFinite(w.Scale); i >= 0 {
			return fmt.Errorf("%w: %s scale[%d] is %v", ErrParam, p.Name, i, w.Scale[i])
		}
	}
	return nil
}

func firstNonFinite(v []float32) int {
	for i, x := range v {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return i
		}
	}
	return -1
}

// Dequantize returns w's values as float32: F32 itself, or a new slice
// for Q8 and Q4 weights. w must be well formed (New checks it; so does
// weights.Decode).
func (w Weight) Dequantize() []float32 {
	if w.Q4 != nil {
		rows := w.Shape[0]
		n := 1
		for _, d := range w.Shape {
			n *= d
		}
		return Q4Unpack(w.Q4, w.Scale, rows, n/rows, w.Group)
	}
	if w.Q8 == nil {
		return w.F32
	}
	rows := w.Shape[0]
	per := len(w.Q8) / rows
	f := make([]float32, len(w.Q8))
	for r := 0; r < rows; r++ {
		s := w.Scale[r]
		q := w.Q8[r*per : (r+1)*per]
		d := f[r*per : (r+1)*per]
		for i, v := range q {
			d[i] = float32(v) * s
		}
	}
	return f
}

// Arch returns the architecture the net was built from.
func (n *Net) Arch() Arch { return n.arch }

// Shapes returns the output shape of every layer.
func (n *Net) Shapes() []Shape { return n.shapes }

// FLOPs returns the floating-point operations of every layer for one image,
// as Arch.Cost counts them (2*MACs for conv and linear layers).
func (n *Net) FLOPs() []int64 { return n.flops }

// Forward runs the network on x, shaped (InC,InH,InW), and returns the logits.
// The returned slice is owned by the Net and valid until the next call. It
// allocates nothing, and copies x unless it is Input(). If len(x) is not
// InC*InH*InW it returns nil; a part net (NewPart) also returns nil when an
// exchange fails.
func (n *Net) Forward(x []float32) []float32 {
	if len(x) != len(n.in) {
		return nil
	}
	if &x[0] != &n.in[0] {
		copy(n.in, x)
	}
	last := n.outs[len(n.outs)-1]
	if n.parts > 1 {
		// Part 0's input is the pass's: it shares it whole first.
		hi := 0
		if n.part == 0 {
			hi = len(n.in)
		}
		if !n.exchange(n.in, 0, hi) {
			return nil
		}
		for i := range n.layers {
			if !n.partForward(i) {
				return nil
			}
		}
		if n.lastSync && !n.exchange(last, n.lastLo, n.lastHi) {
			return nil
		}
		return last
	}
	for i := range n.layers {
		n.LayerForward(i)
	}
	return last
}

// Input is the net's input buffer, (InC,InH,InW): preprocessing can write
// into it and pass it to Forward, which then does not copy it.
func (n *Net) Input() []float32 { return n.in }

// ForwardTimed is Forward that also records the wall time of each layer in
// dst[i] (for as many layers as dst holds). It is for `alexnet bench`,
// on whole nets: a part net (NewPart) returns nil.
func (n *Net) ForwardTimed(x []float32, dst []time.Duration) []float32 {
	if len(x) != len(n.in) || n.parts > 1 {
		return nil
	}
	copy(n.in, x)
	for i := range n.layers {
		t := time.Now()
		n.LayerForward(i)
		if i < len(dst) {
			dst[i] = time.Since(t)
		}
	}
	return n.outs[len(n.outs)-1]
}

// LayerForward runs layer i alone on the output of layer i-1 (or the input
// of the last Forward, for i = 0). Out-of-range i does nothing.
func (n *Net) LayerForward(i int) {
	if i < 0 || i >= len(n.layers) {
		return
	}
	src := n.in
	if i > 0 {
		src = n.outs[i-1]
	}
	dst := n.outs[i]
	ly := &n.layers[i]
	switch ly.op {
	case OpConv:
		ly.conv.forward(dst, src)
	case OpReLU:
		rectify(dst, src)
	case OpMaxPool:
		maxPool2d(dst, src, ly.scratch, ly.in.C, ly.in.H, ly.in.W, ly.out.H, ly.out.W, ly.l.Kernel, ly.l.Stride, ly.l.Pad)
	case OpLRN:
		localResponseNorm(dst, src, ly.in.C, ly.in.H*ly.in.W, ly.l.Size, ly.l.Alpha, ly.l.Beta, ly.l.K)
	case OpAdaptiveAvgPool:
		adaptiveAvgPool2d(dst, src, ly.in.C, ly.in.H, ly.in.W, ly.out.H, ly.out.W)
	case OpGlobalPool:
		for _, f := range ly.l.From {
			s := n.shapes[f]
			globalPool(dst[:2*s.C], n.outs[f], s.C, s.H*s.W)
			dst = dst[2*s.C:]
		}
	case OpL2Norm:
		l2Normalize(dst, src, ly.in.C, ly.in.H*ly.in.W)
	case OpLinear:
		ly.linear.forward(dst, src)
	case OpFlatten, OpDropout:
		// dst aliases src.
	}
}

// Output returns the output of layer i after the last Forward (engine-owned;
// Flatten and Dropout share their input's buffer). Out-of-range i gives nil.
func (n *Net) Output(i int) []float32 {
	if i < 0 || i >= len(n.outs) {
		return nil
	}
	return n.outs[i]
}
