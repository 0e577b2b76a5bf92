// Command anchors is this project's engine as a runner for the peer
// harness (the shared folder's bench/, www/runners/gowasm.js), so that
// cmd/browserbench can time it interleaved with ONNX Runtime Web and
// TensorFlow.js in the same rounds, on the harness's own seed_alexnet
// weights and input, with its logits checked against PyTorch. Built with
// GOOS=js GOARCH=wasm (Go 1.27 SIMD, as the app's worker); the conversion
// below builds everywhere so it is tested natively.
//
// The harness hands over the TF.js form of the model (weights=tfjs): a JSON
// manifest of layers and one float32 blob in TF.js layout (conv filters
// [kh,kw,in,out], dense [in,out], the first dense layer's rows in H,W,C
// order). toParams turns it back into PyTorch's state_dict layout for
// nn.Seed. With q8 every weight tensor becomes int8, as in the shipped
// model (weights.Quantize).
package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"alexnet/nn"
	"alexnet/weights"
)

type manifest struct {
	Format string `json:"format"`
	Layers []struct {
		Type    string `json:"type"`
		Weights []struct {
			Shape  []int `json:"shape"`
			Offset int   `json:"offset"` // in floats
			Size   int   `json:"size"`   // in floats
		} `json:"weights"`
	} `json:"layers"`
}

var errManifest = errors.New("anchors: bad tfjs manifest")

// toParams converts the harness's TF.js weights into nn.Seed parameters.
func toParams(manifestJSON string, blob []byte, q8 bool) (nn.Arch, map[string]nn.Weight, error) {
	var m manifest
	if err := json.Unmarshal([]byte(manifestJSON), &m); err != nil {
		return nn.Arch{}, nil, fmt.Errorf("%w: %v", errManifest, err)
	}
	floats := len(blob) / 4
	read := func(off, size int) ([]float32, error) {
		if off < 0 || size < 0 || off > floats || size > floats-off {
			return nil, fmt.Errorf("%w: tensor [%d,+%d) outside %d floats", errManifest, off, size, floats)
		}
		v := make([]float32, size)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(blob[4*(off+i):]))
		}
		return v, nil
	}
	type wb struct {
		shape []int
		w, b  []float32
	}
	var convs, denses []wb
	for _, l := range m.Layers {
		if l.Type != "conv" && l.Type != "dense" {
			continue
		}
		if len(l.Weights) != 2 {
			return nn.Arch{}, nil, fmt.Errorf("%w: %s layer with %d tensors", errManifest, l.Type, len(l.Weights))
		}
		w, err := read(l.Weights[0].Offset, l.Weights[0].Size)
		if err != nil {
			return nn.Arch{}, nil, err
		}
		b, err := read(l.Weights[1].Offset, l.Weights[1].Size)
		if err != nil {
			return nn.Arch{}, nil, err
		}
		n := 1
		for _, d := range l.Weights[0].Shape {
			n *= d
		}
		if n != len(w) {
			return nn.Arch{}, nil, fmt.Errorf("%w: shape %v has %d floats, size %d", errManifest, l.Weights[0].Shape, n, len(w))
		}
		x := wb{l.Weights[0].Shape, w, b}
		if l.Type == "conv" {
			convs = append(convs, x)
		} else {
			denses = append(denses, x)
		}
	}
	if len(convs) != 5 || len(denses) != 3 || len(denses[2].shape) != 2 {
		return nn.Arch{}, nil, fmt.Errorf("%w: want the seed network (5 conv, 3 dense), got %d conv, %d dense", errManifest, len(convs), len(denses))
	}
	arch := nn.Seed(denses[2].shape[1])
	ps := map[string]nn.Weight{}
	ci, di := 0, 0
	for _, l := range arch.Layers {
		switch l.Op {
		case nn.OpConv:
			c := convs[ci]
			ci++
			if len(c.shape) != 4 || c.shape[0] != l.Kernel || c.shape[1] != l.Kernel || c.shape[2] != l.InC || c.shape[3] != l.OutC {
				return nn.Arch{}, nil, fmt.Errorf("%w: conv %s shape %v", errManifest, l.Name, c.shape)
			}
			k, in, out := l.Kernel, l.InC, l.OutC
			t := make([]float32, len(c.w))
			for y := 0; y < k; y++ {
				for x := 0; x < k; x++ {
					for i := 0; i < in; i++ {
						for o := 0; o < out; o++ {
							t[((o*in+i)*k+y)*k+x] = c.w[((y*k+x)*in+i)*out+o]
						}
					}
				}
			}
			ps[l.Name+".weight"] = weight(l.Name+".weight", []int{out, in, k, k}, t, q8)
			ps[l.Name+".bias"] = nn.Weight{Shape: []int{out}, F32: c.b}
		case nn.OpLinear:
			d := denses[di]
			if d.shape[0] != l.In || d.shape[1] != l.Out {
				return nn.Arch{}, nil, fmt.Errorf("%w: dense %s shape %v", errManifest, l.Name, d.shape)
			}
			in, out := l.In, l.Out
			t := make([]float32, len(d.w))
			for r := 0; r < in; r++ {
				i := r
				if di == 0 { // rows in H,W,C order (6x6x128) -> torch's C,H,W flatten
					const c, hw = 128, 36
					i = (r%c)*hw + r/c
				}
				for o := 0; o < out; o++ {
					t[o*in+i] = d.w[r*out+o]
				}
			}
			di++
			ps[l.Name+".weight"] = weight(l.Name+".weight", []int{out, in}, t, q8)
			ps[l.Name+".bias"] = nn.Weight{Shape: []int{out}, F32: d.b}
		}
	}
	return arch, ps, nil
}

func weight(name string, shape []int, data []float32, q8 bool) nn.Weight {
	if !q8 {
		return nn.Weight{Shape: shape, F32: data}
	}
	return weights.Quantize(name, shape, data, weights.Q8).Weight
}
