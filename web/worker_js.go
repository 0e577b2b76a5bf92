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
// the manifest, the worker (loading the default model when bootLoad is
// set), and takeMessages, which returns what the worker said before the UI
// listened. Undefined when boot.js did not set it.
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
	pending map[int]*request
	boot    *request // the default model's load that boot.js asked for (BootLoadID), until taken
	onMsg   js.Func
	onErr   js.Func
}

// request is one request waiting for its answer; the worker's callbacks
// only hand messages over (never blocking), the waiting goroutine acts.
type request struct {
	done     chan protocol.Message   // the answer (cap 1)
	progress chan *protocol.Progress // the latest Progress not yet taken (cap 1)
}

func newRequest() *request {
	return &request{done: make(chan protocol.Message, 1), progress: make(chan *protocol.Progress, 1)}
}

var wk *workerClient

// startWorker starts the classifier's worker, or adopts the one boot.js
// started (loading the default model, protocol.BootLoadID, when boot.js
// asked it to). The page compiles the worker's WebAssembly itself
// (streaming) and posts the compiled module: the page's fetches go
// through the service worker, so this also works offline.
func startWorker(m protocol.Manifest) error {
	if e := early(); e.Truthy() && e.Get("worker").Truthy() {
		wk = adoptWorker(e.Get("worker"), e.Get("bootLoad").Truthy())
		// What the worker said before this client listened.
		kept := e.Call("takeMessages")
		for i := 0; i < kept.Length(); i++ {
			wk.receive(kept.Index(i))
		}
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
	wk = adoptWorker(w, false)
	return nil
}

// adoptWorker wraps a started worker; bootLoad says boot.js asked it for
// the default model.
func adoptWorker(w js.Value, bootLoad bool) *workerClient {
	c := &workerClient{w: w, pending: map[int]*request{}}
	if bootLoad {
		c.boot = newRequest()
		c.pending[protocol.BootLoadID] = c.boot
	}
	c.onMsg = js.FuncOf(func(_ js.Value, a []js.Value) any {
		c.receive(a[0].Get("data"))
		return nil
	})
	c.onErr = js.FuncOf(func(_ js.Value, a []js.Value) any {
		msg := "the worker stopped"
		if len(a) > 0 && a[0].Get("message").Type() == js.TypeString {
			msg = a[0].Get("message").String()
		}
		for id, r := range c.pending {
			delete(c.pending, id)
			r.done <- &protocol.Error{ID: id, Message: msg}
		}
		return nil
	})
	w.Call("addEventListener", "message", c.onMsg)
	w.Call("addEventListener", "error", c.onErr)
	return c
}

// receive hands a message from the worker to the request it answers.
func (c *workerClient) receive(data js.Value) {
	m, id, err := port.Read(data)
	r, ok := c.pending[id]
	if !ok {
		return // Ready, or an answer to a test
	}
	if p, ok := m.(*protocol.Progress); ok && err == nil {
		select { // the latest wins
		case <-r.progress:
		default:
		}
		r.progress <- p
		return
	}
	delete(c.pending, id)
	if err != nil {
		m = &protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: err.Error()}
	}
	r.done <- m // buffered: never blocks
}

// call posts the request that send makes with a fresh id and waits for its
// answer, passing Progress on to progress (which may be nil); an Error
// answer is returned as the error.
func (c *workerClient) call(send func(id int), progress func(*protocol.Progress)) (protocol.Message, error) {
	c.next++
	id := c.next
	c.pending[id] = newRequest()
	r := c.pending[id]
	send(id)
	return c.wait(r, progress)
}

func (c *workerClient) wait(r *request, progress func(*protocol.Progress)) (protocol.Message, error) {
	for {
		select {
		case p := <-r.progress:
			if progress != nil {
				progress(p)
			}
		case m := <-r.done:
			if e, ok := m.(*protocol.Error); ok {
				return nil, e
			}
			return m, nil
		}
	}
}

// loadAnswer turns a Load's answer into the model's info.
func loadAnswer(m protocol.Message, err error) (protocol.ModelInfo, bool, error) {
	if err != nil {
		return protocol.ModelInfo{}, false, err
	}
	l, ok := m.(*protocol.Loaded)
	if !ok {
		return protocol.ModelInfo{}, false, errors.New("the worker answered a load with " + m.Type())
	}
	return l.Info, l.Cached, nil
}

// workerLoad asks the worker to load l (its ID is set here), reporting
// Progress, and returns the model's info and whether it came from the
// cache.
func workerLoad(l protocol.Load, progress func(*protocol.Progress)) (protocol.ModelInfo, bool, error) {
	return loadAnswer(wk.call(func(id int) {
		l.ID = id
		port.Post(wk.w, &l)
	}, progress))
}

// workerBootLoad waits for the default model's load that boot.js asked
// the worker for (protocol.BootLoadID); started is false when there is none
// (or it was taken already).
func workerBootLoad(progress func(*protocol.Progress)) (info protocol.ModelInfo, cached, started bool, err error) {
	r := wk.boot
	if r == nil {
		return protocol.ModelInfo{}, false, false, nil
	}
	wk.boot = nil
	info, cached, err = loadAnswer(wk.wait(r, progress))
	return info, cached, true, err
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
	}, nil)
	if err != nil {
		return protocol.Result{}, err
	}
	r, ok := m.(*protocol.Result)
	if !ok {
		return protocol.Result{}, errors.New("the worker answered a frame with " + m.Type())
	}
	return *r, nil
}
