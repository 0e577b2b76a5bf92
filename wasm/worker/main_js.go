//go:build js && wasm

package main

import (
	"syscall/js"
	"unsafe"
)

// The message protocol between the page and this worker. Every request
// carries an id that the answer repeats.
//
//	page -> worker  {type:"load", id, bytes: Uint8Array}           a weight file
//	worker -> page  {type:"loaded", id, info:{name, arch, labels, quant, params, bytes, loadMs, inW, inH, resize, threshold}}
//	page -> worker  {type:"classify", id, pixels: Uint8ClampedArray, width, height}
//	page -> worker  {type:"classify", id, bitmap: ImageBitmap}     worker.js draws it and passes its pixels on
//	worker -> page  {type:"result", id, top:[{label, index, prob}], notSure, ms, workers}
//	worker -> page  {type:"dropped", id}                            busy: frames are never queued
//	page -> worker  {type:"tensor", id, pixels, width, height}     the preprocessed input (tests)
//	worker -> page  {type:"tensor", id, data: Float32Array}
//	worker -> page  {type:"error", id, kind:"model"|"frame", message}
//	worker -> page  {type:"ready"}                                  once, when Go has started
//
// workers is 2 when the pass was split with a helper worker (split_js.go),
// else 1. Messages from the helper arrive as {type:"helper", msg}.
//
// worker.js boots this program and forwards every message to
// globalThis.alexnetWorkerHandle, which main installs. As a helper
// (globalThis.alexnetRole "helper") it takes only {type:"split"}.

var (
	self   = js.Global()
	engine Engine
	frame  []byte // reused frame buffer: one allocation for a stream of frames
)

func main() {
	serve := dispatch
	if self.Get("alexnetRole").String() == "helper" {
		serve = func(msg js.Value) {
			if msg.Type() == js.TypeObject && msg.Get("type").String() == "split" {
				runHelper(msg)
			}
		}
	}
	handle := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 {
			return nil
		}
		// Never block in a callback: the work runs in a goroutine once the
		// callback has returned.
		go serve(args[0])
		return nil
	})
	defer handle.Release()
	self.Set("alexnetWorkerHandle", handle)
	post(obj("type", "ready"))
	select {} // serve until the worker is terminated
}

func dispatch(msg js.Value) {
	if msg.Type() != js.TypeObject {
		post(errorMsg(js.Undefined(), "frame", "malformed message"))
		return
	}
	id := msg.Get("id")
	// syscall/js panics on a wrong type (say, pixels that are not a typed
	// array): answer with an error instead of stopping the worker.
	defer func() {
		if r := recover(); r != nil {
			post(errorMsg(id, "frame", "malformed message"))
		}
	}()
	switch msg.Get("type").String() {
	case "load":
		b := msg.Get("bytes")
		if b.Type() != js.TypeObject || b.Get("byteLength").Type() != js.TypeNumber {
			post(errorMsg(id, "model", "no weight bytes in the message"))
			return
		}
		buf := make([]byte, b.Get("byteLength").Int())
		js.CopyBytesToGo(buf, b)
		info, err := engine.Load(buf)
		if err != nil {
			post(errorMsg(id, "model", err.Error()))
			return
		}
		// The helper starts after the first classification of this model
		// (below), not now: during a cold start the page is still busy, and
		// the first result comes sooner with two cores than with three
		// threads on them.
		stopSplit()
		split.model = buf
		labels := make([]any, len(info.Labels))
		for i, l := range info.Labels {
			labels[i] = l
		}
		post(obj("type", "loaded", "id", id, "info", obj(
			"name", info.Name, "arch", info.Arch, "labels", labels, "quant", info.Quant,
			"params", info.Params, "bytes", info.Bytes, "loadMs", info.LoadMs,
			"inW", info.InW, "inH", info.InH, "resize", info.Resize, "threshold", float64(info.Threshold))))
	case "tensor":
		p, w, h := msg.Get("pixels"), msg.Get("width"), msg.Get("height")
		buf := make([]byte, p.Get("byteLength").Int())
		js.CopyBytesToGo(buf, p)
		x, err := engine.Tensor(buf, w.Int(), h.Int())
		if err != nil {
			post(errorMsg(id, "frame", err.Error()))
			return
		}
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 4*len(x)) // wasm is little-endian, as Float32Array
		u8 := js.Global().Get("Uint8Array").New(len(b))
		js.CopyBytesToJS(u8, b)
		post(obj("type", "tensor", "id", id, "data", js.Global().Get("Float32Array").New(u8.Get("buffer"))))
	case "classify":
		if engine.busy {
			post(obj("type", "dropped", "id", id))
			return
		}
		p := msg.Get("pixels")
		w, h := msg.Get("width"), msg.Get("height")
		if p.Type() != js.TypeObject || w.Type() != js.TypeNumber || h.Type() != js.TypeNumber {
			post(errorMsg(id, "frame", "malformed frame message"))
			return
		}
		n := p.Get("byteLength").Int()
		if n < 0 || n > MaxSide*MaxSide*4 {
			post(errorMsg(id, "frame", "frame too large"))
			return
		}
		if cap(frame) < n {
			frame = make([]byte, n)
		}
		frame = frame[:n]
		js.CopyBytesToGo(frame, p)
		r, err := engine.Classify(frame, w.Int(), h.Int())
		if err == ErrBusy {
			post(obj("type", "dropped", "id", id))
			return
		}
		if err != nil {
			post(errorMsg(id, "frame", err.Error()))
			return
		}
		top := make([]any, len(r.Top))
		for i, p := range r.Top {
			top[i] = obj("label", p.Label, "index", p.Index, "prob", float64(p.Prob))
		}
		workers := 1
		if engine.c.Splitting() {
			workers = 2
		}
		post(obj("type", "result", "id", id, "top", top, "notSure", r.NotSure, "ms", r.Ms, "workers", workers))
		if split.model != nil {
			b := split.model
			split.model = nil
			startSplit(b)
		}
	case "helper":
		helperMessage(msg.Get("msg"))
	default:
		post(errorMsg(id, "frame", "unknown message type"))
	}
}

func errorMsg(id js.Value, kind, message string) map[string]any {
	return obj("type", "error", "id", id, "kind", kind, "message", message)
}

// obj builds a plain object from key, value pairs (js.ValueOf converts
// maps and slices of any).
func obj(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func post(m map[string]any) { self.Call("postMessage", js.ValueOf(m)) }
