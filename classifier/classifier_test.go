package classifier

import (
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"alexnet/nn"
	"alexnet/prep"
	"alexnet/weights"
)

// linearModel is flatten + linear on a 3x8x8 input: logits = W x + b, easy
// to check with a float64 reference.
func linearModel(t testing.TB, temp, threshold float32) (*weights.Model, []float32, []float32) {
	t.Helper()
	a := nn.Arch{Name: "linear", InC: 3, InH: 8, InW: 8, Layers: []nn.Layer{
		{Op: nn.OpFlatten},
		{Op: nn.OpLinear, Name: "fc", In: 192, Out: 4},
	}}
	rng := rand.New(rand.NewPCG(3, 4))
	w := make([]float32, 4*192)
	for i := range w {
		w[i] = float32(rng.NormFloat64()) * 0.1
	}
	b := []float32{0.1, -0.2, 0.3, 0}
	m := &weights.Model{
		Name: "linear", Arch: a, Labels: []string{"daisy", "dandelion", "roses", "tulips"},
		Prep:  weights.Preprocess{Resize: 8, CropH: 8, CropW: 8, Mean: weights.ImageNetMean, Std: weights.ImageNetStd},
		Calib: weights.Calibration{Temperature: temp, Threshold: threshold},
		Tensors: []weights.Tensor{
			weights.Quantize("fc.weight", []int{4, 192}, w, weights.F32),
			weights.Quantize("fc.bias", []int{4}, b, weights.F32),
		},
	}
	return m, w, b
}

func load(t testing.TB, m *weights.Model) *Classifier {
	t.Helper()
	b, err := weights.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClassifyTensor(t *testing.T) {
	const temp = 2
	m, w, b := linearModel(t, temp, 0)
	c := load(t, m)
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, 192)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	r, err := c.ClassifyTensor(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	// float64 reference: logits, then softmax(logits / T)
	logits := make([]float64, 4)
	var sum float64
	for o := range 4 {
		s := float64(b[o])
		for i, v := range x {
			s += float64(w[o*192+i]) * float64(v)
		}
		logits[o] = s
		sum += math.Exp(s / temp)
	}
	var psum float64
	for o := range 4 {
		if d := math.Abs(float64(r.Logits[o]) - logits[o]); d > 1e-4 {
			t.Errorf("logit %d = %g, want %g", o, r.Logits[o], logits[o])
		}
		want := math.Exp(logits[o]/temp) / sum
		if d := math.Abs(float64(r.Probs[o]) - want); d > 1e-5 {
			t.Errorf("prob %d = %g, want %g (temperature %d)", o, r.Probs[o], want, temp)
		}
		psum += float64(r.Probs[o])
	}
	if math.Abs(psum-1) > 1e-5 {
		t.Errorf("probabilities sum to %g", psum)
	}
	if len(r.Top) != 2 || r.Top[0].Prob < r.Top[1].Prob {
		t.Fatalf("top %+v", r.Top)
	}
	for _, p := range r.Top {
		if p.Prob != r.Probs[p.Index] || p.Label != m.Labels[p.Index] {
			t.Errorf("top entry %+v does not match probs/labels", p)
		}
	}
	for _, o := range r.Probs {
		if o > r.Top[0].Prob {
			t.Errorf("top[0] %g is not the largest (%g)", r.Top[0].Prob, o)
		}
	}
	if r.NotSure {
		t.Error("not sure with threshold 0")
	}
	// The result owns its logits: another call does not change them.
	l0 := r.Logits[0]
	x[0] += 10
	if _, err := c.ClassifyTensor(x, 1); err != nil {
		t.Fatal(err)
	}
	if r.Logits[0] != l0 {
		t.Error("Result.Logits aliases the engine's buffer")
	}
}

func TestNotSure(t *testing.T) {
	x := make([]float32, 192)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	m, _, _ := linearModel(t, 1, 0)
	r, err := load(t, m).ClassifyTensor(x, 0)
	if err != nil {
		t.Fatal(err)
	}
	top := r.Top[0].Prob
	if len(r.Top) != 4 {
		t.Errorf("k=0 gave %d entries, want all 4", len(r.Top))
	}
	for _, c := range []struct {
		threshold float32
		want      bool
	}{{0, false}, {top * 0.99, false}, {top, false}, {top*1.01 + 1e-6, true}, {1, top < 1}} {
		m, _, _ := linearModel(t, 1, c.threshold)
		r, err := load(t, m).ClassifyTensor(x, 1)
		if err != nil {
			t.Fatal(err)
		}
		if r.NotSure != c.want {
			t.Errorf("threshold %g, top %g: NotSure %v, want %v", c.threshold, top, r.NotSure, c.want)
		}
	}
	// A higher temperature flattens the probabilities.
	m, _, _ = linearModel(t, 5, 0)
	r5, _ := load(t, m).ClassifyTensor(x, 1)
	if !(r5.Top[0].Prob < top) || r5.Top[0].Index != r.Top[0].Index {
		t.Errorf("temperature 5: top %+v, temperature 1: %+v", r5.Top[0], r.Top[0])
	}
}

func TestClassifyImage(t *testing.T) {
	m, _, _ := linearModel(t, 1, 0)
	c := load(t, m)
	img := image.NewRGBA(image.Rect(0, 0, 13, 9))
	for y := range 9 {
		for x := range 13 {
			img.Set(x, y, color.RGBA{uint8(20 * x), uint8(25 * y), uint8(x * y), 255})
		}
	}
	x, err := prep.Tensor(img, m.Prep)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := c.ClassifyTensor(x, 3)
	got, err := c.Classify(img, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Logits {
		if got.Logits[i] != want.Logits[i] {
			t.Fatalf("Classify logits %v, ClassifyTensor(prep.Tensor) %v", got.Logits, want.Logits)
		}
	}
	// Concurrent use is safe and gives the same answer.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.Classify(img, 1)
			if err != nil || r.Top[0].Index != want.Top[0].Index {
				t.Errorf("concurrent: %v %+v", err, r.Top)
			}
		}()
	}
	wg.Wait()
}

