//go:build js && wasm

package main

import (
	"syscall/js"

	"alexnet/internal/protocol/port"
)

// handle is a browser object.
type handle = js.Value

var (
	global   = js.Global()
	document = global.Get("document")
	perf     = global.Get("performance")
)

func nowMs() float64 { return perf.Call("now").Float() }

// sleepMs pauses the calling goroutine (never a callback).
func sleepMs(ms int) {
	ch := make(chan struct{})
	f := js.FuncOf(func(js.Value, []js.Value) any { close(ch); return nil })
	global.Call("setTimeout", f, ms)
	<-ch
	f.Release()
}

// await waits for a promise from a goroutine (port.Await).
func await(p js.Value) (js.Value, error) { return port.Await(p) }
