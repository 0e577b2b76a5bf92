package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// A page result as layersBench returns it (two rows, three calls a side).
const layerResultJSON = `{"info": {"backend": "wasm", "wasm_threads": 1},
 "rows": [
  {"name": "conv1", "shape": "3x224x224 -> 48x55x55, 11x11/4 pad 2", "op": "conv", "lo": 0, "hi": 2, "relu": 1, "weight": "int8",
   "ours": [3, 2, 9], "tfjs": [1, 1.5, 2], "relu_ms": [0.1, 0.2, 0.3]},
  {"name": "pool1", "shape": "48x55x55 -> 48x27x27, 3x3/2", "op": "maxpool", "lo": 2, "hi": 3, "relu": -1,
   "ours": [0.3, 0.3, 0.3], "tfjs": [0.1, 0.1, 0.1], "relu_ms": []},
  {"name": "fc1", "shape": "4608 -> 2048", "op": "dense", "lo": 3, "hi": 5, "relu": 4, "weight": "int4",
   "ours": [1, 1, 1], "tfjs": [0, 0, 0], "relu_ms": [0.01, 0.01, 0.01]}
 ],
 "whole": {"ours": [20, 21, 22], "tfjs": [15, 16, 100], "call": [0.005, 0.005, 0.01]}}`

func TestLayerTable(t *testing.T) {
	rep := &layerReport{Rounds: 1, Reps: 3, Browser: "HeadlessChrome/156", Packages: []string{"@tensorflow/tfjs@4.22.0"}}
	if err := json.Unmarshal([]byte(layerResultJSON), &rep.Result); err != nil {
		t.Fatal(err)
	}
	got := layerTable(rep)
	for _, want := range []string{
		"ms: median of 3 single calls a side (1 rounds x 3, 5 us clock steps)",
		"an empty call into our engine takes 0.005 ms",
		"| conv1+relu | 3x224x224 -> 48x55x55, 11x11/4 pad 2 | 3.000 | 0.200 | 1.500 | 2.00x |",
		"| pool1 | 48x55x55 -> 48x27x27, 3x3/2 | 0.300 | - | 0.100 | 3.00x |",
		"| fc1+relu (int4) | 4608 -> 2048 | 1.000 | 0.010 | 0.000 | - |", // no ratio over a zero
		"| sum of the layers | | 4.30 | | 1.60 | 2.69x |",
		"| whole pass | | 21.00 | | 16.00 | 1.31x |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

// TestPhaseLine: the cold-load phases print in time order.
func TestPhaseLine(t *testing.T) {
	got := phaseLine(map[string]float64{"ready": 990, "ui.wasm received": 120.4, "worker: loaded": 980, "model received": 600})
	want := "ui.wasm received 120, model received 600, worker: loaded 980, ready 990"
	if got != want {
		t.Fatalf("phaseLine = %q, want %q", got, want)
	}
}
