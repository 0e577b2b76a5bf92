//go:build js && wasm

package main

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"syscall/js"
	"time"

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

// The workers, one at a time: the page starts a new one when one stops
// (Root.reviveIfStopped). What outlives a worker is here.
var (
	wk           *workerClient
	workerMf     protocol.Manifest
	workerModule js.Value // a Promise of the compiled worker, for every worker
	// workerCurrent is the Load of the model in use (its ID unset), which a
	// new worker loads again: the last Load that succeeded, or a taught
	// model's file; ok is false before one (or after workerForgetModel). base
	// is the last Load that succeeded (UseBase's model).
	workerCurrent struct {
		load, base protocol.Load
		ok         bool
	}
	// restarts counts the workers that stopped by themselves since the
	// last classification that succeeded (workerRestart).
	restarts int
	// watch times every Classify (Watchdog).
	watch Watchdog
)

type workerClient struct {
	w       js.Value
	lock    string // the Web Lock the worker holds while it lives, or "" (no Web Locks API)
	next    int
	pending map[int]*request
	boot    *request // the default model's load that boot.js asked for (BootLoadID), until taken
	onMsg   js.Func
	onErr   js.Func
	onLock  js.Func // granted the lock: the worker is gone
	// stopped: the worker is gone (or ended by the page); why says why
	// (StopWords), "" when the page ended it.
	stopped bool
	why     string
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

// startWorker starts the classifier's worker, or adopts the one boot.js
// started (loading the default model, protocol.BootLoadID, when boot.js
// asked it to). The page compiles the worker's WebAssembly itself
// (streaming) and posts the compiled module: the page's fetches go
// through the service worker, so this also works offline.
func startWorker(m protocol.Manifest) error {
	workerMf = m
	if e := early(); e.Truthy() && e.Get("worker").Truthy() {
		workerModule = e.Get("module")
		lock := ""
		if l := e.Get("lock"); l.Type() == js.TypeString {
			lock = l.String()
		}
		wk = adoptWorker(e.Get("worker"), lock, e.Get("bootLoad").Truthy())
		// What the worker said before this client listened.
		kept := e.Call("takeMessages")
		for i := 0; i < kept.Length(); i++ {
			wk.receive(kept.Index(i))
		}
		return nil
	}
	wk = spawnWorker()
	return nil
}

// spawnWorker starts a worker and posts it the compiled module (compiled
// once, for the first worker that needs it).
func spawnWorker() *workerClient {
	url := "worker.js?exec=" + global.Call("encodeURIComponent", workerMf.WasmExec).String()
	lock := ""
	if global.Get("navigator").Get("locks").Truthy() {
		lock = "flowerscope-worker-" + strconv.FormatUint(rand.Uint64(), 36) // unique: locks are shared by the site's tabs
	}
	if !workerModule.Truthy() {
		workerModule = global.Get("WebAssembly").Call("compileStreaming", global.Call("fetch", workerMf.Worker))
	}
	w := global.Get("Worker").New(url)
	go func() {
		mod, err := await(workerModule)
		if err != nil {
			port.Post(w, &protocol.ModuleError{Message: err.Error()})
			return
		}
		port.Post(w, &protocol.Module{Module: mod, Lock: lock})
	}()
	return adoptWorker(w, lock, false)
}

// adoptWorker wraps a started worker; lock is the Web Lock it holds while it
// lives ("" for none), bootLoad says boot.js asked it for the default model.
func adoptWorker(w js.Value, lock string, bootLoad bool) *workerClient {
	c := &workerClient{w: w, lock: lock, pending: map[int]*request{}}
	if bootLoad {
		c.boot = newRequest()
		c.pending[protocol.BootLoadID] = c.boot
	}
	c.onMsg = js.FuncOf(func(_ js.Value, a []js.Value) any {
		c.receive(a[0].Get("data"))
		return nil
	})
	// An uncaught exception in the worker (a WebAssembly trap, a call into
	// a Go that exited): its Go cannot be trusted any more.
	c.onErr = js.FuncOf(func(_ js.Value, a []js.Value) any {
		why := "an error"
		if len(a) > 0 && a[0].Get("message").Type() == js.TypeString && a[0].Get("message").String() != "" {
			why = a[0].Get("message").String()
		}
		c.stop(StopWords(why), true)
		return nil
	})
	w.Call("addEventListener", "message", c.onMsg)
	w.Call("addEventListener", "error", c.onErr)
	return c
}

// watchLock asks for the worker's Web Lock, which is granted when the
// worker is gone, however it went (closed, terminated, crashed). Called on
// Ready: worker.js holds the lock before its Go starts.
func (c *workerClient) watchLock() {
	locks := global.Get("navigator").Get("locks")
	if c.lock == "" || !locks.Truthy() || c.onLock.Truthy() {
		return
	}
	c.onLock = js.FuncOf(func(js.Value, []js.Value) any {
		c.stop(StopWords(""), true)
		c.onLock.Release()
		return nil // releases the lock at once
	})
	locks.Call("request", c.lock, c.onLock)
}

// stop ends the worker: every request waiting fails with an Error of Kind
// ErrStopped and message why; notify tells the page (workerEvents), which
// it does not need when it asked for the stop itself. A second stop does
// nothing.
func (c *workerClient) stop(why string, notify bool) {
	if c.stopped {
		return
	}
	c.stopped = true
	if notify {
		c.why = why
	}
	c.w.Call("terminate")
	c.w.Call("removeEventListener", "message", c.onMsg)
	c.w.Call("removeEventListener", "error", c.onErr)
	c.onMsg.Release()
	c.onErr.Release() // (onLock is released when it is called: the lock is asked for still)
	for id, r := range c.pending {
		delete(c.pending, id)
		r.done <- &protocol.Error{ID: id, Kind: protocol.ErrStopped, Message: why}
	}
	c.boot = nil
	if notify {
		select {
		case workerEvents <- workerEvent{Stopped: true}:
		default:
		}
	}
}

// receive hands a message from the worker to the request it answers.
func (c *workerClient) receive(data js.Value) {
	m, id, err := port.Read(data)
	switch m := m.(type) {
	case *protocol.Ready:
		c.watchLock()
		return
	case *protocol.Exit:
		c.stop(StopWords(ExitWhy(*m)), true)
		return
	}
	r, ok := c.pending[id]
	if !ok {
		return // an answer to a test
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
// answer is returned as the error. After limitMs (0: never) it calls late
// once, in the waiting goroutine, and goes on waiting. A worker that
// stopped answers at once with ErrStopped.
func (c *workerClient) call(send func(id int), progress func(*protocol.Progress), limitMs float64, late func()) (protocol.Message, error) {
	c.next++
	id := c.next
	if c.stopped {
		return nil, &protocol.Error{ID: id, Kind: protocol.ErrStopped, Message: StopWords("")}
	}
	c.pending[id] = newRequest()
	r := c.pending[id]
	send(id)
	return c.wait(r, progress, limitMs, late)
}

func (c *workerClient) wait(r *request, progress func(*protocol.Progress), limitMs float64, late func()) (protocol.Message, error) {
	var timeout <-chan time.Time
	if limitMs > 0 {
		t := time.NewTimer(time.Duration(limitMs * float64(time.Millisecond)))
		defer t.Stop()
		timeout = t.C
	}
	for {
		select {
		case p := <-r.progress:
			if progress != nil {
				progress(p)
			}
		case <-timeout:
			timeout = nil
			late()
		case m := <-r.done:
			if e, ok := m.(*protocol.Error); ok {
				return nil, e
			}
			return m, nil
		}
	}
}

// workerStopped reports whether the worker stopped, and why (StopWords;
// "" when the page stopped it itself).
func workerStopped() (why string, stopped bool) { return wk.why, wk.stopped }

// workerRestart starts a new worker in place of the current one (ended if
// it still runs) and returns how many workers stopped by themselves since
// the last classification that succeeded. The new worker has no model yet.
func workerRestart() int {
	if wk.why != "" { // it stopped by itself, not because the page ended it
		restarts++
	}
	wk.stop(StopWords(""), false)
	wk = spawnWorker()
	return restarts
}

// workerStop ends the worker when a request is waiting for it (a pass
// that takes too long): the request fails with why. It reports whether
// it did.
func workerStop(why string) bool {
	if wk.stopped || len(wk.pending) == 0 {
		return false
	}
	wk.stop(why, false)
	return true
}

// workerLastLoad is the Load of the model in use, for a new worker; false
// when there is none.
func workerLastLoad() (protocol.Load, bool) { return workerCurrent.load, workerCurrent.ok }

// workerForgetModel makes a new worker load the default model, not the one in use.
func workerForgetModel() { workerCurrent.ok = false }

// loaded records the model the worker now uses, made by l (taught: the
// Teach view trained it, l holds its file): the one a new worker loads
// again, and the one the watchdog times.
func loaded(l protocol.Load, info protocol.ModelInfo, taught bool) {
	l.ID = 0
	workerCurrent.load, workerCurrent.ok = l, true
	if !taught {
		workerCurrent.base = l
	}
	watch.SetModel(info.FLOPs, l.URL != "" && l.URL == workerMf.Model)
}

// loadedBase records that the worker uses the base model again (UseBase).
func loadedBase(info protocol.ModelInfo) { loaded(workerCurrent.base, info, false) }

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
	info, cached, err := loadAnswer(wk.call(func(id int) {
		l.ID = id
		port.Post(wk.w, &l)
	}, progress, 0, nil))
	if err == nil {
		loaded(l, info, false)
	}
	return info, cached, err
}

// workerBootLoad waits for the default model's load that boot.js asked
// the worker for (protocol.BootLoadID); started is false when there is none
// (or it was taken already).
func workerBootLoad(progress func(*protocol.Progress)) (info protocol.ModelInfo, cached, started bool, err error) {
	r := wk.boot
	if r == nil || wk.stopped {
		return protocol.ModelInfo{}, false, false, nil
	}
	wk.boot = nil
	info, cached, err = loadAnswer(wk.wait(r, progress, 0, nil))
	if err == nil {
		loaded(defaultLoad(workerMf), info, false)
	}
	return info, cached, true, err
}

// watched is wk.call for a pass of the model, timed by the watchdog: a
// pass past its limit is reported on workerEvents (Slow), and again when
// it ends.
func watched(send func(id int)) (protocol.Message, error) {
	start, limit, expected := nowMs(), watch.LimitMs(), watch.ExpectedMs()
	overdue := false
	m, err := wk.call(send, nil, limit, func() {
		overdue = true
		tell(workerEvent{Slow: true, ElapsedMs: limit, ExpectedMs: expected})
	})
	if overdue && err == nil {
		tell(workerEvent{Slow: true, Done: true, ElapsedMs: nowMs() - start, ExpectedMs: expected})
	}
	return m, err
}

// workerClassify posts an image (a photo's File, or a camera frame's
// ImageBitmap, transferred, with live set) and waits for the answer. The
// watchdog times it: a pass past its limit is reported on workerEvents
// (Slow), and again when it ends.
func workerClassify(img handle, live bool) (protocol.Result, error) {
	m, err := watched(func(id int) {
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
	watch.Pass(r.Ms)
	restarts = 0
	return *r, nil
}

// tell sends the page an event, never blocking.
func tell(e workerEvent) {
	select {
	case workerEvents <- e:
	default:
	}
}
