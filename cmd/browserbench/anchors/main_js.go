//go:build js && wasm

package main

import (
	"encoding/binary"
	"math"
	"strings"
	"syscall/js"

	"alexnet/nn"
)

// main installs globalThis.anchorsEngine = {name, threads, load, run} (the
// contract in the harness's www/runners/gowasm.js) and serves until the
// page goes away. q8=1 in the page's URL (a --config key) loads int8
// weights.
func main() {
	q8 := strings.Contains(js.Global().Get("location").Get("search").String(), "q8=1")
	var net *nn.Net
	var in []float32
	var out []byte
	jsErr := func(msg string) js.Value { return js.Global().Get("Error").New(msg) }
	load := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 || args[0].Get("format").String() != "tfjs" {
			return jsErr("anchors engine: needs weights=tfjs")
		}
		m := args[0].Get("model")
		blob := make([]byte, m.Get("byteLength").Int())
		js.CopyBytesToGo(blob, m)
		arch, ps, err := toParams(args[0].Get("manifest").String(), blob, q8)
		if err != nil {
			return jsErr(err.Error())
		}
		if net, err = nn.New(arch, ps); err != nil {
			return jsErr(err.Error())
		}
		in = make([]float32, arch.InC*arch.InH*arch.InW)
		return js.Undefined()
	})
	run := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if net == nil || len(args) == 0 || args[0].Get("byteLength").Int() != 4*len(in) {
			return jsErr("anchors engine: not loaded, or input is not 3x224x224 float32")
		}
		b := make([]byte, 4*len(in))
		js.CopyBytesToGo(b, args[0])
		for i := range in {
			in[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		logits := net.Forward(in)
		out = out[:0]
		for _, v := range logits {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
		}
		u := js.Global().Get("Uint8Array").New(len(out))
		js.CopyBytesToJS(u, out)
		return u
	})
	name := "alexnet/nn (Go wasm SIMD, f32)"
	if q8 {
		name = "alexnet/nn (Go wasm SIMD, int8 weights)"
	}
	js.Global().Set("anchorsEngine", map[string]any{"name": name, "threads": 1, "load": load, "run": run})
	select {}
}
