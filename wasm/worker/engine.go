// Command worker is the classifier engine of the web app. It runs in a Web
// Worker, in its own Go WebAssembly instance, so a classification never
// blocks the page. The page posts it a weight file and then images; it
// answers with the top 5, the "not sure" flag and the time each inference
// took. The messages are package internal/protocol's.
//
// This file is the engine side, free of syscall/js, so it builds and is
// tested natively; main_js.go is the glue to the worker's message port.
// The worker keeps fmt and net/http out of its own code to stay small.
package main

import (
	"errors"
	"image"
	"runtime"
	"strconv"
	"time"

	"alexnet/classifier"
	"alexnet/internal/protocol"
	"alexnet/prep"
	"alexnet/weights"
)

// Limits on what a frame may claim to be. The worker scales photos so the
// longer side is at most protocol.ImageSide (2048); an ImageData beyond
// MaxSide is a bug or hostile.
const (
	MaxSide = 4096
	TopK    = 5
)

// Engine holds the current model. A failed Load keeps the previous one.
// It is not safe for concurrent use: the worker handles one message at a
// time (main_js.go).
type Engine struct {
	c    *classifier.Classifier
	info protocol.ModelInfo
	// classifications since the last collection, and collections run
	calls, gcs int
}

// GCEvery is how many classifications the worker runs between two forced
// garbage collections. Each call leaves a little garbage (the result
// slices, and the syscall/js values of the messages); with ~60 MB of live
// weights Go's default GOGC=100 lets the heap grow by up to as much again
// before it collects, and the WebAssembly memory never shrinks: the
// benchmark saw +1.3% from the 100th to the 1000th classification. A
// collection here scans little (weights and activations hold no pointers).
const GCEvery = 50

// ErrNoModel is returned by Classify before a model is loaded.
var ErrNoModel = errors.New("worker: no model loaded yet")

// Load decodes and verifies a weight file (classifier.Load checks the
// checksum, the architecture and every tensor) and makes it the current
// model only when all of that succeeds.
func (e *Engine) Load(b []byte) (protocol.ModelInfo, error) {
	start := time.Now()
	c, err := classifier.Load(b)
	if err != nil {
		return protocol.ModelInfo{}, err
	}
	return e.install(c, len(b), start), nil
}

// Use makes a model already in memory (a taught one, or the base again)
// the current model; size is its weight file's size, for the info.
func (e *Engine) Use(m *weights.Model, size int) (protocol.ModelInfo, error) {
	start := time.Now()
	c, err := classifier.New(m)
	if err != nil {
		return protocol.ModelInfo{}, err
	}
	return e.install(c, size, start), nil
}

// Model is the current model; nil before a load.
func (e *Engine) Model() *weights.Model {
	if e.c == nil {
		return nil
	}
	return e.c.Model()
}

func (e *Engine) install(c *classifier.Classifier, size int, start time.Time) protocol.ModelInfo {
	m := c.Model()
	info := protocol.ModelInfo{
		Name:      m.Name,
		Arch:      m.Arch.Name,
		Labels:    m.Labels,
		Quant:     quantOf(m),
		Bytes:     size,
		InW:       m.Arch.InW,
		InH:       m.Arch.InH,
		Resize:    m.Prep.Resize,
		Threshold: float64(m.Calib.Threshold),
	}
	for _, t := range m.Tensors {
		n := 1
		for _, d := range t.Shape {
			n *= d
		}
		info.Params += n
	}
	if cost, err := m.Cost(); err == nil { // fails only on an architecture the classifier refuses
		info.FLOPs = cost.FLOPs
	}
	info.LoadMs = ms(time.Since(start))
	e.c, e.info = c, info
	return info
}

// WeightProblem says why Load refused a file with err, as a
// protocol.Problem constant: ProblemNotWeights for a bad magic (which
// covers an implausible version, weights.MaxPlausibleVersion),
// ProblemInvalid for any other decoder error, "" for no error.
func WeightProblem(err error) string {
	switch {
	case errors.Is(err, weights.ErrMagic):
		return protocol.ProblemNotWeights
	case errors.Is(err, weights.ErrVersion):
		return protocol.ProblemNewer
	case errors.Is(err, weights.ErrTruncated):
		return protocol.ProblemTruncated
	case errors.Is(err, weights.ErrChecksum):
		return protocol.ProblemChecksum
	case errors.Is(err, weights.ErrTooLarge):
		return protocol.ProblemTooLarge
	case err != nil:
		return protocol.ProblemInvalid
	}
	return ""
}

