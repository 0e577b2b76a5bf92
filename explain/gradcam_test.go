package explain

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"alexnet/nn"
	"alexnet/weights"
	defaultmodel "alexnet/weights/default"
)

// rankCorrelation is Spearman's rank correlation of a and b (ties get
// their average rank), the measure Adebayo et al. (2018) use to compare
// maps.
func rankCorrelation(a, b []float32) float64 {
	ranks := func(v []float32) []float64 {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		// insertion sort: the maps are small (conv5's 13x13)
		for i := 1; i < len(idx); i++ {
			for j := i; j > 0 && v[idx[j]] < v[idx[j-1]]; j-- {
				idx[j], idx[j-1] = idx[j-1], idx[j]
			}
		}
		r := make([]float64, len(v))
		for i := 0; i < len(idx); {
			j := i
			for j < len(idx) && v[idx[j]] == v[idx[i]] {
				j++
			}
			for k := i; k < j; k++ {
				r[idx[k]] = float64(i+j-1) / 2
			}
			i = j
		}
		return r
	}
	ra, rb := ranks(a), ranks(b)
	var ma, mb float64
	for i := range ra {
		ma += ra[i]
		mb += rb[i]
	}
	ma /= float64(len(ra))
	mb /= float64(len(rb))
	var sab, saa, sbb float64
	for i := range ra {
		sab += (ra[i] - ma) * (rb[i] - mb)
		saa += (ra[i] - ma) * (ra[i] - ma)
		sbb += (rb[i] - mb) * (rb[i] - mb)
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// TestGradCAMSanity is the model-randomisation test of Adebayo et al.,
// "Sanity Checks for Saliency Maps" (NeurIPS 2018): a map that explains the
// model must change when the model's learned weights are replaced by
// random ones. Here the head (every fully connected layer, the layers
// Grad-CAM's weights come from) is randomised, all of it and then only the
// last layer, on the shipped model and a real photo; the rank correlation
// with the trained model's cam must fall below 0.5 for the predicted class
// (it is about 1 for the map itself, and would stay so if the map only
// reflected the image, as an edge detector does).
func TestGradCAMSanity(t *testing.T) {
	m, err := weights.Decode(defaultmodel.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	net, x := shippedOn(t, filepath.Join("testdata", "photo.png"))
	logits := net.Forward(x)
	class := nn.Argmax(logits)
	trained, err := GradCAM(net, x, class)
	if err != nil {
		t.Fatal(err)
	}
	again, err := GradCAM(net, x, class)
	if err != nil {
		t.Fatal(err)
	}
	if r := rankCorrelation(trained.Grid, again.Grid); r < 0.999 {
		t.Fatalf("the same map twice: rank correlation %.3f", r)
	}
	for _, which := range []string{"classifier.", "classifier.6."} {
		rng := rand.New(rand.NewPCG(2018, 1))
		params := map[string]nn.Weight{}
		for _, tt := range m.Tensors {
			params[tt.Name] = tt.Weight
			if len(tt.Name) >= len(which) && tt.Name[:len(which)] == which && len(tt.Shape) == 2 {
				v := make([]float32, tt.Shape[0]*tt.Shape[1])
				for i := range v {
					v[i] = float32(rng.NormFloat64() * 0.01) // the seed's init: normal(0, 0.01)
				}
				params[tt.Name] = nn.Weight{Shape: tt.Shape, F32: v}
			}
		}
		rnet, err := nn.New(m.Arch, params)
		if err != nil {
			t.Fatal(err)
		}
		random, err := GradCAM(rnet, x, class)
		if err != nil {
			t.Fatal(err)
		}
		r := rankCorrelation(trained.Grid, random.Grid)
		t.Logf("randomised %s*: rank correlation with the trained cam %.3f", which, r)
		if r > 0.5 {
			t.Errorf("randomised %s*: the cam barely changed (rank correlation %.3f > 0.5)", which, r)
		}
	}
}

// TestGradCAMClassesDiffer: asking about another class gives another map.
func TestGradCAMClassesDiffer(t *testing.T) {
	net, x := shippedOn(t, filepath.Join("testdata", "photo.png"))
	a, err := GradCAM(net, x, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := GradCAM(net, x, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r := rankCorrelation(a.Grid, b.Grid); r > 0.9 {
		t.Errorf("daisy and sunflowers maps: rank correlation %.3f", r)
	}
	if a.H != 224 || a.W != 224 || len(a.Values) != 224*224 || a.GridH != 13 || a.GridW != 13 {
		t.Errorf("map %dx%d (%d values), grid %dx%d; want 224x224, 13x13", a.H, a.W, len(a.Values), a.GridH, a.GridW)
	}
	if v := a.Values[a.Peak.Y*a.W+a.Peak.X]; !a.Empty() && v != 1 {
		t.Errorf("peak value %g, want 1", v)
	}
}

func TestGradCAMBadInput(t *testing.T) {
	net, x := shippedOn(t, filepath.Join("testdata", "photo.png"))
	nan := append([]float32(nil), x...)
	nan[7] = float32(math.NaN())
	for _, c := range []struct {
		x     []float32
		class int
		want  error
	}{
		{x, -1, ErrClass}, {x, 5, ErrClass}, {x[:100], 0, ErrInput}, {nil, 0, ErrInput}, {nan, 0, ErrInput},
	} {
		if _, err := GradCAM(net, c.x, c.class); !errors.Is(err, c.want) {
			t.Errorf("GradCAM(%d values, class %d) = %v, want %v", len(c.x), c.class, err, c.want)
		}
	}
	// No convolution, or a layer with no backward rule after conv5.
	flat := nn.Arch{Name: "mlp", InC: 4, InH: 1, InW: 1, Layers: []nn.Layer{{Op: nn.OpLinear, Name: "fc", In: 4, Out: 2}}}
	lrnAfter := nn.Arch{Name: "lrn", InC: 1, InH: 5, InW: 5, Layers: []nn.Layer{
		{Op: nn.OpConv, Name: "c", InC: 1, OutC: 2, Kernel: 3, Stride: 1}, {Op: nn.OpReLU},
		{Op: nn.OpLRN, Size: 3, Alpha: 1, Beta: 0.75, K: 1}}}
	for _, a := range []nn.Arch{flat, lrnAfter} {
		if _, err := CAMLayer(a); !errors.Is(err, ErrNetwork) {
			t.Errorf("CAMLayer(%s) = %v, want ErrNetwork", a.Name, err)
		}
	}
}
