package nn

import "fmt"

// Splitting one forward pass between several instances of the engine (the
// browser's two workers, each its own single-threaded Go instance).
//
// A part net computes only its share of the output channels of every conv
// layer and of the output features of every wide linear layer (it holds
// only those rows of the weights). Activations are channel-major, so a share
// is one contiguous range of floats. Layers that work channel by channel
// (ReLU, max and average pooling, dropout, flatten) run on the share alone;
// before a layer that mixes channels (conv, linear, LRN) the parts exchange
// their shares, so that each holds the whole input again. The seed network
// exchanges eight times per image: the input, then after pool1, pool2,
// conv3, conv4, pool3, fc1 and fc2. The last linear layer (the class logits) is small and every
// part computes it whole, so every part ends with the same logits.

// Exchange completes a partial activation: this part computed act[lo:hi]
// and the other parts the rest; it must fill in the rest before it returns
// (every part calls it at the same points of the forward pass, in the same
// order). The first exchange of every pass is the input: part 0 shares it
// whole (lo 0, hi len(act)), the others nothing (lo = hi = 0), so part 0's
// input is the pass's input and the others' is ignored. It reports false
// if it could not (a part stopped answering): the forward pass then stops
// and Forward returns nil.
type Exchange func(act []float32, lo, hi int) bool

// Minimum output channels (features) per part for a layer to be split:
// below it every part computes the layer whole.
const (
	minSplitConv   = 4
	minSplitLinear = 8
)

// NewPart is New for part k of parts (0 <= k < parts): the net computes its
// share of every wide conv and linear layer and calls ex to exchange shares.
// Grouped convolutions are not split. Its Forward returns the same logits
// as New's, up to float rounding, once every part runs the same input.
func NewPart(a Arch, params map[string]Weight, k, parts int, ex Exchange) (*Net, error) {
	if parts < 1 || k < 0 || k >= parts || ex == nil {
		return nil, fmt.Errorf("nn: part %d of %d (with exchange %v) is not a valid split", k, parts, ex != nil)
	}
	for i, l := range a.Layers {
		if parts > 1 && (l.Op == OpGlobalPool || l.Op == OpL2Norm) {
			return nil, fmt.Errorf("nn: layer %d (%s) cannot be split between parts: run the net whole", i, l.Op)
		}
	}
	return build(a, params, k, parts, ex, defaultConvPaths())
}

// share is part k's range [lo,hi) of n rows split between parts, on
// multiples of mr (the micro-kernel's rows) where n allows.
func share(n, k, parts int) (lo, hi int) {
	unit := 1
	if n%(mr*parts) == 0 {
		unit = mr
	}
	units := n / unit
	return k * units / parts * unit, (k + 1) * units / parts * unit
}

// sliceRows is rows [lo,hi) of w (the first dimension): a view, no copy.
func sliceRows(w Weight, lo, hi int) Weight {
	rows := w.Shape[0]
	shape := append([]int{hi - lo}, w.Shape[1:]...)
	out := Weight{Shape: shape, Group: w.Group}
	switch {
	case w.F32 != nil:
		per := len(w.F32) / rows
		out.F32 = w.F32[lo*per : hi*per]
	case w.Q8 != nil:
		per := len(w.Q8) / rows
		out.Q8, out.Scale = w.Q8[lo*per:hi*per], w.Scale[lo:hi]
	default:
		per, ns := len(w.Q4)/rows, len(w.Scale)/rows
		out.Q4, out.Scale = w.Q4[lo*per:hi*per], w.Scale[lo*ns:hi*ns]
	}
	return out
}

// splitLayer decides, while build walks the layers, what this part computes
// of layer ly and whether the parts exchange ly's input first. partial, lo
// and hi say which share of the activation flows in (in channels of its
// shape, when partial); it returns the share flowing out.
func (n *Net) splitLayer(ly *layer, params map[string]Weight, partial bool, lo, hi int) (bool, int, int) {
	mixes := func() {
		if partial {
			ly.sync = true
			ly.syncLo, ly.syncHi = lo*ly.in.H*ly.in.W, hi*ly.in.H*ly.in.W
		}
	}
	switch ly.op {
	case OpConv, OpLinear:
		mixes()
		rows := ly.out.C
		wide := ly.op == OpConv && max(ly.l.Groups, 1) == 1 && rows >= minSplitConv*n.parts ||
			ly.op == OpLinear && rows >= minSplitLinear*n.parts
		if !wide {
			return false, 0, 0
		}
		lo, hi := share(rows, n.part, n.parts)
		w := sliceRows(params[ly.l.Name+".weight"], lo, hi)
		b := sliceRows(params[ly.l.Name+".bias"], lo, hi)
		l := ly.l
		if ly.op == OpConv {
			l.OutC = hi - lo
			ly.conv = newConvLayer(l, ly.in, Shape{hi - lo, ly.out.H, ly.out.W}, w, b, n.paths)
		} else {
			l.Out = hi - lo
			ly.linear = newLinearLayer(l, w, b)
		}
		ly.lo, ly.hi = lo, hi
		return true, lo, hi
	case OpLRN:
		mixes()
		return false, 0, 0
	case OpFlatten:
		if partial {
			hw := ly.in.H * ly.in.W
			ly.lo, ly.hi = lo*hw, hi*hw
			return true, ly.lo, ly.hi
		}
		return false, 0, 0
	default: // channel by channel: ReLU, pools, dropout
		ly.lo, ly.hi = lo, hi
		return partial, lo, hi
	}
}

// partForward is LayerForward for a part net: layer i on its share, after
// an exchange of its input if it mixes channels. It reports false if the
// exchange failed.
func (n *Net) partForward(i int) bool {
	ly := &n.layers[i]
	src := n.in
	if i > 0 {
		src = n.outs[i-1]
	}
	if ly.sync && !n.exchange(src, ly.syncLo, ly.syncHi) {
		return false
	}
	if ly.hi == 0 { // whole
		n.LayerForward(i)
		return true
	}
	dst := n.outs[i]
	ohw, ihw := ly.out.H*ly.out.W, ly.in.H*ly.in.W
	c := ly.hi - ly.lo
	switch ly.op {
	case OpConv:
		ly.conv.forward(dst[ly.lo*ohw:ly.hi*ohw], src)
	case OpLinear:
		ly.linear.forward(dst[ly.lo:ly.hi], src)
	case OpReLU:
		rectify(dst[ly.lo*ohw:ly.hi*ohw], src[ly.lo*ihw:ly.hi*ihw])
	case OpMaxPool:
		maxPool2d(dst[ly.lo*ohw:ly.hi*ohw], src[ly.lo*ihw:ly.hi*ihw], ly.scratch, c, ly.in.H, ly.in.W, ly.out.H, ly.out.W, ly.l.Kernel, ly.l.Stride, ly.l.Pad)
	case OpAdaptiveAvgPool:
		adaptiveAvgPool2d(dst[ly.lo*ohw:ly.hi*ohw], src[ly.lo*ihw:ly.hi*ihw], c, ly.in.H, ly.in.W, ly.out.H, ly.out.W)
	case OpFlatten, OpDropout:
		// dst aliases src.
	}
	return true
}
