package main

// The worker's side of the Teach view (issue 11), free of syscall/js:
// embeddings kept by the page's example id, training with package teach,
// and the taught model. teach_js.go is the glue to the messages.

import (
	"context"
	"errors"
	"strconv"
	"time"

	"alexnet/internal/protocol"
	"alexnet/nn"
	"alexnet/prep"
	"alexnet/teach"
	"alexnet/weights"
)

// MaxEmbeddings bounds the embeddings the worker keeps at once (5 KB each
// for the shipped model). The page keeps at most MaxExamples examples
// (web/teach.go); an example removed there is dropped here at the next
// TeachTrain, so more than this means a runaway sender.
const MaxEmbeddings = 4096

// ErrUnembedded is TeachTrain's error when an example has no embedding
// made with the current base.
var ErrUnembedded = errors.New("worker: an example has no embedding with this base model")

// teachError is a refusal worded for the user (protocol.ErrTeach).
type teachError string

func (e teachError) Error() string { return string(e) }

// Teacher holds what teaching needs in the worker. The base is the last
// loaded model that is not itself a taught one; when it changes, the
// embeddings made with the old one are dropped (they belong to it) and
// the page embeds its kept crops again (protocol.ErrUnembedded).
type Teacher struct {
	base      *weights.Model
	baseBytes []byte
	emb       *teach.Embedder // made from base at the first Add
	embs      map[int][]float32
}

// IsTaught reports whether m is a taught model (it pools with globalpool):
// it cannot be taught on again, and it is never split between workers
// (nn.NewPart refuses globalpool).
func IsTaught(m *weights.Model) bool {
	for _, l := range m.Arch.Layers {
		if l.Op == nn.OpGlobalPool {
			return true
		}
	}
	return false
}

// Loaded tells the teacher a model was loaded from b; a model that is not
// a taught one becomes the base (a new base drops the embeddings).
func (t *Teacher) Loaded(m *weights.Model, b []byte) {
	if IsTaught(m) {
		return
	}
	t.base, t.baseBytes, t.emb, t.embs = m, b, nil, nil
}

// Base is the base model and its weight file; nil before a load.
func (t *Teacher) Base() (*weights.Model, []byte) { return t.base, t.baseBytes }

// embedder makes the embedding network of the base, once.
func (t *Teacher) embedder() (*teach.Embedder, error) {
	if t.emb != nil {
		return t.emb, nil
	}
	if t.base == nil {
		return nil, teachError("No model is loaded yet to teach on.")
	}
	e, err := teach.NewEmbedder(t.base)
	if err != nil {
		return nil, teachError("This model cannot be taught new classes: " + err.Error())
	}
	t.emb = e
	return e, nil
}

// Crop is the preprocessing of the base's embedding network: the image
// worker draws the part its Resize and crop keep at CropW x CropH
// (LiveCrop), and Add takes those pixels as they are.
func (t *Teacher) Crop() (weights.Preprocess, error) {
	e, err := t.embedder()
	if err != nil {
		return weights.Preprocess{}, err
	}
	return e.Preprocess(), nil
}

// Add embeds an example's pixels (non-premultiplied RGBA, w x h, already
// cut to the embedding's crop: Crop) and keeps the embedding under id. It
// returns the time of the forward pass.
func (t *Teacher) Add(id int, pix []byte, w, h int) (float64, error) {
	e, err := t.embedder()
	if err != nil {
		return 0, err
	}
	if err := checkFrame(pix, w, h); err != nil {
		return 0, err
	}
	if _, ok := t.embs[id]; !ok && len(t.embs) >= MaxEmbeddings {
		return 0, teachError("Too many examples at once (" + strconv.Itoa(MaxEmbeddings) + "); train or reload the page.")
	}
	// The pixels are the crop already: squash (Resize 0) to the crop's size
	// is a no-op for them, and scales a crop of another size.
	p := e.Preprocess()
	p.Resize = 0
	start := time.Now()
	x, err := prep.Tensor(frameImage(pix, w, h), p)
	if err != nil {
		return 0, err
	}
	v, err := e.EmbedTensor(x)
	if err != nil {
		return 0, err
	}
	if t.embs == nil {
		t.embs = map[int][]float32{}
	}
	t.embs[id] = v
	return ms(time.Since(start)), nil
}

// Has reports whether the example id has an embedding with the current
// base.
func (t *Teacher) Has(id int) bool { _, ok := t.embs[id]; return ok }

// CheckClasses says, in the user's words, what keeps these classes and
// examples from being taught; nil when they can be.
func CheckClasses(labels []string, items []protocol.TeachItem) error {
	if len(labels) < 2 {
		return teachError("Name at least two classes to teach.")
	}
	if len(labels) > teach.MaxClasses {
		return teachError("At most " + strconv.Itoa(teach.MaxClasses) + " classes.")
	}
	if len(items) > teach.MaxExamples {
		return teachError("At most " + strconv.Itoa(teach.MaxExamples) + " examples.")
	}
	count := make([]int, len(labels))
	for _, it := range items {
		if it.Class < 0 || it.Class >= len(labels) {
			return teachError("An example belongs to no class.")
		}
		count[it.Class]++
	}
	for k, n := range count {
		if n == 0 {
			return teachError("The class \u201c" + labels[k] + "\u201d has no examples yet: add some, or delete it.")
		}
	}
	return nil
}

// Train trains a head on the listed examples (each must have an
// embedding: else ErrUnembedded) and exports the taught model. Embeddings
// of examples not listed are dropped (the page removed them). progress is
// called with training steps done and total.
func (t *Teacher) Train(ctx context.Context, req *protocol.TeachTrain, progress func(done, total int)) (*weights.Model, protocol.TeachReport, error) {
	if err := CheckClasses(req.Labels, req.Examples); err != nil {
		return nil, protocol.TeachReport{}, err
	}
	e, err := t.embedder()
	if err != nil {
		return nil, protocol.TeachReport{}, err
	}
	examples := make([]teach.Example, len(req.Examples))
	keep := make(map[int][]float32, len(req.Examples))
	for i, it := range req.Examples {
		v, ok := t.embs[it.Example]
		if !ok {
			return nil, protocol.TeachReport{}, ErrUnembedded
		}
		examples[i] = teach.Example{Class: it.Class, Embedding: v}
		keep[it.Example] = v
	}
	t.embs = keep
	res, err := teach.Train(ctx, examples, len(req.Labels), teach.Options{Seed: uint64(req.Seed), Holdout: 0.2, Progress: progress})
	if err != nil {
		return nil, protocol.TeachReport{}, err
	}
	name := req.Name
	if name == "" {
		name = "taught"
	}
	m, err := teach.Export(e, res, req.Labels, name)
	if err != nil {
		return nil, protocol.TeachReport{}, err
	}
	r := res.Report
	return m, protocol.TeachReport{Held: r.Held, Correct: r.Correct, Confusion: r.Confusion, NotSure: r.NotSure}, nil
}