// quantOf names the storage types of a model's tensors, largest share first
// when mixed ("int8 + f32", weights.DType.String).
func quantOf(m *weights.Model) string {
	count := map[weights.DType]int{}
	var order []weights.DType
	for _, t := range m.Tensors {
		n := 1
		for _, d := range t.Shape {
			n *= d
		}
		if _, ok := count[t.Type]; !ok {
			order = append(order, t.Type)
		}
		count[t.Type] += n
	}
	// Largest first; insertion sort, there are at most four types.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && count[order[j]] > count[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	s := ""
	for i, t := range order {
		if i > 0 {
			s += " + "
		}
		s += t.String()
	}
	return s
}

// Classify runs the model on one frame of non-premultiplied RGBA pixels
// (the layout of ImageData.data), width x height. pix is only read during
// the call. Preprocessing is the prep package's, driven by the weight file,
// so the tensor is the one the native CLI makes from the same pixels. The
// Result's ID is left for the caller. crop says the pixels are already the
// part the preprocessing keeps (a camera frame cut by LiveCrop): they are
// then only normalised (classifier.ClassifyCrop), not resized and cropped
// again.
func (e *Engine) Classify(pix []byte, width, height int, crop bool) (protocol.Result, error) {
	if e.c == nil {
		return protocol.Result{}, ErrNoModel
	}
	if err := checkFrame(pix, width, height); err != nil {
		return protocol.Result{}, err
	}
	img := frameImage(pix, width, height)
	start := time.Now()
	classify := e.c.Classify
	if crop {
		classify = e.c.ClassifyCrop
	}
	res, err := classify(img, TopK)
	if e.calls++; e.calls >= GCEvery {
		e.calls = 0
		e.gcs++
		runtime.GC()
	}
	if err != nil {
		return protocol.Result{}, err
	}
	r := protocol.Result{Top: make([]protocol.Pred, len(res.Top)), NotSure: res.NotSure, Ms: ms(time.Since(start)), Workers: 1}
	for i, p := range res.Top {
		r.Top[i] = protocol.Pred{Label: p.Label, Index: p.Index, Prob: float64(p.Prob)}
	}
	r.Probs = make([]float64, len(res.Probs))
	for i, p := range res.Probs {
		r.Probs[i] = float64(p)
	}
	if e.c.Splitting() {
		r.Workers = 2
	}
	return r, nil
}

// Prep is the current model's preprocessing; false before a model is
// loaded.
func (e *Engine) Prep() (weights.Preprocess, bool) {
	if e.c == nil {
		return weights.Preprocess{}, false
	}
	return e.c.Model().Prep, true
}

// Tensor is the network input the current model makes of a frame: the
// prep package's preprocessing, exactly as Classify does it. The page does
// not need it; the browser tests compare it with the native CLI's tensor.
func (e *Engine) Tensor(pix []byte, width, height int) ([]float32, error) {
	if e.c == nil {
		return nil, ErrNoModel
	}
	if err := checkFrame(pix, width, height); err != nil {
		return nil, err
	}
	return prep.Tensor(frameImage(pix, width, height), e.c.Model().Prep)
}

// frameImage wraps non-premultiplied RGBA bytes (ImageData's) as an
// *image.NRGBA without copying or reading them: prep checks the alpha once
// and uses opaque pixels (camera frames, JPEGs) as they are.
func frameImage(pix []byte, width, height int) image.Image {
	return &image.NRGBA{Pix: pix, Stride: 4 * width, Rect: image.Rect(0, 0, width, height)}
}

func checkFrame(pix []byte, width, height int) error {
	if width < 1 || height < 1 || width > MaxSide || height > MaxSide {
		return errors.New("worker: frame " + strconv.Itoa(width) + "x" + strconv.Itoa(height) + " out of range 1.." + strconv.Itoa(MaxSide))
	}
	if len(pix) != width*height*4 {
		return errors.New("worker: frame has " + strconv.Itoa(len(pix)) + " bytes, want " + strconv.Itoa(width*height*4) + " for " + strconv.Itoa(width) + "x" + strconv.Itoa(height) + " RGBA")
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
