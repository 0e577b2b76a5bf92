// Command web is the page of the in-browser AlexNet classifier: a Vugu
// v0.4.0 application compiled to WebAssembly (GOOS=js) by build.sh. The
// classifier itself runs in a Web Worker (wasm/worker), so the page stays
// responsive while a photo or a webcam frame is classified.
//
// Layout of the package:
//
//	app.go            state and formatting shared by the components (no syscall/js)
//	root.vugu/.go     the page: header (what it recognises), inputs, results, page-wide errors, live region
//	modelpanel.*      the model card: status, download progress, facts
//	resultcard.*      one classified photo: preview, top 5, "not sure"
//	camera.*          live webcam: start/stop, chooser, live top 5, FPS
//	platform_js.go    browser glue (syscall/js): worker, fetch+cache, decoding, camera, drop/paste
//	platform_other.go native stand-ins so the logic builds and tests natively
//	capture_js.go     the camera's current frame as a PNG file (Capture); capture_other.go its stand-in
//
// Background goroutines change component state only between
// env.Lock() and env.UnlockRender().
package main

import (
	"strconv"
	"strings"
)

// Pred is one class and its probability.
type Pred struct {
	Label string
	Index int
	Prob  float64
}

// Result is the worker's answer for one image or frame.
type Result struct {
	Top     []Pred
	NotSure bool
	Ms      float64
	Workers int // 2 when the worker split the pass with its helper on a second core
}

// ModelInfo is what the worker reports about the loaded weight file.
type ModelInfo struct {
	Name      string
	Arch      string
	Labels    []string
	Quant     string
	Params    int
	Bytes     int
	LoadMs    float64 // decode + verify in the worker
	InW, InH  int
	Resize    int // the weight file's preprocessing: shorter side resized to this (0: squash)
	Threshold float64
}

// Model status values, also the data-status of the status element.
const (
	StatusLoading = "loading"
	StatusReady   = "ready"
	StatusError   = "error"
)

// ModelState is the page's view of the model.
type ModelState struct {
	Status      string // StatusLoading, StatusReady, StatusError
	Phase       string // human words for what loading is doing
	Source      string // URL or file name the current (or failed) model came from
	Loaded      int64  // bytes downloaded so far
	Total       int64  // bytes expected, 0 when unknown
	FromCache   bool
	Info        *ModelInfo // the model in use; kept when a replacement fails
	Err         string
	ReadyMs     float64 // navigation start to ready
	LastMs      float64 // ms of the last inference
	LastWorkers int     // workers that shared it (Result.Workers)
	Inferences  int
	ReplaceErr  string // a dropped/URL model that was rejected while another stays in use, in plain words
	ReplaceName string
	ErrDetail   string // the technical message behind Err or ReplaceErr, shown under "Details"
	Gen         int    // how many models became ready so far: 1 for the first, +1 per swap
	Swapped     string // "Now using my-flowers (5 classes)" after a successful swap
	Builtin     bool   // the model in use is the one the app ships (the manifest's)
}

// Percent is the download progress, 0..100, or -1 when the size is unknown.
func (m *ModelState) Percent() int {
	if m.Total <= 0 {
		return -1
	}
	p := int(m.Loaded * 100 / m.Total)
	if p > 100 {
		p = 100
	}
	return p
}

// Item states.
const (
	ItemDecoding    = "decoding"
	ItemClassifying = "classifying"
	ItemDone        = "done"
	ItemError       = "error"
)

// Item is one photo the user gave the page (picker, drop or paste).
type Item struct {
	ID         int
	Name       string
	Via        string // "picker", "drop", "paste"
	PreviewURL string // object URL of the file, shown as the preview
	W, H       int    // size that reached the worker (after the 2048 cap)
	OrigW      int
	OrigH      int
	State      string
	Res        Result
	Err        string
	Model      string // name of the model that made Res
	ModelGen   int    // ModelState.Gen when Res was made
	Open       bool   // an older (compact) card the user expanded
	src        fileRef
	reveal     bool // scroll the card into view on its next render (a new photo)
}

// Older reports whether a result was made by a model other than the
// one in use now (gen is ModelState.Gen).
func (it *Item) Older(gen int) bool { return it.State == ItemDone && it.ModelGen != gen }

// Scaled reports whether the browser scaled the photo down before classifying.
func (it *Item) Scaled() bool { return it.OrigW > it.W || it.OrigH > it.H }

// MaxSide is the longest side, in pixels, of an image handed to the worker:
// larger photos are scaled down by the browser first, so a 10000x10000
// photo never reaches Go at full size.
const MaxSide = 2048

// CamSide caps webcam frames: the network sees 224x224 anyway.
const CamSide = 640

// Rect is a rectangle of source pixels: X, Y, W, H.
type Rect struct{ X, Y, W, H int }

