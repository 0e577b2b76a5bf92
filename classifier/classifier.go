// Package classifier runs a weight file on images: preprocessing (package
// prep, as the file says), the forward pass (package nn), and calibrated
// probabilities. The CLI and the browser's wasm worker both use it; it
// imports neither the file system nor the network.
//
// # Probabilities and "not sure"
//
// Probs is softmax(logits / T) with T the weight file's
// Calibration.Temperature (temperature scaling, fitted on the validation
// split by the training script so that a top probability of 0.8 is right
// about 80% of the time). When the top probability is below
// Calibration.Threshold, Result.NotSure is set: the model does not
// recognise the picture well enough to name it. This is the outcome to
// expect for photos that show none of the model's classes (a cat shown to
// the flowers model), for blurred or tiny subjects, or for a mix of classes;
// a user interface should then say "not sure" rather than the top label,
// perhaps still listing the candidates. Top, Probs and Logits are filled in
// either way. A threshold of 0 never reports "not sure".
package classifier

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sort"
	"sync"

	"alexnet/nn"
	"alexnet/prep"
	"alexnet/weights"
)

// ErrInput is returned (wrapped) for an input tensor of the wrong size or
// with values that are not finite.
var ErrInput = errors.New("classifier: bad input tensor")

// ErrNotFinite is returned (wrapped) when the network's output holds a NaN
// or an infinity: finite but huge weights or inputs overflowed float32
// somewhere in the pass. The probabilities would mean nothing, so the
// input gets this error instead of a result; the Classifier stays usable.
var ErrNotFinite = errors.New("classifier: the network's output is not finite")

// Pred is one candidate class.
type Pred struct {
	Label string  `json:"label"`
	Index int     `json:"index"`
	Prob  float32 `json:"prob"`
}

// Result is the outcome for one input.
type Result struct {
	Top     []Pred    // the k most probable classes, most probable first
	Probs   []float32 // calibrated probabilities of every class, summing to 1
	Logits  []float32 // the raw network outputs
	NotSure bool      // Top[0].Prob < the file's threshold: do not trust the label
}

// Classifier holds a model and its network. Its methods are safe for
// concurrent use; calls run one at a time.
type Classifier struct {
	mu  sync.Mutex
	m   *weights.Model
	net *nn.Net
	// part, when set (Split), runs the forward pass instead of net, sharing
	// the work with other parts of the same model running elsewhere.
	part *nn.Net
	buf  prep.Scratch
}

// Load decodes a weight file and builds its network.
func Load(b []byte) (*Classifier, error) {
	m, err := weights.Decode(b)
	if err != nil {
		return nil, err
	}
	return New(m)
}

// New builds the network of a decoded model.
func New(m *weights.Model) (*Classifier, error) {
	net, err := m.Net()
	if err != nil {
		return nil, fmt.Errorf("classifier: model %q: %w", m.Name, err)
	}
	return &Classifier{m: m, net: net}, nil
}

// Model returns the weight file's content (do not modify it).
func (c *Classifier) Model() *weights.Model { return c.m }

// Net returns the network, for benchmarks (it is not safe to run it
// while the Classifier is in use).
func (c *Classifier) Net() *nn.Net { return c.net }

// Classify preprocesses img as the weight file says and classifies it,
// returning the k most probable classes (k < 1 or more than the classes:
// all of them).
func (c *Classifier) Classify(img image.Image, k int) (Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Straight into the net's input: Forward does not copy it again.
	x := c.net.Input()
	if err := c.buf.Into(x, img, c.m.Prep); err != nil {
		return Result{}, err
	}
	return c.run(x, k)
}

// ClassifyCrop is Classify for an image that is already the part of a
// photo the weight file's preprocessing keeps (its Resize and centre crop,
// cut by the caller: the worker cuts camera frames so, centercrop.Source):
// it is only scaled to the input size (a no-op at CropW x CropH) and
// normalised, not resized and cropped a second time.
func (c *Classifier) ClassifyCrop(img image.Image, k int) (Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.m.Prep
	p.Resize = 0 // squash to CropW x CropH
	x := c.net.Input()
	if err := c.buf.Into(x, img, p); err != nil {
		return Result{}, err
	}
	return c.run(x, k)
}

// ClassifyTensor classifies an input tensor (InC,InH,InW), taken as exactly
// what the network sees (already preprocessed).
func (c *Classifier) ClassifyTensor(x []float32, k int) (Result, error) {
	a := c.m.Arch
	if want := a.InC * a.InH * a.InW; len(x) != want {
		return Result{}, fmt.Errorf("%w: %d values, the network takes %dx%dx%d = %d", ErrInput, len(x), a.InC, a.InH, a.InW, want)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return Result{}, fmt.Errorf("%w: value %d is %g", ErrInput, i, v)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.run(x, k)
}

// Split makes the forward passes run on part, a part net of the same
// model (weights.Model.NetPart) whose other parts run elsewhere on the same
// inputs. If a pass on it fails (an exchange with another part failed),
// the classifier drops it and runs that input and the next ones on the
// whole net. Split(nil) returns to the whole net.
func (c *Classifier) Split(part *nn.Net) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.part = part
}

// Splitting reports whether the forward passes run on a part net.
func (c *Classifier) Splitting() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.part != nil
}

func (c *Classifier) run(x []float32, k int) (Result, error) {
	var out []float32
	if c.part != nil {
		if out = c.part.Forward(x); out == nil {
			c.part = nil
		}
	}
	if out == nil {
		out = c.net.Forward(x)
	}
	if out == nil {
		return Result{}, fmt.Errorf("%w: the network refused %d values", ErrInput, len(x))
	}
	for i, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return Result{}, fmt.Errorf("%w: logit %d of %d is %g (weights or input too large for float32)", ErrNotFinite, i, len(out), v)
		}
	}
	r := Result{Logits: append([]float32(nil), out...), Probs: make([]float32, len(out))}
	nn.Softmax(r.Probs, r.Logits, c.m.Calib.Temperature)
	r.Top = TopK(r.Probs, c.m.Labels, k)
	r.NotSure = len(r.Top) > 0 && r.Top[0].Prob < c.m.Calib.Threshold
	return r, nil
}

// TopK returns the k largest probabilities with their labels, largest
// first, ties by lower index (k < 1 or > len(probs): all).
func TopK(probs []float32, labels []string, k int) []Pred {
	if k < 1 || k > len(probs) {
		k = len(probs)
	}
	idx := make([]int, len(probs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return probs[idx[a]] > probs[idx[b]] })
	top := make([]Pred, k)
	for i := range top {
		j := idx[i]
		top[i] = Pred{Index: j, Prob: probs[j]}
		if j < len(labels) {
			top[i].Label = labels[j]
		}
	}
	return top
}
