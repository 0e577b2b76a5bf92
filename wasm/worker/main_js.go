//go:build js && wasm

package main

import (
	"sync"
	"syscall/js"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
)

// The worker speaks package internal/protocol: Load, Classify, Tensor,
// Explain, Activations and Filters from the page, each answered with the same id; Ready once at start; as a
// helper (globalThis.alexnetRole "helper") it takes only Split.
//
// worker.js boots this program and forwards every message to
// globalThis.alexnetWorkerHandle, which main installs. Messages are
// handled one at a time, in the order they arrive: there is no "busy"
// here; the page decides what waits and what is dropped.

var (
	self   = js.Global()
	engine Engine
	frame  []byte // reused frame buffer: one allocation for a stream of frames
)

// maxQueued bounds the messages waiting while one is handled. The page
// sends one request at a time; more means a runaway sender, which gets
// errors.
const maxQueued = 64

// inbox is the queue between the message callback and the one goroutine
// that handles messages.
var inbox struct {
	mu   sync.Mutex
	msgs []js.Value
	wake chan struct{}
}

func main() {
	serve := dispatch
	if self.Get("alexnetRole").String() == "helper" {
		serve = func(data js.Value) {
			if m, _, err := port.Read(data); err == nil {
				if s, ok := m.(*protocol.Split); ok {
					runHelper(s)
				}
			}
		}
	}
	inbox.wake = make(chan struct{}, 1)
	handle := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 {
			return nil
		}
		// Never block in a callback: queue the message for the handler.
		inbox.mu.Lock()
		full := len(inbox.msgs) >= maxQueued
		if !full {
			inbox.msgs = append(inbox.msgs, args[0])
		}
		inbox.mu.Unlock()
		if full {
			_, id, _ := port.Read(args[0])
			reply(&protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: "worker: too many messages at once"})
			return nil
		}
		select {
		case inbox.wake <- struct{}{}:
		default:
		}
		return nil
	})
	defer handle.Release()
	self.Set("alexnetWorkerHandle", handle)
	reply(&protocol.Ready{})
	for range inbox.wake { // serve until the worker is terminated
		for {
			inbox.mu.Lock()
			if len(inbox.msgs) == 0 {
				inbox.mu.Unlock()
				break
			}
			data := inbox.msgs[0]
			inbox.msgs = inbox.msgs[1:]
			inbox.mu.Unlock()
			serve(data)
		}
	}
}

func reply(m protocol.Message, transfer ...any) { port.Post(self, m, transfer...) }

func dispatch(data js.Value) {
	m, id, err := port.Read(data)
	if err != nil {
		reply(&protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: err.Error()})
		return
	}
	// syscall/js panics on a wrong type (say, pixels that are not a typed
	// array): answer with an error instead of stopping the worker.
	defer func() {
		if r := recover(); r != nil {
			reply(&protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: "malformed " + m.Type() + " message"})
		}
	}()
	switch m := m.(type) {
	case *protocol.Load:
		load(m)
	case *protocol.Classify:
		classify(m)
	case *protocol.Tensor:
		tensor(m)
	case *protocol.Explain:
		explainImage(m)
	case *protocol.Activations:
		activations(m)
	case *protocol.Filters:
		filters(m)
	case *protocol.Helper:
		helperMessage(m.Msg)
	case *protocol.TeachAdd:
		teachAdd(m)
	case *protocol.TeachTrain:
		teachTrain(m)
	case *protocol.UseBase:
		useBase(m)
	case *protocol.Forget:
		forget(m)
	default:
		reply(&protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: "worker: unexpected " + m.Type() + " message"})
	}
}

func classify(m *protocol.Classify) {
	ok := onImage(m.ID, m.Image, m.Live, m.Thumb, func(img picture) (protocol.Message, error) {
		r, err := engine.Classify(img.pix, img.w, img.h, img.crop)
		r.ID = m.ID
		if !m.Probs {
			r.Probs = nil
		}
		if img.thumb.Truthy() {
			r.Thumb = img.thumb
		}
		r.SourceWidth, r.SourceHeight, r.Width, r.Height = img.sourceW, img.sourceH, img.w, img.h
		return &r, err
	})
	if ok && split.model != nil {
		b := split.model
		split.model = nil
		startSplit(b)
	}
}

func tensor(m *protocol.Tensor) {
	onImage(m.ID, m.Image, false, 0, func(img picture) (protocol.Message, error) {
		x, err := engine.Tensor(img.pix, img.w, img.h)
		u8 := js.Global().Get("Uint8Array").New(4 * len(x))
		js.CopyBytesToJS(u8, floatBytes(x))
		return &protocol.TensorData{ID: m.ID, Data: js.Global().Get("Float32Array").New(u8.Get("buffer"))}, err
	})
}

// onImage reads a request's image (readImage) and answers with what f
// makes of its pixels, or with the error of either; it reports success.
// thumb > 0 asks readImage for a thumbnail too.
func onImage(id int, image any, live bool, thumb int, f func(picture) (protocol.Message, error)) bool {
	img, perr := readImage(id, image, live, thumb)
	if perr != nil {
		reply(perr)
		return false
	}
	m, err := f(img)
	if err != nil {
		reply(&protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: err.Error()})
		return false
	}
	reply(m)
	return true
}
