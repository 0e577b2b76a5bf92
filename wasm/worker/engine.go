// Command worker is the classifier engine of the web app. It runs in a Web
// Worker, in its own Go WebAssembly instance, so a classification never
// blocks the page. The page posts it a weight file and then RGBA frames
// (ImageData bytes); it answers with the top 5, the "not sure" flag and the
// time each inference took. The messages are described in main_js.go.
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
	"alexnet/prep"
	"alexnet/weights"
)

// Limits on what a frame may claim to be. The page scales images so the
// longer side is at most 2048; anything beyond MaxSide is a bug or hostile.
const (
	MaxSide = 4096
	TopK    = 5
)

// Info describes the loaded model for the page's model panel.
type Info struct {
	Name      string
	Arch      string
	Labels    []string
	Quant     string // "int8", "f16", "f32" or a mix, from the tensor types (weights.DType.String)
	Params    int    // number of weights
	Bytes     int    // size of the weight file
	LoadMs    float64
	InW, InH  int
	Resize    int     // preprocessing: shorter side resized to this first (0: squash); the page crops webcam frames with it
	Threshold float32 // calibrated top probability below which the answer is "not sure"
}

// Reply is the answer to one frame.
type Reply struct {
	Top     []classifier.Pred
	NotSure bool
	Ms      float64 // preprocessing + forward + softmax, in the worker
}

// Engine holds the current model. A failed Load keeps the previous one.
type Engine struct {
	c    *classifier.Classifier
	info Info
	busy bool
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

// ErrBusy is returned when a frame arrives while one is being classified:
// the frame is dropped, never queued.
var ErrBusy = errors.New("worker: busy, frame dropped")

// Load decodes and verifies a weight file (classifier.Load checks the
// checksum, the architecture and every tensor) and makes it the current
// model only when all of that succeeds.
func (e *Engine) Load(b []byte) (Info, error) {
	start := time.Now()
	c, err := classifier.Load(b)
	if err != nil {
		return Info{}, err
	}
	m := c.Model()
	info := Info{
		Name:      m.Name,
		Arch:      m.Arch.Name,
		Labels:    m.Labels,
		Quant:     quantOf(m),
		Bytes:     len(b),
		InW:       m.Arch.InW,
		InH:       m.Arch.InH,
		Resize:    m.Prep.Resize,
		Threshold: m.Calib.Threshold,
	}
	for _, t := range m.Tensors {
		n := 1
		for _, d := range t.Shape {
			n *= d
		}
		info.Params += n
	}
	info.LoadMs = ms(time.Since(start))
	e.c, e.info = c, info
	return info, nil
}

// quantOf names the storage types of a model's tensors, largest share first
// when mixed ("int8 + f32"), as weights.DType.String spells them.
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
// so the tensor is the one the native CLI makes from the same pixels.
func (e *Engine) Classify(pix []byte, width, height int) (Reply, error) {
	if e.c == nil {
		return Reply{}, ErrNoModel
	}
	if e.busy {
		return Reply{}, ErrBusy
	}
	if err := checkFrame(pix, width, height); err != nil {
		return Reply{}, err
	}
	e.busy = true
	defer func() { e.busy = false }()
	img := frameImage(pix, width, height)
	start := time.Now()
	res, err := e.c.Classify(img, TopK)
	if e.calls++; e.calls >= GCEvery {
		e.calls = 0
		e.gcs++
		runtime.GC()
	}
	if err != nil {
		return Reply{}, err
	}
	return Reply{Top: res.Top, NotSure: res.NotSure, Ms: ms(time.Since(start))}, nil
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

// frameImage wraps non-premultiplied RGBA bytes as an image without copying.
// When every alpha is 255 (camera frames, JPEGs) the bytes are the same as
// premultiplied RGBA, and an *image.RGBA at the origin is what prep uses as
// it is; otherwise an *image.NRGBA, which prep converts.
func frameImage(pix []byte, width, height int) image.Image {
	r := image.Rect(0, 0, width, height)
	for i := 3; i < len(pix); i += 4 {
		if pix[i] != 255 {
			return &image.NRGBA{Pix: pix, Stride: 4 * width, Rect: r}
		}
	}
	return &image.RGBA{Pix: pix, Stride: 4 * width, Rect: r}
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