// TestClassifyCrop: an image that is already the model's crop is only
// normalised, not resized (Resize 10 > crop 8) and cropped a second time.
func TestClassifyCrop(t *testing.T) {
	m, _, _ := linearModel(t, 1, 0)
	m.Prep.Resize = 10
	c := load(t, m)
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for y := range 8 {
		for x := range 8 {
			img.Set(x, y, color.RGBA{uint8(30 * x), uint8(25 * y), uint8(4 * x * y), 255})
		}
	}
	only := m.Prep
	only.Resize = 0
	x, err := prep.Tensor(img, only)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := c.ClassifyTensor(x, 4)
	got, err := c.ClassifyCrop(img, 4)
	if err != nil {
		t.Fatal(err)
	}
	zoomed, err := c.Classify(img, 4)
	if err != nil {
		t.Fatal(err)
	}
	same := true
	for i := range want.Logits {
		if got.Logits[i] != want.Logits[i] {
			t.Fatalf("ClassifyCrop logits %v, want the normalised crop's %v", got.Logits, want.Logits)
		}
		same = same && zoomed.Logits[i] == want.Logits[i]
	}
	if same {
		t.Errorf("Classify of the crop gave the same logits: this test no longer tells a second resize apart")
	}
}

func TestErrors(t *testing.T) {
	if _, err := Load([]byte("not a weight file")); !errors.Is(err, weights.ErrMagic) {
		t.Errorf("Load(garbage) = %v, want ErrMagic", err)
	}
	m, _, _ := linearModel(t, 1, 0)
	c := load(t, m)
	if _, err := c.ClassifyTensor(make([]float32, 191), 1); !errors.Is(err, ErrInput) {
		t.Errorf("short tensor: %v", err)
	}
	x := make([]float32, 192)
	x[7] = float32(math.NaN())
	if _, err := c.ClassifyTensor(x, 1); !errors.Is(err, ErrInput) {
		t.Errorf("NaN tensor: %v", err)
	}
	if _, err := c.Classify(image.NewRGBA(image.Rect(0, 0, 0, 0)), 1); !errors.Is(err, prep.ErrImage) {
		t.Errorf("empty image: %v", err)
	}
}

