package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// examples has one message of every type, each field set, for the round
// trip. A new message goes here too (the test fails until it does).
var examples = []Message{
	&Load{ID: 1, URL: "flowers.0123456789abcdef.alexnet", Cache: true, Size: 8_600_000, Bytes: []byte("ALXN"), Keep: true, Kept: true},
	&Progress{ID: BootLoadID, Phase: PhaseDownload, Loaded: 1 << 20, Total: 8_600_000, Cached: true},
	&Loaded{ID: 1, Cached: true, Info: ModelInfo{Name: "flowers", Arch: "seed", Labels: []string{"daisy", "rose"}, Quant: "int8 + float32",
		Params: 58_000_000, Bytes: 8_600_000, LoadMs: 81.5, InW: 224, InH: 224, Resize: 256, Threshold: 0.89, FLOPs: 620_000_000}},
	&Classify{ID: 2, Image: "bitmap", Live: true, Thumb: 64, Probs: true},
	&Result{ID: 2, Top: []Pred{{Label: "daisy", Index: 0, Prob: 0.75}, {Label: "rose", Index: 1, Prob: 0.25}}, NotSure: true, Ms: 12.5, Workers: 2,
		SourceWidth: 640, SourceHeight: 480, Width: 224, Height: 224, Probs: []float64{0.75, 0.25}, Thumb: "blob"},
	&Tensor{ID: 3, Image: "file"},
	&TensorData{ID: 3, Data: []float32{0.5}},
	&Error{ID: 4, Kind: ErrModel, Message: "weights: truncated file", Problem: ProblemTruncated},
	&Ready{},
	&Module{Module: "module", Lock: "flowerscope-worker-1"},
	&ModuleError{Message: "no WebAssembly"},
	&Split{Gen: 5, Shared: "sab", Bytes: []byte("ALXN")},
	&SplitReady{Gen: 5},
	&SplitError{Gen: 5, Message: "decode failed"},
	&Helper{Msg: map[string]any{"type": "split-ready", "gen": 5.0}},
	&Explain{ID: 6, Image: "file", Live: true, Class: -1},
	&Explanation{ID: 6, Class: 3, Label: "sunflowers", Input: []byte("PNG"), Heatmap: []byte("PNG"), Values: []float32{0, 1},
		W: 224, H: 224, Where: "centre-left", Sentence: "The heatmap is strongest in the centre-left of the photo.", Ms: 41.5},
	&Activations{ID: 7, Image: "bitmap", Live: true, Layer: "conv1", Max: 64},
	&ActivationMaps{ID: 7, Layer: "conv1", Layers: []LayerInfo{{Name: "conv1", Op: "conv", C: 64, H: 55, W: 55, Ms: 4.5, TimeShare: 0.25,
		Params: 23296, ParamShare: 0.0004}}, Tiles: []byte("PNG"), TilesW: 450, TilesH: 230, Channels: []int{5, 2}, Ms: 20},
	&Filters{ID: 8},
	&FilterGrid{ID: 8, Layer: "features.0.weight", Image: []byte("PNG"), W: 738, H: 186, Shape: []int{64, 3, 11, 11}},
	&TeachAdd{ID: 6, Example: 17, Image: "bitmap", Cropped: true},
	&TeachAdded{ID: 6, Example: 17, Crop: "blob", Ms: 140.5},
	&TeachTrain{ID: 7, Name: "my classes", Labels: []string{"mug", "keys"}, Examples: []TeachItem{{Example: 17, Class: 0}, {Example: 18, Class: 1}}, Seed: 1},
	&Taught{ID: 7, Info: ModelInfo{Name: "my classes", Labels: []string{"mug", "keys"}}, Report: TeachReport{Held: 4, Correct: 3, Confusion: [][]int{{2, 0}, {1, 1}}, NotSure: 1}, File: []byte("ALXN"), Ms: 900},
	&UseBase{ID: 8},
	&Forget{ID: 6},
	&Forgotten{ID: 6},
	&Exit{Code: 2, Message: "fatal error: out of memory"},
}

func TestRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range examples {
		seen[m.Type()] = true
		r := Encode(m)
		if r["type"] != m.Type() {
			t.Errorf("%T: type %v, want %s", m, r["type"], m.Type())
		}
		// Through JSON too where the fields allow it: what a structured
		// clone of the plain map keeps.
		got, err := Decode(r)
		if err != nil {
			t.Errorf("%T: %v", m, err)
			continue
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("%T: round trip gave %+v, want %+v", m, got, m)
		}
		checkPlain(t, m.Type(), r)
	}
	for typ := range messages {
		if !seen[typ] {
			t.Errorf("no example of %q in examples", typ)
		}
	}
}

// checkPlain fails on a value js.ValueOf would not take as data.
func checkPlain(t *testing.T, where string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			checkPlain(t, where+"."+k, e)
		}
	case []any:
		for _, e := range x {
			checkPlain(t, where, e)
		}
	case string, bool, float64, nil, []byte, []float32: // the last two stand for JS objects in the examples
	default:
		t.Errorf("%s: %T in an encoded message", where, v)
	}
}

// TestJSONNames pins the field names the JavaScript side (worker.js, the
// browser tests, the benchmark) uses.
func TestJSONNames(t *testing.T) {
	r := Encode(&Result{ID: 7, Top: []Pred{{Label: "a", Index: 1, Prob: 0.5}}, Ms: 3, Workers: 1})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"height":0,"id":7,"ms":3,"notSure":false,"sourceHeight":0,"sourceWidth":0,"top":[{"index":1,"label":"a","prob":0.5}],"type":"result","width":0,"workers":1}`
	if string(b) != want {
		t.Errorf("Result as JSON\n%s, want\n%s", b, want)
	}
	// omitempty: a photo's Classify has no live field.
	if _, ok := Encode(&Classify{ID: 1, Image: "file"})["live"]; ok {
		t.Error("an unset live was encoded")
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{}, `unknown message type ""`},
		{map[string]any{"type": "launch"}, `unknown message type "launch"`},
		{map[string]any{"type": "load", "id": "one"}, `load message: field "id": got string, want int`},
		{map[string]any{"type": "load", "id": 1.5}, `field "id": 1.5 is not a whole number`},
		{map[string]any{"type": "load", "id": 1e300}, `not a whole number in range`},
		{map[string]any{"type": "loaded", "info": "x"}, `field "info": got string, want protocol.ModelInfo`},
		{map[string]any{"type": "loaded", "info": map[string]any{"labels": []any{"a", 2.0}}}, `field "info": field "labels": [1]: got float64, want string`},
		{map[string]any{"type": "result", "top": []any{map[string]any{"prob": "high"}}}, `field "top": [0]: field "prob": got string, want float64`},
		{map[string]any{"type": "result", "notSure": 1.0}, `field "notSure": got float64, want bool`},
		{map[string]any{"type": "helper", "msg": []any{}}, `field "msg": got []interface {}, want map[string]interface {}`},
	} {
		_, err := Decode(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%v) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
	// Missing fields are zero; unknown fields are ignored.
	m, err := Decode(map[string]any{"type": "classify", "extra": true})
	if err != nil || !reflect.DeepEqual(m, &Classify{}) {
		t.Errorf("sparse classify: %+v, %v", m, err)
	}
}

func TestManifest(t *testing.T) {
	m := Manifest{Version: "v", UI: "ui.1.wasm", Worker: "worker.2.wasm", WasmExec: "wasm_exec.js", Model: "m.3.alexnet", ModelSize: 9, Built: "now"}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var plain map[string]any
	if err := json.Unmarshal(b, &plain); err != nil {
		t.Fatal(err)
	}
	var got Manifest
	if err := DecodeInto(&got, plain); err != nil || got != m {
		t.Errorf("manifest through JSON and DecodeInto: %+v, %v", got, err)
	}
	if err := got.Check(); err != nil {
		t.Error(err)
	}
	got.Worker = ""
	if err := got.Check(); err == nil {
		t.Error("a manifest without the worker passed Check")
	}
}
