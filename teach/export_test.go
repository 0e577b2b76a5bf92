package teach

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"alexnet/classifier"
	"alexnet/nn"
	"alexnet/weights"
)

// tinyBase is a layout of the engine (nn.Seed, nn.TorchVision, nn.Paper)
// with every width divided by 16, random int8 conv weights and float32
// linear weights: the same layers at a fraction of the cost.
func tinyBase(t testing.TB, full nn.Arch, seed uint64) *weights.Model {
	t.Helper()
	a := full
	a.Layers = append([]nn.Layer(nil), full.Layers...)
	c := a.InC
	for i := range a.Layers {
		l := &a.Layers[i]
		switch l.Op {
		case nn.OpConv:
			l.InC, l.OutC = c, l.OutC/16
			c = l.OutC
		case nn.OpLinear:
			if i < len(a.Layers)-1 {
				l.Out /= 16
			}
		}
	}
	// Linear inputs follow from the shapes before them.
	for i := range a.Layers {
		if a.Layers[i].Op == nn.OpLinear {
			shapes, err := (nn.Arch{Name: a.Name, InC: a.InC, InH: a.InH, InW: a.InW, Layers: a.Layers[:i]}).Shapes()
			if err != nil {
				t.Fatal(err)
			}
			a.Layers[i].In = shapes[i-1].Len()
		}
	}
	m := &weights.Model{Name: "tiny " + a.Name, Arch: a, Prep: weights.DefaultPreprocess(a), Calib: weights.Calibration{Temperature: 1}}
	for i := range a.Classes() {
		m.Labels = append(m.Labels, string(rune('a'+i)))
	}
	r := rand.New(rand.NewPCG(seed, 3))
	for _, p := range a.Params() {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64()) * float32(math.Sqrt(2/float64(n/p.Shape[0])))
		}
		typ := weights.F32
		if len(p.Shape) == 4 {
			typ = weights.Q8
		}
		m.Tensors = append(m.Tensors, weights.Quantize(p.Name, p.Shape, v, typ))
	}
	if _, err := weights.Encode(m); err != nil {
		t.Fatal(err)
	}
	return m
}

func randInput(r *rand.Rand, a nn.Arch) []float32 {
	x := make([]float32, a.InC*a.InH*a.InW)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// TestExportEveryLayout teaches three classes on top of a tiny model of
// each layout, exports, encodes and decodes the model, and checks that the
// decoded file's logits (through classifier, as `alexnet classify` and the
// page run it) equal the in-memory head's on the embedding, and that the
// labels and calibration are the taught ones.
func TestExportEveryLayout(t *testing.T) {
	wantPrep := [][3]int{{288, 288, 288}, {329, 288, 288}, {292, 292, 292}} // resize, crop H, crop W
	for i, full := range []nn.Arch{nn.Seed(5), nn.TorchVision(5), nn.Paper(5)} {
		t.Run(full.Name, func(t *testing.T) {
			base := tinyBase(t, full, uint64(i))
			e, err := NewEmbedder(base)
			if err != nil {
				t.Fatal(err)
			}
			if p := e.Preprocess(); [3]int{p.Resize, p.CropH, p.CropW} != wantPrep[i] {
				t.Errorf("preprocess %+v, want resize, crop %v", p, wantPrep[i])
			}
			r := rand.New(rand.NewPCG(uint64(i), 4))
			var ex []Example
			var xs [][]float32
			for k := range 12 {
				x := randInput(r, e.arch)
				v, err := e.EmbedTensor(x)
				if err != nil {
					t.Fatal(err)
				}
				if len(v) != e.Dim() {
					t.Fatalf("embedding of %d floats, want %d", len(v), e.Dim())
				}
				ex = append(ex, Example{Class: k % 3, Embedding: v})
				xs = append(xs, x)
			}
			res, err := Train(context.Background(), ex, 3, Options{Seed: 1, Holdout: 0.25, Steps: 50})
			if err != nil {
				t.Fatal(err)
			}
			labels := []string{"mug", "keys", "nothing"}
			m, err := Export(e, res, labels, "taught")
			if err != nil {
				t.Fatal(err)
			}
			b, err := weights.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := weights.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, m) {
				t.Fatal("the decoded model differs from the exported one")
			}
			if !reflect.DeepEqual(got.Labels, labels) || got.Calib != res.Calib || got.Prep != e.Preprocess() {
				t.Errorf("labels %v calib %+v prep %+v, want %v %+v %+v", got.Labels, got.Calib, got.Prep, labels, res.Calib, e.Preprocess())
			}
			c, err := classifier.New(got)
			if err != nil {
				t.Fatal(err)
			}
			z := make([]float32, 3)
			worst := 0.0
			for k, x := range xs {
				out, err := c.ClassifyTensor(x, 0)
				if err != nil {
					t.Fatal(err)
				}
				res.Head.Logits(z, ex[k].Embedding)
				for j := range z {
					d := math.Abs(float64(out.Logits[j] - z[j]))
					worst = math.Max(worst, d)
					if d > 1e-5*(1+math.Abs(float64(z[j]))) {
						t.Errorf("input %d logit %d: file %g, in memory %g", k, j, out.Logits[j], z[j])
					}
				}
			}
			t.Logf("%s: embedding %d floats, largest logit difference %.2g (last logits %v)", full.Name, e.Dim(), worst, z)
		})
	}
}

func TestEmbedderRefuses(t *testing.T) {
	a := nn.Arch{Name: "mlp", InC: 3, InH: 4, InW: 4, Layers: []nn.Layer{{Op: nn.OpFlatten}, {Op: nn.OpLinear, Name: "fc", In: 48, Out: 2}}}
	m := &weights.Model{Arch: a, Prep: weights.DefaultPreprocess(a), Labels: []string{"a", "b"}, Calib: weights.Calibration{Temperature: 1},
		Tensors: []weights.Tensor{weights.Quantize("fc.weight", []int{2, 48}, make([]float32, 96), weights.F32), weights.Quantize("fc.bias", []int{2}, make([]float32, 2), weights.F32)}}
	if _, err := NewEmbedder(m); err == nil {
		t.Error("NewEmbedder accepted a base without a conv layer")
	}
	e, err := NewEmbedder(tinyBase(t, nn.Seed(5), 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.EmbedTensor(make([]float32, 5)); err == nil {
		t.Error("EmbedTensor accepted 5 values")
	}
	x := make([]float32, 3*288*288)
	x[7] = float32(math.NaN())
	if _, err := e.EmbedTensor(x); err == nil {
		t.Error("EmbedTensor accepted NaN")
	}
}