func TestTopK(t *testing.T) {
	p := []float32{0.1, 0.4, 0.1, 0.4}
	top := TopK(p, []string{"a", "b", "c", "d"}, 3)
	want := []Pred{{"b", 1, 0.4}, {"d", 3, 0.4}, {"a", 0, 0.1}}
	for i := range want {
		if top[i] != want[i] {
			t.Fatalf("TopK = %+v, want %+v", top, want)
		}
	}
	if n := len(TopK(p, nil, 99)); n != 4 {
		t.Errorf("k=99 gave %d", n)
	}
}

// TestSplit runs the classifier on part 0 of a two-part split, with part 1
// in a goroutine, and checks the result equals the whole net's; then a
// failing exchange, after which the classifier falls back to the whole net.
func TestSplit(t *testing.T) {
	m, _, _ := linearModel(t, 1, 0)
	c := load(t, m)
	x := make([]float32, 3*8*8)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	want, err := c.ClassifyTensor(x, 0)
	if err != nil {
		t.Fatal(err)
	}

	// Two parts joined by channels: each sends its share, takes the other's.
	to := [2]chan []float32{make(chan []float32, 1), make(chan []float32, 1)}
	pair := func(k int) nn.Exchange {
		return func(act []float32, lo, hi int) bool {
			to[1-k] <- append([]float32{float32(lo)}, act[lo:hi]...)
			m := <-to[k]
			copy(act[int(m[0]):], m[1:])
			return true
		}
	}
	p0, err := m.NetPart(0, 2, pair(0))
	if err != nil {
		t.Fatal(err)
	}
	p1, err := m.NetPart(1, 2, pair(1))
	if err != nil {
		t.Fatal(err)
	}
	c.Split(p0)
	done := make(chan []float32)
	go func() { done <- p1.Forward(make([]float32, len(x))) }()
	got, err := c.ClassifyTensor(x, 0)
	if err != nil {
		t.Fatal(err)
	}
	if other := <-done; !slices.Equal(other, got.Logits) || !slices.Equal(got.Logits, want.Logits) || !c.Splitting() {
		t.Errorf("split logits %v (part 1: %v), want %v; splitting %v", got.Logits, other, want.Logits, c.Splitting())
	}

	failing, err := m.NetPart(0, 2, func([]float32, int, int) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	c.Split(failing)
	got, err = c.ClassifyTensor(x, 0)
	if err != nil || !slices.Equal(got.Logits, want.Logits) || c.Splitting() {
		t.Errorf("after a failed exchange: logits %v, err %v, splitting %v; want %v from the whole net, not splitting", got.Logits, err, c.Splitting(), want.Logits)
	}
}

// TestNotFinite: finite but huge weights or inputs overflow to Inf/NaN
// logits; that input gets ErrNotFinite (not "not sure" with made-up
// probabilities), and the next input still runs.
func TestNotFinite(t *testing.T) {
	m, w, _ := linearModel(t, 1, 0.5)
	for i := range w {
		w[i] = 3e38 * float32(1-2*(i%2))
	}
	m.Tensors[0] = weights.Quantize("fc.weight", []int{4, 192}, w, weights.F32)
	c := load(t, m)
	x := make([]float32, 192)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	if r, err := c.ClassifyTensor(x, 2); !errors.Is(err, ErrNotFinite) {
		t.Errorf("huge weights: result %+v, error %v, want ErrNotFinite", r, err)
	}
	// The same model on a zero input gives the biases: fine.
	if _, err := c.ClassifyTensor(make([]float32, 192), 2); err != nil {
		t.Errorf("zero input after a non-finite one: %v", err)
	}
	// A sane model on a huge (finite) input.
	m, _, _ = linearModel(t, 1, 0)
	c = load(t, m)
	for i := range x {
		x[i] = 3e38
	}
	if _, err := c.ClassifyTensor(x, 2); !errors.Is(err, ErrNotFinite) {
		t.Errorf("input of 3e38: error %v, want ErrNotFinite", err)
	}
}
