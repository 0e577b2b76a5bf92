//go:build ignore

// gen_placeholder writes an untrained seed-architecture flowers.alexnet so
// that everything builds before the trained model exists:
//
//	go run weights/default/gen_placeholder.go weights/default/flowers.alexnet
//
// Weights are random but low-entropy so git stores them compactly: conv
// weights ternary (-1, 0, +1), each linear output row wired to 16 random
// inputs, scaled per output channel like Kaiming initialisation. The
// threshold is 1, so every answer is "not sure".
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"alexnet/nn"
	"alexnet/weights"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run gen_placeholder.go OUT")
		os.Exit(2)
	}
	a := nn.Seed(5)
	rng := rand.New(rand.NewPCG(2026, 11))
	m := &weights.Model{
		Name: "placeholder-untrained", Arch: a,
		Labels: []string{"daisy", "dandelion", "roses", "sunflowers", "tulips"},
		Prep:   weights.DefaultPreprocess(a),
		Calib:  weights.Calibration{Temperature: 1, Threshold: 1},
	}
	for _, p := range a.Params() {
		rows := p.Shape[0]
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		if len(p.Shape) == 1 {
			m.Tensors = append(m.Tensors, weights.Quantize(p.Name, p.Shape, make([]float32, n), weights.F32))
			continue
		}
		fan := n / rows
		t := weights.Tensor{Name: p.Name, Type: weights.Q8}
		t.Shape = p.Shape
		t.Q8 = make([]int8, n)
		t.Scale = make([]float32, rows)
		for r := range rows {
			row := t.Q8[r*fan : (r+1)*fan]
			if len(p.Shape) == 4 {
				for i := range row {
					row[i] = int8(rng.IntN(3) - 1)
				}
				t.Scale[r] = float32(math.Sqrt(2 / float64(fan) * 1.5))
			} else {
				for range 16 {
					row[rng.IntN(fan)] = int8(2*rng.IntN(2) - 1)
				}
				t.Scale[r] = float32(math.Sqrt(2.0 / 16))
			}
		}
		m.Tensors = append(m.Tensors, t)
	}
	b, err := weights.Encode(m)
	if err == nil {
		err = os.WriteFile(os.Args[1], b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
