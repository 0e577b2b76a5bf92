//go:build js && wasm

package main

// The second core: each forward pass split with a helper worker.
//
// After the first classification with a newly loaded model, this worker
// (the page's) asks worker.js for a helper
// (alexnetSpawnHelper, defined only on cross-origin isolated pages, where
// SharedArrayBuffer exists): a second instance of this program in a nested
// Web Worker. It posts the helper a SharedArrayBuffer and a copy of the
// weight file; the helper builds part 1 of 2 of the net (nn.NewPart),
// answers "split-ready" and then runs passes for ever, each one starting
// when this worker's first exchange (the input) arrives. From then on this
// worker classifies with part 0 (classifier.Split). The parts exchange
// their shares through the buffer:
//
//	Int32 [0], [1]   exchanges completed by part 0 and by part 1
//	bytes 64...      two regions of maxFloats float32s, for alternate exchanges
//
// Part k writes its share of exchange n into region n%2 at the share's own
// offset, stores n in its counter and notifies (alexnetSync in worker.js),
// waits until the other's counter reaches n, and reads the rest of the
// region. Two regions suffice: a part starts exchange n+2 only after the
// other reached n+1, so after it finished reading n.
//
// If the helper does not answer within splitTimeoutMs, this worker stops it
// and the classifier runs whole passes again (classifier.Split falls back by
// itself); the next model load tries again. A helper whose Go exits (out of
// memory, say) posts protocol.Exit, and this worker stops it at once, so
// the next pass does not wait for it.

import (
	"runtime"
	"syscall/js"
	"unsafe"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
	"alexnet/nn"
	"alexnet/weights"
)

const (
	splitTimeoutMs = 3000
	ctlBytes       = 64
)

// link is one part's end of the shared buffer.
type link struct {
	ctl     js.Value    // Int32Array over the control words
	regions [2]js.Value // Uint8Array over each region
	views   map[[3]int]js.Value
	sync    js.Value // worker.js's alexnetSync
	me, n   int
	timeout float64 // ms; 0 waits for ever
	failed  bool
	onFail  func()
}

func newLink(sab js.Value, me, floats int, timeout float64) *link {
	l := &link{
		ctl:   js.Global().Get("Int32Array").New(sab, 0, 2),
		views: map[[3]int]js.Value{},
		sync:  self.Get("alexnetSync"), me: me, timeout: timeout,
	}
	for r := range l.regions {
		l.regions[r] = js.Global().Get("Uint8Array").New(sab, ctlBytes+r*4*floats, 4*floats)
	}
	return l
}

// view is the bytes of floats [lo,hi) of region r, made once per range
// (a pass uses the same few ranges every time).
func (l *link) view(r, lo, hi int) js.Value {
	k := [3]int{r, lo, hi}
	v, ok := l.views[k]
	if !ok {
		v = l.regions[r].Call("subarray", 4*lo, 4*hi)
		l.views[k] = v
	}
	return v
}

// exchange is the part's nn.Exchange.
func (l *link) exchange(act []float32, lo, hi int) bool {
	if l.failed {
		return false
	}
	l.n++
	r := l.n & 1
	if hi > lo {
		js.CopyBytesToJS(l.view(r, lo, hi), floatBytes(act[lo:hi]))
	}
	if l.sync.Invoke(l.ctl, l.me, l.n, l.timeout).Int() != 1 {
		l.failed = true
		if l.onFail != nil {
			l.onFail()
		}
		return false
	}
	if lo > 0 {
		js.CopyBytesToGo(floatBytes(act[:lo]), l.view(r, 0, lo))
	}
	if hi < len(act) {
		js.CopyBytesToGo(floatBytes(act[hi:]), l.view(r, hi, len(act)))
	}
	return true
}

// floatBytes is x's memory as bytes (wasm is little-endian, as are
// Float32Arrays).
func floatBytes(x []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 4*len(x))
}

