//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"syscall/js"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
)

// The classifier's worker, spoken to with package internal/protocol's
// messages. The page sends one request at a time (Root.engine is the gate).

// early is what boot.js started before the UI ran (window.alexnetEarly):
// the manifest, the worker's module being compiled, the worker itself, the
// default model's load. Undefined when boot.js did not set it.
func early() js.Value { return global.Get("alexnetEarly") }

// loadManifest reads manifest.json (boot.js's copy when it has one).
func loadManifest() (protocol.Manifest, error) {
	var m protocol.Manifest
	var j js.Value
	if e := early(); e.Truthy() && e.Get("manifest").Truthy() {
		j = e.Get("manifest")
	} else {
		resp, err := await(global.Call("fetch", "manifest.json", map[string]any{"cache": "no-cache"}))
		if err != nil {
			return m, err
		}
		if !resp.Get("ok").Bool() {
			return m, errors.New("manifest.json: HTTP " + strconv.Itoa(resp.Get("status").Int()))
		}
		if j, err = await(resp.Call("json")); err != nil {
			return m, err
		}
	}
	r, ok := port.Plain(j).(map[string]any)
	if !ok {
		return m, errors.New("manifest.json is not an object")
	}
	if err := protocol.DecodeInto(&m, r); err != nil {
		return m, errors.New("manifest.json: " + err.Error())
	}
	return m, m.Check()
}

type workerClient struct {
	w       js.Value
	next    int
	pending map[int]chan protocol.Message
	onMsg   js.Func
	onErr   js.Func
}

var wk *workerClient

// startWorker starts the classifier's worker, or adopts the one boot.js
// started. The page compiles the worker's WebAssembly itself (streaming,
// while the model downloads) and posts the compiled module: the page's
// fetches go through the service worker, so this also works offline.
func startWorker(m protocol.Manifest) error {
	if e := early(); e.Truthy() && e.Get("worker").Truthy() {
		wk = adoptWorker(e.Get("worker")) // boot.js started it and posts its module
		return nil
	}
	module := global.Get("WebAssembly").Call("compileStreaming", global.Call("fetch", m.Worker))
	w := global.Get("Worker").New("worker.js?exec=" + global.Call("encodeURIComponent", m.WasmExec).String())
	go func() {
		mod, err := await(module)
		if err != nil {
			port.Post(w, &protocol.ModuleError{Message: err.Error()})
			return
		}
		port.Post(w, &protocol.Module{Module: mod})
	}()
	wk = adoptWorker(w)
	return nil
}

// adoptWorker wraps a started worker.
func adoptWorker(w js.Value) *workerClient {
	c := &workerClient{w: w, pending: map[int]chan protocol.Message{}}
	c.onMsg = js.FuncOf(func(_ js.Value, a []js.Value) any {
		m, id, err := port.Read(a[0].Get("data"))
		ch, ok := c.pending[id]
		if !ok {
			return nil // Ready, or an answer to boot.js or a test
		}
		delete(c.pending, id)
		if err != nil {
			m = &protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: err.Error()}
		}
		ch <- m // buffered: never blocks
		return nil
	})
	c.onErr = js.FuncOf(func(_ js.Value, a []js.Value) any {
		msg := "the worker stopped"
		if len(a) > 0 && a[0].Get("message").Type() == js.TypeString {
			msg = a[0].Get("message").String()
		}
		for id, ch := range c.pending {
			delete(c.pending, id)
			ch <- &protocol.Error{ID: id, Message: msg}
		}
		return nil
	})
	w.Call("addEventListener", "message", c.onMsg)
	w.Call("addEventListener", "error", c.onErr)
	return c
}

// call posts the request that send makes with a fresh id and waits for its
// answer; an Error answer is returned as the error.
func (c *workerClient) call(send func(id int)) (protocol.Message, error) {
	c.next++
	id := c.next
	ch := make(chan protocol.Message, 1)
	c.pending[id] = ch
	send(id)
	m := <-ch
	if e, ok := m.(*protocol.Error); ok {
		return nil, e
	}
	return m, nil
}

func workerLoad(b modelBlob) (protocol.ModelInfo, error) {
	m, err := wk.call(func(id int) {
		port.Post(wk.w, &protocol.Load{ID: id, Bytes: b.bytes}, b.bytes.Get("buffer"))
	})
	if err != nil {
		return protocol.ModelInfo{}, err
	}
	l, ok := m.(*protocol.Loaded)
	if !ok {
		return protocol.ModelInfo{}, errors.New("the worker answered a load with " + m.Type())
	}
	return l.Info, nil
}

// workerClassify posts an image (a photo's File, or a camera frame's
// ImageBitmap, transferred, with live set) and waits for the answer.
func workerClassify(img handle, live bool) (protocol.Result, error) {
	m, err := wk.call(func(id int) {
		msg := &protocol.Classify{ID: id, Image: img, Live: live}
		if live {
			port.Post(wk.w, msg, img)
			return
		}
		port.Post(wk.w, msg)
	})
	if err != nil {
		return protocol.Result{}, err
	}
	r, ok := m.(*protocol.Result)
	if !ok {
		return protocol.Result{}, errors.New("the worker answered a frame with " + m.Type())
	}
	return *r, nil
}
