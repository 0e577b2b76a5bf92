//go:build js && wasm

package main

import (
	"slices"
	"strconv"
	"syscall/js"
	"time"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
)

// The one model loader of the app: the worker fetches a weight file
// itself, from its Cache API first for a content-hashed default, else
// over the network with Progress, straight into Go memory; verifies it
// (Engine.Load); and keeps a verified download in the Cache API for the
// next visit and for offline use. The page only says what to load.

// ModelCache is the Cache API cache that holds the verified default model
// (only the newest: older versions are dropped).
const ModelCache = "flowerscope-models-v1"

// progressGapMs is the least time between two Progress messages.
const progressGapMs = 50

func load(m *protocol.Load) {
	var buf []byte
	var cached bool
	var keep js.Value // the download's chunks, to cache once verified
	var perr *protocol.Error
	switch {
	case m.URL != "":
		buf, cached, keep, perr = fetchModel(m)
	case m.Kept:
		buf, perr = readKept(m.ID) // kept_js.go
	default:
		buf, perr = readBytes(m.ID, m.Bytes)
	}
	if perr != nil {
		reply(perr)
		return
	}
	reply(&protocol.Progress{ID: m.ID, Phase: protocol.PhaseVerify, Loaded: int64(len(buf)), Total: int64(len(buf)), Cached: cached})
	info, err := engine.Load(buf)
	if err != nil && cached {
		// A cached copy that no longer verifies: drop it and download.
		if c, ok := openCache(); ok {
			port.Await(c.Call("delete", m.URL))
		}
		buf, cached, keep, perr = fetchModel(&protocol.Load{ID: m.ID, URL: m.URL, Size: m.Size})
		if perr != nil {
			reply(perr)
			return
		}
		reply(&protocol.Progress{ID: m.ID, Phase: protocol.PhaseVerify, Loaded: int64(len(buf)), Total: int64(len(buf))})
		info, err = engine.Load(buf)
	}
	if err != nil {
		reply(&protocol.Error{ID: m.ID, Kind: protocol.ErrModel, Message: err.Error(), Problem: WeightProblem(err)})
		return
	}
	if m.Keep {
		keepModel(buf)
	}
	// The helper starts after the first classification of this model
	// (classify), not now: during a cold start the page is still busy, and
	// the first result comes sooner with two cores than with three
	// threads on them.
	stopSplit()
	split.model = buf
	if lm := engine.Model(); IsTaught(lm) {
		split.model = nil // runs whole: nn.NewPart refuses globalpool
	} else {
		teacher.Loaded(lm, buf)
	}
	reply(&protocol.Loaded{ID: m.ID, Info: info, Cached: cached})
	if m.Cache && keep.Truthy() {
		cacheModel(m.URL, keep)
	}
}

// readBytes copies a Load's Bytes (a Uint8Array, or a File or Blob) into Go.
func readBytes(id int, b any) ([]byte, *protocol.Error) {
	v, ok := b.(js.Value)
	if !ok || v.Type() != js.TypeObject {
		return nil, &protocol.Error{ID: id, Kind: protocol.ErrModel, Message: "no weight bytes in the message"}
	}
	tooLarge := &protocol.Error{ID: id, Kind: protocol.ErrModel, Message: "the file is larger than " + strconv.Itoa(maxModelBytes>>20) + " MiB", Problem: protocol.ProblemTooLarge}
	if v.InstanceOf(js.Global().Get("Blob")) {
		if v.Get("size").Float() > maxModelBytes {
			return nil, tooLarge
		}
		ab, err := port.Await(v.Call("arrayBuffer"))
		if err != nil {
			return nil, &protocol.Error{ID: id, Kind: protocol.ErrModel, Message: "the file could not be read: " + err.Error()}
		}
		v = js.Global().Get("Uint8Array").New(ab)
	}
	if v.Get("byteLength").Type() != js.TypeNumber {
		return nil, &protocol.Error{ID: id, Kind: protocol.ErrModel, Message: "no weight bytes in the message"}
	}
	if v.Get("byteLength").Float() > maxModelBytes {
		return nil, tooLarge
	}
	buf := make([]byte, v.Get("byteLength").Int())
	js.CopyBytesToGo(buf, v)
	return buf, nil
}

func openCache() (js.Value, bool) {
	caches := self.Get("caches")
	if !caches.Truthy() {
		return js.Value{}, false
	}
	c, err := port.Await(caches.Call("open", ModelCache))
	return c, err == nil
}