// CamCrop is the part of a w x h camera frame that the model's
// preprocessing keeps: the shorter side resized to resize, then a centre
// crop of cropW x cropH (torchvision's Resize + CenterCrop, as in package
// prep), mapped back to source pixels; resize 0 keeps the whole frame
// (squashed). The browser cuts and scales that rectangle to cropW x cropH
// (createImageBitmap), so the worker gets a frame its preprocessing
// leaves as it is, a quarter of the pixels of a 640x480 frame. The zero Rect
// when a size is not positive.
func CamCrop(w, h, resize, cropW, cropH int) Rect {
	if w <= 0 || h <= 0 || cropW <= 0 || cropH <= 0 || resize < 0 {
		return Rect{}
	}
	if resize == 0 {
		return Rect{0, 0, w, h}
	}
	nw, nh := resize*w/h, resize // torchvision: the longer side is int(resize*long/short)
	if w <= h {
		nw, nh = resize, resize*h/w
	}
	if nw < 1 || nh < 1 {
		return Rect{0, 0, w, h}
	}
	span := func(n, src, crop int) (int, int) {
		d := n - crop
		o := d / 2 // CenterOffset: Python's round half to even
		if d%2 != 0 && o%2 != 0 {
			o++
		}
		pos := (o*src + n/2) / n
		size := (crop*src + n/2) / n
		if size < 1 {
			size = 1
		}
		if size > src {
			size = src
		}
		if pos < 0 {
			pos = 0
		}
		if pos+size > src {
			pos = src - size
		}
		return pos, size
	}
	x, sw := span(nw, w, cropW)
	y, sh := span(nh, h, cropH)
	return Rect{x, y, sw, sh}
}

// FitWithin returns w x h scaled down (never up) so the longer side is at
// most max, keeping the aspect ratio and at least 1 pixel per side.
func FitWithin(w, h, max int) (int, int) {
	if w <= 0 || h <= 0 {
		return 0, 0
	}
	if w <= max && h <= max {
		return w, h
	}
	if w >= h {
		nh := (h*max + w/2) / w
		if nh < 1 {
			nh = 1
		}
		return max, nh
	}
	nw := (w*max + h/2) / h
	if nw < 1 {
		nw = 1
	}
	return nw, max
}

// Pct formats a probability as a percentage with one decimal ("87.3%").
func Pct(p float64) string {
	if !(p >= 0) {
		p = 0
	}
	if p > 1 {
		p = 1
	}
	return strconv.FormatFloat(p*100, 'f', 1, 64) + "%"
}

// ProbAttr is the exact probability for data-prob (test hook).
func ProbAttr(p float64) string { return strconv.FormatFloat(p, 'f', 6, 64) }

