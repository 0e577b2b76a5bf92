package weights

import (
	"math/rand/v2"
	"testing"

	"alexnet/nn"
)

// BenchmarkDecodeSeed decodes and builds (Model.Net) the full-size seed with
// int8 weights and with -quant mixed's types (int4 fc1/fc2), random values:
// the load time the page pays before its first result.
//
//	go test ./weights -run '^$' -bench DecodeSeed -benchtime 5x
func BenchmarkDecodeSeed(b *testing.B) {
	a := nn.Seed(5)
	rng := rand.New(rand.NewPCG(10, 10))
	for _, c := range []struct {
		name string
		fc   DType
	}{{"int8", Q8}, {"mixed", Q4}} {
		m := &Model{Name: c.name, Arch: a, Labels: []string{"a", "b", "c", "d", "e"}, Prep: DefaultPreprocess(a), Calib: Calibration{Temperature: 1}}
		for _, p := range a.Params() {
			data := make([]float32, productOf(p.Shape))
			for i := range data {
				data[i] = float32(rng.NormFloat64()) * 0.01
			}
			t := Q8
			switch {
			case len(p.Shape) == 1:
				t = F32
			case p.Name == "classifier.1.weight" || p.Name == "classifier.4.weight":
				t = c.fc
			}
			m.Tensors = append(m.Tensors, Quantize(p.Name, p.Shape, data, t))
		}
		enc := mustEncode(b, m)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(enc)))
			for b.Loop() {
				d, err := Decode(enc)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := d.Net(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
