//go:build js && wasm

package main

import (
	"syscall/js"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
)

// A model the user chose (a dropped or picked weight file, Load.Keep) is
// kept in the worker's Cache API, apart from the default model's cache,
// until the user switches back to the default (Forget): the page loads it
// again on the next visit (Load.Kept).

// KeptCache is the Cache API cache of the kept model: one entry, keptKey.
const KeptCache = "flowerscope-kept-v1"

// keptKey is the kept model's request URL, relative to the worker (the
// Cache API keys by URL; nothing is ever fetched from it).
const keptKey = "kept-model.alexnet"

func openKept() (js.Value, bool) {
	caches := self.Get("caches")
	if !caches.Truthy() {
		return js.Value{}, false
	}
	c, err := port.Await(caches.Call("open", KeptCache))
	return c, err == nil
}

// readKept is the kept model's bytes, or the Error to answer with
// (ErrNoKept when none is kept).
func readKept(id int) ([]byte, *protocol.Error) {
	none := &protocol.Error{ID: id, Kind: protocol.ErrNoKept, Message: "no model is kept"}
	c, ok := openKept()
	if !ok {
		return nil, none
	}
	hit, err := port.Await(c.Call("match", keptKey))
	if err != nil || !hit.Truthy() {
		return nil, none
	}
	blob, err := port.Await(hit.Call("blob"))
	if err != nil {
		return nil, none
	}
	return readBytes(id, blob)
}

// keepModel keeps a verified weight file for the next visit, replacing the
// one kept before. It reports failure (storage full or unavailable) as
// false: the model is still used, only not kept.
func keepModel(b []byte) bool {
	c, ok := openKept()
	if !ok {
		return false
	}
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	resp := js.Global().Get("Response").New(u8, map[string]any{"headers": map[string]any{"Content-Type": "application/octet-stream"}})
	_, err := port.Await(c.Call("put", keptKey, resp))
	return err == nil
}

// forget drops the kept model.
func forget(m *protocol.Forget) {
	if c, ok := openKept(); ok {
		port.Await(c.Call("delete", keptKey))
	}
	reply(&protocol.Forgotten{ID: m.ID})
}