// fetchModel returns the weight file at m.URL: from the Cache API when
// m.Cache and it is there, else downloaded with Progress (keep: its
// chunks, for the cache).
func fetchModel(m *protocol.Load) (buf []byte, cached bool, keep js.Value, perr *protocol.Error) {
	fail := func(msg string) ([]byte, bool, js.Value, *protocol.Error) {
		return nil, false, js.Value{}, &protocol.Error{ID: m.ID, Kind: protocol.ErrDownload, Message: msg}
	}
	var resp js.Value
	if c, ok := openCache(); m.Cache && ok {
		if hit, err := port.Await(c.Call("match", m.URL)); err == nil && hit.Truthy() {
			resp, cached = hit, true
		}
	}
	// worker.js may have started this request before Go ran (a cold
	// start); a cache hit leaves it unused.
	var early js.Value
	if f := self.Get("alexnetEarlyModel"); f.Type() == js.TypeFunction {
		early = f.Invoke(m.URL)
	}
	if !cached {
		var r js.Value
		var err error
		if early.Truthy() {
			r, err = port.Await(early)
		}
		if err == nil && !r.Truthy() {
			r, err = port.Await(js.Global().Call("fetch", m.URL, map[string]any{"cache": "no-cache"}))
		}
		if err != nil {
			return fail("network error (" + err.Error() + ")")
		}
		if !r.Get("ok").Bool() {
			return fail("HTTP " + strconv.Itoa(r.Get("status").Int()) + " for " + m.URL)
		}
		resp = r
	}
	total := m.Size
	h := resp.Get("headers")
	if cl := h.Call("get", "content-length"); cl.Type() == js.TypeString && !h.Call("get", "content-encoding").Truthy() {
		if n, err := strconv.ParseInt(cl.String(), 10, 64); err == nil && n > 0 {
			total = n
		}
	}
	if total > 0 && total <= maxModelBytes {
		buf = make([]byte, 0, total)
	}
	chunks := js.Global().Get("Array").New()
	reader := resp.Get("body").Call("getReader")
	last := time.Time{}
	reply(&protocol.Progress{ID: m.ID, Phase: protocol.PhaseDownload, Total: total, Cached: cached})
	for {
		r, err := port.Await(reader.Call("read"))
		if err != nil {
			return fail("download interrupted (" + err.Error() + ")")
		}
		if r.Get("done").Bool() {
			break
		}
		v := r.Get("value")
		n := v.Length()
		if int64(len(buf)+n) > maxModelBytes {
			return fail("the file is larger than " + strconv.Itoa(maxModelBytes>>20) + " MiB")
		}
		buf = slices.Grow(buf, n)[:len(buf)+n]
		js.CopyBytesToGo(buf[len(buf)-n:], v)
		if !cached {
			chunks.Call("push", v)
		}
		if time.Since(last) >= progressGapMs*time.Millisecond {
			last = time.Now()
			reply(&protocol.Progress{ID: m.ID, Phase: protocol.PhaseDownload, Loaded: int64(len(buf)), Total: max(total, int64(len(buf))), Cached: cached})
		}
	}
	reply(&protocol.Progress{ID: m.ID, Phase: protocol.PhaseDownload, Loaded: int64(len(buf)), Total: int64(len(buf)), Cached: cached})
	if !cached {
		keep = chunks
	}
	return buf, cached, keep, nil
}

// maxModelBytes bounds a weight file, downloaded or dropped: the largest
// AlexNet in float32 is about 250 MB.
const maxModelBytes = 1 << 30

// cacheModel stores a verified download and drops the other entries.
func cacheModel(url string, chunks js.Value) {
	c, ok := openCache()
	if !ok {
		return
	}
	blob := js.Global().Get("Blob").New(chunks)
	resp := js.Global().Get("Response").New(blob, map[string]any{"headers": map[string]any{"Content-Type": "application/octet-stream"}})
	if _, err := port.Await(c.Call("put", url, resp)); err != nil {
		return
	}
	keys, err := port.Await(c.Call("keys"))
	if err != nil {
		return
	}
	want := js.Global().Get("URL").New(url, self.Get("location").Get("href")).Get("href").String()
	for i := 0; i < keys.Length(); i++ {
		if k := keys.Index(i); k.Get("url").String() != want {
			c.Call("delete", k)
		}
	}
}
