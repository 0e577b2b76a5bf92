//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"alexnet/internal/protocol"
)

// Which weight file to load: the worker fetches, caches and verifies it
// (wasm/worker/load_js.go).

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
