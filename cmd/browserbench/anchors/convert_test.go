package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand"
	"testing"

	"alexnet/nn"
)

// tfjsOf writes PyTorch-layout seed parameters in the harness's TF.js form
// (the inverse of toParams, written from the harness's README).
func tfjsOf(t *testing.T, a nn.Arch, ps map[string]nn.Weight) (string, []byte) {
	t.Helper()
	var blob []float32
	type tensor struct {
		Shape  []int `json:"shape"`
		Offset int   `json:"offset"`
		Size   int   `json:"size"`
	}
	type layer struct {
		Type    string   `json:"type"`
		Weights []tensor `json:"weights"`
	}
	add := func(shape []int, v []float32) tensor {
		tt := tensor{shape, len(blob), len(v)}
		blob = append(blob, v...)
		return tt
	}
	var layers []layer
	first := true
	for _, l := range a.Layers {
		switch l.Op {
		case nn.OpConv:
			w := ps[l.Name+".weight"].F32
			k, in, out := l.Kernel, l.InC, l.OutC
			tf := make([]float32, len(w))
			for o := 0; o < out; o++ {
				for i := 0; i < in; i++ {
					for y := 0; y < k; y++ {
						for x := 0; x < k; x++ {
							tf[((y*k+x)*in+i)*out+o] = w[((o*in+i)*k+y)*k+x]
						}
					}
				}
			}
			layers = append(layers, layer{"conv", []tensor{add([]int{k, k, in, out}, tf), add([]int{out}, ps[l.Name+".bias"].F32)}})
		case nn.OpMaxPool:
			layers = append(layers, layer{"maxpool", nil})
		case nn.OpLinear:
			w := ps[l.Name+".weight"].F32
			in, out := l.In, l.Out
			tf := make([]float32, len(w))
			for o := 0; o < out; o++ {
				for i := 0; i < in; i++ {
					r := i
					if first { // torch C,H,W -> H,W,C rows
						c, hw := i/36, i%36
						r = hw*128 + c
					}
					tf[r*out+o] = w[o*in+i]
				}
			}
			first = false
			layers = append(layers, layer{"dense", []tensor{add([]int{in, out}, tf), add([]int{out}, ps[l.Name+".bias"].F32)}})
		}
	}
	j, err := json.Marshal(map[string]any{"format": "anchors-tfjs-v1", "layers": layers})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4*len(blob))
	for i, v := range blob {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return string(j), b
}

func TestToParams(t *testing.T) {
	a := nn.Seed(5)
	r := rand.New(rand.NewSource(1))
	ps := map[string]nn.Weight{}
	for _, p := range a.Params() {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = r.Float32() - 0.5
		}
		ps[p.Name] = nn.Weight{Shape: p.Shape, F32: v}
	}
	man, blob := tfjsOf(t, a, ps)
	arch, got, err := toParams(man, blob, false)
	if err != nil {
		t.Fatal(err)
	}
	if arch.Name != "seed" || len(got) != len(ps) {
		t.Fatalf("arch %q, %d tensors", arch.Name, len(got))
	}
	for name, w := range ps {
		g := got[name]
		if len(g.F32) != len(w.F32) {
			t.Fatalf("%s: %d floats, want %d", name, len(g.F32), len(w.F32))
		}
		for i := range w.F32 {
			if g.F32[i] != w.F32[i] {
				t.Fatalf("%s[%d] = %g, want %g", name, i, g.F32[i], w.F32[i])
			}
		}
	}
	if _, err := nn.New(arch, got); err != nil {
		t.Fatal(err)
	}
	_, q, err := toParams(man, blob, true)
	if err != nil {
		t.Fatal(err)
	}
	if w := q["classifier.1.weight"]; w.Q8 == nil || len(w.Scale) != 2048 {
		t.Errorf("q8: classifier.1.weight not int8 per row")
	}

	for _, c := range []struct {
		name, man string
		blob      []byte
	}{
		{"not JSON", "{", blob},
		{"no layers", `{"layers":[]}`, blob},
		{"short blob", man, blob[:len(blob)/2]},
		{"offset out of range", `{"layers":[{"type":"conv","weights":[{"shape":[1],"offset":-1,"size":1},{"shape":[1],"offset":0,"size":1}]}]}`, blob},
	} {
		if _, _, err := toParams(c.man, c.blob, false); !errors.Is(err, errManifest) {
			t.Errorf("%s: err = %v, want errManifest", c.name, err)
		}
	}
}
