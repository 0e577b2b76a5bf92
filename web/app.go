// Command web is the page of the in-browser AlexNet classifier: a Vugu
// v0.4.0 application compiled to WebAssembly (GOOS=js) by build.sh. The
// classifier itself runs in a Web Worker (wasm/worker), so the page stays
// responsive while a photo or a webcam frame is classified.
//
// Layout of the package:
//
//	app.go              state and formatting shared by the components (no syscall/js)
//	root.vugu/.go       the page: header (what it recognises), inputs, results, page-wide errors, live region
//	model-panel.*       the model card: status, download progress, facts, your own model
//	result-card.*       one classified photo: preview, top 5, "not sure"
//	preds.*             a top-5 list
//	camera.*            live webcam: start/stop, chooser, live top 5, FPS, Capture
//	*_gen.go            what vugugen writes from the .vugu files (go generate)
//
// The browser glue (syscall/js), one file per concern, each with a native
// stand-in (*_other.go) so the logic builds and tests natively:
//
//	browser_js.go       the page's clock and timers
//	worker_js.go        the classifier's worker: start it, post requests (package internal/protocol)
//	model_js.go         which weight file to load (the worker loads it)
//	photos_js.go        files from the picker, previews (the worker decodes them)
//	camera_js.go        the camera: open, grab frames, list devices
//	capture_js.go       the camera's current frame as a PNG file (Capture), classified as a photo
//	events_js.go        page-wide events: drag and drop anywhere, paste
//
// Background goroutines change component state only between
// env.Lock() and env.UnlockRender().
package main

// The Vugu components' code, web/*_gen.go, is generated from the .vugu
// files and committed; build.sh checks it is current.
//go:generate go tool vugugen -skip-go-mod -skip-main .
//go:generate sh -c "gofmt -w *_gen.go"

import (
	"strconv"
	"strings"

	"alexnet/internal/protocol"
)

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
	Info        *protocol.ModelInfo // the model in use; kept when a replacement fails
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
	Kept        bool   // the model in use is a file the user chose, kept for the next visit (kept.go)
	// FromLastVisit: the kept model was loaded at start, from the last visit.
	FromLastVisit bool
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
	ItemWaiting     = "waiting" // for the model, still downloading
	ItemDecoding    = "decoding"
	ItemClassifying = "classifying"
	ItemDone        = "done"
	ItemError       = "error"
)

// WaitingWords is a photo's state while the model downloads: "Waiting for
// the model (14%)…", without the percentage when the size is unknown (p < 0).
func WaitingWords(p int) string {
	if p < 0 {
		return "Waiting for the model…"
	}
	return "Waiting for the model (" + strconv.Itoa(p) + "%)…"
}

// Item is one photo the user gave the page (picker, drop or paste).
type Item struct {
	ID         int
	Name       string
	Via        string // "picker", "drop", "paste"
	PreviewURL string // object URL of the file, shown as the preview
	W, H       int    // size that reached the classifier (after the protocol.ImageSide cap)
	OrigW      int    // size of the decoded photo
	OrigH      int
	State      string
	Res        protocol.Result
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

// CamDevice is one camera for the chooser.
type CamDevice struct {
	ID, Label string
}

// ModelProblem says in plain words why a weight file was refused, given
// the worker's protocol.Problem (the worker's technical message is shown
// under "Details").
func ModelProblem(problem string) string {
	switch problem {
	case protocol.ProblemNotWeights:
		return "This is not an AlexNet weight file."
	case protocol.ProblemNewer:
		return "This weight file was made by a newer version of the converter; this page cannot read it."
	case protocol.ProblemTruncated:
		return "This weight file is incomplete: it ends too early (an unfinished download?)."
	case protocol.ProblemChecksum:
		return "This weight file is damaged: its checksum does not match."
	case protocol.ProblemTooLarge:
		return "This file is larger than any weight file this page accepts."
	case protocol.ProblemInvalid:
		return "This weight file does not describe a usable AlexNet."
	}
	return "This weight file could not be used."
}

// Verdict is the headline answer for a result, in words for anyone.
func Verdict(r protocol.Result) string {
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
func VerdictNote(r protocol.Result, n int, kind string) string {
	switch {
	case len(r.Top) == 0:
		return ""
	case r.NotSure:
		return "It may not be any of the " + strconv.Itoa(n) + " " + kind + " it knows. Closest: " + Pretty(r.Top[0].Label) + "."
	}
	return Pct(r.Top[0].Prob) + " sure"
}

// Spoken is a result as a screen reader announces it: "rose.jpg: Roses, 97%".
func Spoken(name string, r protocol.Result) string {
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