// maxFloats is the largest activation of a: the input or a layer's output.
func maxFloats(a nn.Arch) int {
	n := a.InC * a.InH * a.InW
	shapes, _ := a.Shapes()
	for _, s := range shapes {
		n = max(n, s.Len())
	}
	return n
}

// The main worker's side.
var split struct {
	model   []byte // the weight file just loaded, until startSplit takes it
	gen     int
	helper  js.Value // the helper Worker, or undefined
	pending *nn.Net  // part 0, until the helper is ready
}

// startSplit starts a helper for the model just loaded from b.
func startSplit(b []byte) {
	stopSplit()
	spawn := self.Get("alexnetSpawnHelper")
	if spawn.Type() != js.TypeFunction || engine.c == nil {
		return
	}
	m := engine.c.Model()
	floats := maxFloats(m.Arch)
	sab := js.Global().Get("SharedArrayBuffer").New(ctlBytes + 2*4*floats)
	l := newLink(sab, 0, floats, splitTimeoutMs)
	part, err := m.NetPart(0, 2, l.exchange)
	if err != nil {
		return
	}
	helper := spawn.Invoke()
	if helper.Type() != js.TypeObject {
		return
	}
	split.gen++
	split.helper, split.pending = helper, part
	gen := split.gen
	l.onFail = func() { // within a pass: the classifier drops the part itself
		if split.gen == gen {
			stopSplit()
		}
	}
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	port.Post(helper, &protocol.Split{Gen: gen, Shared: sab, Bytes: u8})
}

// stopSplit ends the current helper, if any. The classifier keeps a part
// it was given only until its next failed exchange, which the terminated
// helper guarantees; Load replaces the classifier anyway.
func stopSplit() {
	if split.helper.Type() == js.TypeObject {
		split.helper.Call("terminate")
	}
	split.helper, split.pending = js.Undefined(), nil
	split.gen++
}

// helperMessage handles what the helper posts (worker.js wraps it in a
// protocol.Helper).
func helperMessage(msg map[string]any) {
	m, err := protocol.Decode(msg)
	if err != nil {
		return
	}
	switch m := m.(type) {
	case *protocol.SplitReady:
		if m.Gen == split.gen && split.pending != nil && engine.c != nil {
			engine.c.Split(split.pending)
			split.pending = nil
		}
	case *protocol.SplitError: // from the helper, or from worker.js (Gen 0) when it failed to run
		if m.Gen == 0 || m.Gen == split.gen {
			stopSplit()
		}
	case *protocol.Exit: // the helper's Go stopped (out of memory, say): passes run whole
		stopSplit()
	}
}

// The helper's side: build part 1 and run passes for ever. It never
// returns to the event loop; the main worker terminates it.
func runHelper(msg *protocol.Split) {
	gen := msg.Gen
	b, ok := msg.Bytes.(js.Value)
	sab, ok2 := msg.Shared.(js.Value)
	if !ok || !ok2 {
		port.Post(self, &protocol.SplitError{Gen: gen, Message: "malformed split message"})
		return
	}
	buf := make([]byte, b.Get("byteLength").Int())
	js.CopyBytesToGo(buf, b)
	m, err := weights.Decode(buf)
	if err != nil {
		port.Post(self, &protocol.SplitError{Gen: gen, Message: err.Error()})
		return
	}
	l := newLink(sab, 1, maxFloats(m.Arch), 0)
	net, err := m.NetPart(1, 2, l.exchange)
	if err != nil {
		port.Post(self, &protocol.SplitError{Gen: gen, Message: err.Error()})
		return
	}
	port.Post(self, &protocol.SplitReady{Gen: gen})
	x := make([]float32, m.Arch.InC*m.Arch.InH*m.Arch.InW) // ignored: part 0's input is the pass's
	for passes := 1; ; passes++ {
		net.Forward(x)
		if passes%GCEvery == 0 {
			runtime.GC() // the js calls leave a little garbage, as in Engine.Classify
		}
	}
}
