//go:build js && wasm

package main

import (
	"encoding/json"
	"math/rand"
	"strings"
	"syscall/js"

	"alexnet/weights"
	defaultmodel "alexnet/weights/default"
)

// main installs globalThis.goLayers = {rows, model, run(lo, hi), forward()}
// (or {error}) and serves until the page goes away. run runs our layers
// [lo,hi) once on the outputs a first Forward left; forward is a whole
// pass. The page times both. fc=int8 or fc=f32 in the page's URL stores
// the linear layers' weights that way instead of as shipped (requantised
// from the shipped values: the time is what is measured).
func main() {
	g := js.Global()
	fail := func(err error) {
		g.Set("goLayers", map[string]any{"error": err.Error()})
		select {}
	}
	m, err := weights.Decode(defaultmodel.Bytes)
	if err != nil {
		fail(err)
	}
	if fc := js.Global().Get("location").Get("search").String(); fc != "" {
		if err := setLinear(m, strings.TrimPrefix(fc, "?fc=")); err != nil {
			fail(err)
		}
	}
	net, err := m.Net()
	if err != nil {
		fail(err)
	}
	rows, err := Rows(m)
	if err != nil {
		fail(err)
	}
	rj, _ := json.Marshal(rows)
	// A random input in the range of a normalised photo; the kernels take
	// the same time whatever the values (no data-dependent skipping).
	r := rand.New(rand.NewSource(1))
	x := net.Input()
	for i := range x {
		x[i] = 4*r.Float32() - 2
	}
	net.Forward(x)
	n := len(m.Arch.Layers)
	run := js.FuncOf(func(_ js.Value, args []js.Value) any {
		lo, hi := args[0].Int(), args[1].Int()
		for i := max(lo, 0); i < min(hi, n); i++ {
			net.LayerForward(i)
		}
		return nil
	})
	forward := js.FuncOf(func(js.Value, []js.Value) any {
		net.Forward(x)
		return nil
	})
	g.Set("goLayers", map[string]any{"rows": string(rj), "model": m.Name, "run": run, "forward": forward})
	select {}
}
