//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"syscall/js"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
)

// The weight file: choose it, fetch it with progress, cache it, read a
// dropped one.

const modelCache = "flowerscope-models-v1"

// chooseModelURL is ?model= when it names a same-origin URL, else the
// default from the manifest.
func chooseModelURL(m protocol.Manifest) (string, bool, error) {
	loc := global.Get("location")
	q := global.Get("URLSearchParams").New(loc.Get("search")).Call("get", "model")
	if q.Type() != js.TypeString || q.String() == "" {
		return m.Model, false, nil
	}
	u, err := newURL(q.String(), loc.Get("href").String())
	if err != nil || u.Get("origin").String() != loc.Get("origin").String() {
		return m.Model, false, errors.New("?model= must name a file on this site; using the default model instead.")
	}
	return u.Get("href").String(), true, nil
}

func newURL(s, base string) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("bad URL")
		}
	}()
	return global.Get("URL").New(s, base), nil
}

// fetchModel returns the weight file at url from the Cache API when it is
// there (cacheable: content-hashed default names), else downloads it,
// reporting progress.
// expected is the size to show progress against when the response does
// not say it (a compressed response's Content-Length is not the size).
func fetchModel(url string, cacheable bool, expected int64, progress func(loaded, total int64)) (modelBlob, bool, error) {
	var cache js.Value
	if caches := global.Get("caches"); cacheable && caches.Truthy() {
		if c, err := await(caches.Call("open", modelCache)); err == nil {
			cache = c
		}
	}
	cachedBlob := func(hit js.Value) (modelBlob, bool) {
		ab, err := await(hit.Call("arrayBuffer"))
		if err != nil {
			return modelBlob{}, false
		}
		u8 := global.Get("Uint8Array").New(ab)
		return modelBlob{bytes: u8, resp: js.Undefined(), url: url, size: int64(u8.Length())}, true
	}
	var resp js.Value
	if resp.IsUndefined() && cache.Truthy() {
		if hit, err := await(cache.Call("match", url)); err == nil && hit.Truthy() {
			if b, ok := cachedBlob(hit); ok {
				return b, true, nil
			}
		}
	}
	if resp.IsUndefined() {
		r, err := await(global.Call("fetch", url, map[string]any{"cache": "no-cache"}))
		if err != nil {
			return modelBlob{}, false, errors.New("network error (" + err.Error() + ")")
		}
		resp = r
	}
	if !resp.Get("ok").Bool() {
		return modelBlob{}, false, errors.New("HTTP " + strconv.Itoa(resp.Get("status").Int()) + " for " + url)
	}
	var total int64
	if cl := resp.Get("headers").Call("get", "content-length"); cl.Type() == js.TypeString && !resp.Get("headers").Call("get", "content-encoding").Truthy() {
		total, _ = strconv.ParseInt(cl.String(), 10, 64)
	}
	if total == 0 {
		total = expected
	}
	reader := resp.Get("body").Call("getReader")
	var chunks []js.Value
	var loaded int64
	progress(0, total)
	for {
		r, err := await(reader.Call("read"))
		if err != nil {
			return modelBlob{}, false, errors.New("download interrupted (" + err.Error() + ")")
		}
		if r.Get("done").Bool() {
			break
		}
		v := r.Get("value")
		chunks = append(chunks, v)
		loaded += int64(v.Length())
		progress(loaded, total)
	}
	progress(loaded, loaded)
	u8 := global.Get("Uint8Array").New(loaded)
	var off int64
	for _, ch := range chunks {
		u8.Call("set", ch, off)
		off += int64(ch.Length())
	}
	b := modelBlob{bytes: u8, resp: js.Undefined(), url: url, size: loaded}
	if cache.Truthy() {
		// A copy for the cache, made before the bytes move to the worker;
		// stored only once the worker has verified them.
		hdr := map[string]any{"Content-Type": "application/octet-stream"}
		b.resp = global.Get("Response").New(u8.Call("slice"), map[string]any{"headers": hdr})
	}
	return b, false, nil
}

// cacheModel stores a verified download and drops older model versions.
func cacheModel(b modelBlob) {
	caches := global.Get("caches")
	if !caches.Truthy() || b.resp.Type() != js.TypeObject {
		return
	}
	c, err := await(caches.Call("open", modelCache))
	if err != nil {
		return
	}
	if _, err := await(c.Call("put", b.url, b.resp)); err != nil {
		return
	}
	keys, err := await(c.Call("keys"))
	if err != nil {
		return
	}
	abs, _ := newURL(b.url, global.Get("location").Get("href").String())
	for i := 0; i < keys.Length(); i++ {
		if k := keys.Index(i); k.Get("url").String() != abs.Get("href").String() {
			c.Call("delete", k)
		}
	}
}

func readModelFile(f fileRef) (modelBlob, error) {
	ab, err := await(f.h.Call("arrayBuffer"))
	if err != nil {
		return modelBlob{}, err
	}
	u8 := global.Get("Uint8Array").New(ab)
	return modelBlob{bytes: u8, resp: js.Undefined(), url: f.name, size: int64(u8.Length())}, nil
}

// earlyLoaded takes over the model load boot.js started for url (the
// default model, from the Cache API or downloaded, sent to the worker
// without waiting for the UI), reporting boot.js's download progress
// meanwhile; false when there was none or it failed, and the UI then loads
// the model itself.
func earlyLoaded(url string, progress func(phase string, loaded, total int64)) (protocol.ModelInfo, bool, bool) {
	e := early()
	if !e.Truthy() || !e.Get("loaded").Truthy() || e.Get("modelURL").String() != url {
		return protocol.ModelInfo{}, false, false
	}
	p := e.Get("loaded")
	e.Delete("loaded")
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if pr := e.Get("progress"); pr.Truthy() {
				progress(pr.Get("phase").String(), int64(pr.Get("loaded").Float()), int64(pr.Get("total").Float()))
			}
			sleepMs(50)
		}
	}()
	r, err := await(p)
	close(done)
	if err != nil || r.Type() != js.TypeObject {
		return protocol.ModelInfo{}, false, false
	}
	m, _, err := port.Read(r.Get("answer"))
	l, ok := m.(*protocol.Loaded)
	if err != nil || !ok {
		return protocol.ModelInfo{}, false, false
	}
	return l.Info, r.Get("cached").Bool(), true
}