// Bytes formats a size ("54.3 MB", "812 kB", "12 B"), decimal units.
func Bytes(n int64) string {
	switch {
	case n >= 1_000_000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	case n >= 1_000:
		return strconv.FormatInt((n+500)/1000, 10) + " kB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// Ms formats milliseconds ("23.4 ms", "1.52 s").
func Ms(ms float64) string {
	if ms >= 1000 {
		return strconv.FormatFloat(ms/1000, 'f', 2, 64) + " s"
	}
	if ms >= 100 {
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	}
	return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
}

// Count formats a parameter count ("13.6 M", "58 k").
func Count(n int) string {
	switch {
	case n >= 1_000_000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " M"
	case n >= 1_000:
		return strconv.Itoa((n+500)/1000) + " k"
	}
	return strconv.Itoa(n)
}

// Pretty turns a class label into display text ("sunflowers" ->
// "Sunflowers", "golden_retriever" -> "Golden retriever").
func Pretty(label string) string {
	s := strings.TrimSpace(strings.ReplaceAll(label, "_", " "))
	if s == "" {
		return "(unnamed)"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// LabelList is the classes for the model panel, shortened for big models.
func LabelList(labels []string, max int) string {
	if len(labels) <= max {
		return strings.Join(labels, ", ")
	}
	return strings.Join(labels[:max], ", ") + " and " + strconv.Itoa(len(labels)-max) + " more"
}

// IsModelName reports whether a dropped file looks like a weight file by name.
func IsModelName(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".alexnet")
}

// ModelMagic is the first four bytes of a weight file (package weights).
const ModelMagic = "ALXN"

// FPS counts results in a sliding one-second window.
type FPS struct {
	times []float64 // ms timestamps, oldest first
}

// Add records a result at time now (ms) and returns the rate over the last second.
func (f *FPS) Add(now float64) float64 {
	f.times = append(f.times, now)
	i := 0
	for i < len(f.times) && f.times[i] < now-1000 {
		i++
	}
	f.times = f.times[i:]
	if len(f.times) < 2 {
		return 0
	}
	span := f.times[len(f.times)-1] - f.times[0]
	if span <= 0 {
		return 0
	}
	return float64(len(f.times)-1) * 1000 / span
}

// Reset forgets the window.
func (f *FPS) Reset() { f.times = f.times[:0] }

// fileRef is a File the user gave the page. h is the browser object.
type fileRef struct {
	h    handle
	name string
	item *Item
}

// Name is the file's name.
func (f fileRef) Name() string { return f.name }

// frame is an image decoded by the browser, still on the JS side, W x H
// after the size cap: RGBA pixels (an ImageData's bytes) for photos, or an
// ImageBitmap for webcam frames, which the worker draws and reads itself
// (so camera pixels never pass through the page's Go instance).
type frame struct {
	data               handle // Uint8ClampedArray, or
	bitmap             handle // ImageBitmap (transferred to the worker)
	isBitmap           bool
	W, H, OrigW, OrigH int
}

// modelBlob is a weight file's bytes on the JS side, plus what is needed to
// cache it after it verified.
type modelBlob struct {
	bytes handle // Uint8Array
	resp  handle // a Response copy for the Cache API, or undefined
	url   string
	size  int64
}

// CamDevice is one camera for the chooser.
type CamDevice struct {
	ID, Label string
}

// The weights package's error values (weights/errors.go), matched at the
// start of a worker's message; TestModelProblem checks they are the same
// text. Kept here, not imported, so the page's wasm does not link the decoder.
const (
	errMagicText     = "weights: not an alexnet weight file (bad magic)"
	errVersionText   = "weights: unsupported version"
	errTruncatedText = "weights: truncated file"
	errChecksumText  = "weights: checksum mismatch"
	errTooLargeText  = "weights: size too large"
)

// maxPlausibleVersion: a version field above it is not a version this
// format will reach (it changes only for structural changes), so the file
// is taken for something else that starts with "ALXN".
const maxPlausibleVersion = 1000

// ModelProblem says in plain words why a weight file was refused, given
// the worker's (technical) message, which the page shows under Details.
func ModelProblem(msg string) string {
	const notWeights = "This is not an AlexNet weight file."
	switch {
	case strings.Contains(msg, errMagicText):
		return notWeights
	case strings.Contains(msg, errVersionText):
		if v, ok := versionIn(msg); ok && v > maxPlausibleVersion {
			return notWeights
		}
		return "This weight file was made by a newer version of the converter; this page cannot read it."
	case strings.Contains(msg, errTruncatedText):
		return "This weight file is incomplete: it ends too early (an unfinished download?)."
	case strings.Contains(msg, errChecksumText):
		return "This weight file is damaged: its checksum does not match."
	case strings.Contains(msg, errTooLargeText):
		return "This file is larger than any weight file this page accepts."
	case strings.Contains(msg, "weights: "):
		return "This weight file does not describe a usable AlexNet."
	}
	return "This weight file could not be used."
}

// versionIn finds "version N" in a message.
func versionIn(msg string) (int, bool) {
	_, rest, ok := strings.Cut(msg, "version ")
	for ok {
		end := 0
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		if end > 0 {
			v, err := strconv.Atoi(rest[:end])
			return v, err == nil
		}
		_, rest, ok = strings.Cut(rest, "version ")
	}
	return 0, false
}

// Verdict is the headline answer for a result, in words for anyone.
func Verdict(r Result) string {
	switch {
	case len(r.Top) == 0:
		return "No answer"
	case r.NotSure:
		return "Not sure"
	}
	return Pretty(r.Top[0].Label)
}

// VerdictNote qualifies it: the confidence, or for "not sure" that the
// photo may be none of the n kinds (Root.Kind) the model knows.
func VerdictNote(r Result, n int, kind string) string {
	switch {
	case len(r.Top) == 0:
		return ""
	case r.NotSure:
		return "It may not be any of the " + strconv.Itoa(n) + " " + kind + " it knows. Closest: " + Pretty(r.Top[0].Label) + "."
	}
	return Pct(r.Top[0].Prob) + " sure"
}

// Spoken is a result as a screen reader announces it: "rose.jpg: Roses, 97%".
func Spoken(name string, r Result) string {
	if len(r.Top) == 0 {
		return name + ": no answer"
	}
	if r.NotSure {
		return name + ": not sure, closest " + Pretty(r.Top[0].Label)
	}
	return name + ": " + Pretty(r.Top[0].Label) + ", " + strconv.Itoa(int(r.Top[0].Prob*100+0.5)) + "%"
}

// LoadingWords is what the live region says while a model loads: "Loading
// model", then at 25, 50 and 75% (not at every percent, which a screen
// reader would read out a hundred times). p is Percent (-1: unknown).
func LoadingWords(p int) string {
	if p < 25 {
		return "Loading model"
	}
	if p > 75 {
		p = 75
	}
	return "Loading model, " + strconv.Itoa(p/25*25) + "%"
}
