// Package protocol is every message that crosses a boundary of the web app,
// defined once:
//
//   - the page and the classifier's worker (web/ and wasm/worker), over
//     postMessage;
//   - the worker and its helper worker (wasm/worker/split_js.go);
//   - the build and the page: manifest.json (internal/webdist writes it,
//     web/ reads it).
//
// A message is a plain Go struct with a Type method; its JSON tags name the
// fields of the JavaScript object that postMessage carries, and Type is that
// object's "type". Encode turns a message into a plain map (what
// syscall/js's ValueOf takes); Decode reads one back, checking every field's
// type. The js glue (internal/protocol/port) converts between those maps
// and JavaScript objects; nothing here uses syscall/js, so the messages
// build and are tested natively (protocol_test.go: a round trip of each).
//
// Fields typed any are JavaScript objects passed as they are, never
// copied by this package: a Uint8Array of bytes, an ImageBitmap, a File or
// Blob, a SharedArrayBuffer, a compiled WebAssembly.Module. Natively they
// can be any value.
//
// # Adding a message
//
// Everything about a message is in this package:
//
//  1. its struct, with the direction and the answer in its doc comment,
//     and a Type method returning a new Type constant;
//  2. a line in the messages table (Decode finds it there);
//  3. an example in protocol_test.go's examples (the round trip test fails
//     until there is one).
//
// Then the worker handles it in wasm/worker/main_js.go (dispatch) and the
// page sends it with web/worker_js.go (workerClient.call). Field types are
// string, bool, int, int64, float64, slices and structs of those, and any
// for a JavaScript object.
//
// # The exchanges
//
//	page -> worker    Load{ID, URL|Bytes|Kept, Keep} -> Progress{ID, ...}..., then Loaded{ID, Info} or Error
//	page -> worker    Classify{ID, Image, Live, Thumb, Probs} -> Result{ID, ..., Probs, Thumb} or Error
//	page -> worker    Tensor{ID, Image}            -> TensorData{ID, Data} or Error (tests)
//	page -> worker    Explain{ID, Image, Live, Class} -> Explanation{ID, ...} or Error
//	page -> worker    Activations{ID, Image, Live, Layer} -> ActivationMaps{ID, ...} or Error
//	page -> worker    Filters{ID}                  -> FilterGrid{ID, ...} or Error
//	page -> worker    TeachAdd{ID, Example, Image} -> TeachAdded{ID, Example, Crop} or Error
//	page -> worker    TeachTrain{ID, Labels, Examples} -> Progress{ID, PhaseTrain}..., then Taught{ID, Info, Report, File} or Error
//	page -> worker    UseBase{ID}                  -> Loaded{ID, Info} or Error
//	page -> worker    Forget{ID}                   -> Forgotten{ID} (drop the file Load.Keep kept)
//	worker -> page    Ready{}                         once, when the worker's Go has started
//	worker.js -> page Exit{Code, Message}             the worker's Go exited (out of memory, a fatal error); the worker closes
//	page -> worker.js Module{Module, Lock}, ModuleError{} the compiled worker, before anything else
//	worker -> helper  Split{Gen, Shared, Bytes}    -> SplitReady{Gen} or SplitError{Gen}
//	helper -> worker  (worker.js wraps what the helper posts in Helper{Msg})
//
// Every request carries an ID that its answer repeats (Progress too). The
// worker handles one request at a time, in the order they arrive; the page
// decides what waits and what is dropped (Root.engine in web/root.go).
// JavaScript spells four messages itself: worker.js reads Module and
// ModuleError, wraps the helper's messages in Helper and posts Exit, and
// boot.js posts the default model's Load (BootLoadID).
//
// # A worker that stops
//
// The page notices that its worker stopped in three ways (web/worker_js.go):
// Exit; the worker's "error" event (an uncaught exception, a WebAssembly
// trap); and a Web Lock that worker.js holds for as long as the worker
// lives (Module.Lock names it), which the page asks for after Ready and
// is granted when the worker is gone, however it went (closed,
// terminated, crashed). Requests still waiting then fail with an
// Error of Kind ErrStopped, which the page makes itself, and the page
// starts a new worker. A helper that stops posts Exit to its worker too.
package protocol

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
)

// The message types: the "type" field of every message.
const (
	TypeLoad        = "load"
	TypeLoaded      = "loaded"
	TypeProgress    = "progress"
	TypeClassify    = "classify"
	TypeResult      = "result"
	TypeTensor      = "tensor"
	TypeTensorData  = "tensor-data"
	TypeError       = "error"
	TypeReady       = "ready"
	TypeModule      = "module"
	TypeModuleError = "module-error"
	TypeSplit       = "split"
	TypeSplitReady  = "split-ready"
	TypeSplitError  = "split-error"
	TypeHelper      = "helper"
	TypeTeachAdd    = "teach-add"
	TypeTeachAdded  = "teach-added"
	TypeTeachTrain  = "teach-train"
	TypeTaught      = "taught"
	TypeUseBase     = "use-base"
	TypeForget      = "forget"
	TypeForgotten   = "forgotten"
	TypeExit        = "exit"

	TypeExplain        = "explain"
	TypeExplanation    = "explanation"
	TypeActivations    = "activations"
	TypeActivationMaps = "activation-maps"
	TypeFilters        = "filters"
	TypeFilterGrid     = "filter-grid"
)

// Message is one message of the protocol.
type Message interface {
	// Type is the message's "type" field.
	Type() string
}

// messages maps each type to a new empty message of that type, for Decode.
var messages = map[string]func() Message{
	TypeLoad:        func() Message { return new(Load) },
	TypeLoaded:      func() Message { return new(Loaded) },
	TypeProgress:    func() Message { return new(Progress) },
	TypeClassify:    func() Message { return new(Classify) },
	TypeResult:      func() Message { return new(Result) },
	TypeTensor:      func() Message { return new(Tensor) },
	TypeTensorData:  func() Message { return new(TensorData) },
	TypeError:       func() Message { return new(Error) },
	TypeReady:       func() Message { return new(Ready) },
	TypeModule:      func() Message { return new(Module) },
	TypeModuleError: func() Message { return new(ModuleError) },
	TypeSplit:       func() Message { return new(Split) },
	TypeSplitReady:  func() Message { return new(SplitReady) },
	TypeSplitError:  func() Message { return new(SplitError) },
	TypeHelper:      func() Message { return new(Helper) },
	TypeTeachAdd:    func() Message { return new(TeachAdd) },
	TypeTeachAdded:  func() Message { return new(TeachAdded) },
	TypeTeachTrain:  func() Message { return new(TeachTrain) },
	TypeTaught:      func() Message { return new(Taught) },
	TypeUseBase:     func() Message { return new(UseBase) },
	TypeForget:      func() Message { return new(Forget) },
	TypeForgotten:   func() Message { return new(Forgotten) },
	TypeExit:        func() Message { return new(Exit) },

	TypeExplain:        func() Message { return new(Explain) },
	TypeExplanation:    func() Message { return new(Explanation) },
	TypeActivations:    func() Message { return new(Activations) },
	TypeActivationMaps: func() Message { return new(ActivationMaps) },
	TypeFilters:        func() Message { return new(Filters) },
	TypeFilterGrid:     func() Message { return new(FilterGrid) },
}

// ---- page <-> worker ----

// Load asks the worker to load a weight file and make it the current model
// (page -> worker): the file at URL, which the worker fetches itself
// (wasm/worker/load_js.go: the one loader), or Bytes. While it downloads,
// the worker sends Progress. Answer: Loaded, or Error with Kind
// ErrDownload or ErrModel (the previous model stays).
type Load struct {
	ID  int    `json:"id"`
	URL string `json:"url,omitempty"`
	// Cache says the file at URL never changes (a content-hashed name):
	// the worker takes it from its Cache API when it is there, and keeps a
	// verified download there for the next visit and for offline use.
	Cache bool `json:"cache,omitempty"`
	// Size is the file's expected size, the progress bar's total when the
	// response does not say it (a compressed response).
	Size  int64 `json:"size,omitempty"`
	Bytes any   `json:"bytes,omitempty"` // or the file itself: a File or Blob, or a Uint8Array
	// Keep asks the worker to keep the file, once verified, for the next
	// visit (a model the user chose), in place of the one kept before.
	Keep bool `json:"keep,omitempty"`
	// Kept asks for the file kept by an earlier Keep (no URL or Bytes).
	// Answer: Loaded, or Error with Kind ErrNoKept when none is kept.
	Kept bool `json:"kept,omitempty"`
}

// BootLoadID is the id of the default model's load, which boot.js asks
// for as soon as it starts the worker, before the page's UI runs
// (web/static/boot.js spells this one Load in JavaScript: id, url, cache,
// size); the UI adopts it and gets its Progress and answer under this id.
const BootLoadID = -1

// Progress phases.
const (
	PhaseDownload = "download"
	PhaseVerify   = "verify"
	PhaseTrain    = "train" // TeachTrain: Loaded and Total count training steps
)

// Progress reports a Load (worker -> page): each downloaded chunk, at most
// 20 times a second, then once when verifying starts.
type Progress struct {
	ID     int    `json:"id"`
	Phase  string `json:"phase"`  // PhaseDownload or PhaseVerify
	Loaded int64  `json:"loaded"` // bytes so far
	Total  int64  `json:"total"`  // bytes expected, 0 when unknown
	Cached bool   `json:"cached"` // the bytes come from the Cache API
}

// Loaded says a weight file verified and is now the model (worker -> page).
type Loaded struct {
	ID     int       `json:"id"`
	Info   ModelInfo `json:"info"`
	Cached bool      `json:"cached"` // it came from the Cache API
}

// ModelInfo describes the loaded model, for the page's model panel.
type ModelInfo struct {
	Name      string   `json:"name"`
	Arch      string   `json:"arch"`
	Labels    []string `json:"labels"`
	Quant     string   `json:"quant"`  // "int8", "float16", "float32", or a mix largest first: "int4 + int8 + float32"
	Params    int      `json:"params"` // number of weights
	Bytes     int      `json:"bytes"`  // size of the weight file
	LoadMs    float64  `json:"loadMs"` // decode and verify, in the worker
	InW       int      `json:"inW"`
	InH       int      `json:"inH"`
	Resize    int      `json:"resize"`    // preprocessing: shorter side resized to this first (0: squash); the page crops camera frames with it
	Threshold float64  `json:"threshold"` // calibrated top probability below which the answer is "not sure"
	// FLOPs is the work of one forward pass (weights.Cost): the page's
	// watchdog expects a pass to take about FLOPs at the speed it measured.
	FLOPs int64 `json:"flops"`
}

// Classify asks for the top classes of one image (page -> worker). Photos
// and camera frames take the same path: the worker decodes and draws the
// image on its own canvas (wasm/worker/image_js.go), never the page.
// Answer: Result, or Error (ErrImage, ErrWeightFile, ErrFrame, ErrModel).
type Classify struct {
	ID int `json:"id"`
	// Image is what to classify: a File or Blob (a photo: the worker
	// decodes it and scales it to at most ImageSide on its longer side), an
	// ImageBitmap (transferred), or an ImageData (its pixels as they are).
	Image any `json:"image"`
	// Live marks a camera frame: the worker lets the browser cut and scale
	// it to the model's input (the part its preprocessing keeps), which is
	// quicker than the exact resize a photo gets.
	Live bool `json:"live,omitempty"`
	// Thumb asks for a thumbnail of the photo in the Result, at most this
	// many pixels on its longer side (0: none). A batch of photos shows
	// these instead of the photos themselves, so memory stays flat.
	Thumb int `json:"thumb,omitempty"`
	// Probs asks for every class's probability in the Result (a batch's
	// export), not only the top 5.
	Probs bool `json:"probs,omitempty"`
}

// MaxThumb is the largest Classify.Thumb the worker makes.
const MaxThumb = 512

// ImageSide is the longest side, in pixels, of a photo the worker
// classifies: larger ones are scaled down by the browser first, so a
// 10000x10000 photo never reaches Go at full size.
const ImageSide = 2048

// Result is the answer to Classify (worker -> page).
type Result struct {
	ID      int     `json:"id"`
	Top     []Pred  `json:"top"` // most probable first
	NotSure bool    `json:"notSure"`
	Ms      float64 `json:"ms"`      // preprocessing + forward + softmax, in the worker
	Workers int     `json:"workers"` // 2 when the pass was split with the helper worker, else 1
	// The image's size as decoded (Source) and as it reached the
	// classifier, after the ImageSide cap or a live frame's cut.
	SourceWidth  int `json:"sourceWidth"`
	SourceHeight int `json:"sourceHeight"`
	Width        int `json:"width"`
	Height       int `json:"height"`
	// Probs is every class's calibrated probability, in the model's label
	// order, when Classify.Probs asked for it.
	Probs []float64 `json:"probs,omitempty"`
	// Thumb is the thumbnail Classify.Thumb asked for: a JPEG Blob.
	Thumb any `json:"thumb,omitempty"`
}

// Pred is one class and its calibrated probability.
type Pred struct {
	Label string  `json:"label"`
	Index int     `json:"index"`
	Prob  float64 `json:"prob"`
}

// Tensor asks for the network input the current model makes of an image,
// taken as Classify takes it (page -> worker; the browser tests compare it
// with the native one). Answer: TensorData, or Error.
type Tensor struct {
	ID    int `json:"id"`
	Image any `json:"image"`
}

// TensorData is the answer to Tensor (worker -> page).
type TensorData struct {
	ID   int `json:"id"`
	Data any `json:"data"` // Float32Array, (3, H, W)
}

// Error kinds.
const (
	ErrDownload   = "download"    // a Load's URL could not be fetched
	ErrModel      = "model"       // the weight file (Load), or no model yet
	ErrFrame      = "frame"       // the message, or pixels the engine refuses
	ErrImage      = "image"       // a file the browser cannot open as an image; Message says why, for the user
	ErrWeightFile = "weight-file" // a file sent as a photo is a weight file: load it instead
	ErrTeach      = "teach"       // TeachAdd or TeachTrain refused; Message says why, for the user
	ErrUnembedded = "unembedded"  // TeachTrain: an example has no embedding with the current base
	ErrNoKept     = "no-kept"     // a Load of the kept file, and none is kept
	// ErrStopped: the worker stopped (or the page stopped it) before it
	// answered. The page makes this answer itself; the worker never sends it.
	ErrStopped = "stopped"
)

// What is wrong with a weight file the worker refused (Error.Problem, with
// Kind ErrModel): the worker finds it with errors.Is on the weights
// package's errors, the page says it in plain words (web/app.go
// ModelProblem) and shows Message under "Details".
const (
	ProblemNotWeights = "not-weights" // not a weight file at all (bad magic, or a version no file will have)
	ProblemNewer      = "newer"       // a weight file of a later format version
	ProblemTruncated  = "truncated"   // it ends too early
	ProblemChecksum   = "checksum"    // damaged: the checksum does not match
	ProblemTooLarge   = "too-large"   // larger than the worker accepts
	ProblemInvalid    = "invalid"     // decodes, but does not describe a usable AlexNet
)

// Error is the answer to a request that failed (worker -> page).
type Error struct {
	ID      int    `json:"id"`
	Kind    string `json:"kind"` // ErrDownload, ErrModel, ErrFrame, ErrImage, ErrWeightFile, ErrStopped
	Message string `json:"message"`
	// Problem says why a weight file was refused (a Problem constant), or
	// is empty: another kind of error, or no weight file was read.
	Problem string `json:"problem,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Ready says the worker's Go has started (worker -> page), once.
type Ready struct{}

// Exit says the worker's Go program exited (worker.js -> page, and a
// helper's worker.js -> its worker): a fatal error such as running out of
// memory. worker.js closes the worker right after.
type Exit struct {
	Code int `json:"code"`
	// Message is the fatal error Go printed ("fatal error: out of
	// memory"), or empty.
	Message string `json:"message,omitempty"`
}

// Module hands worker.js the compiled worker (page -> worker.js, and
// worker.js -> its helper). worker.js takes it before any other message.
type Module struct {
	Module any `json:"module"` // WebAssembly.Module
	// Lock names the Web Lock the page's worker holds for as long as it
	// lives ("A worker that stops"); empty for a helper, or without the
	// Web Locks API.
	Lock string `json:"lock,omitempty"`
}

// ModuleError says the worker's WebAssembly could not be compiled (page ->
// worker.js): it then answers every request with an Error.
type ModuleError struct {
	Message string `json:"message"`
}

// ---- page <-> worker: looking inside (package explain) ----
//
// These requests carry the image again, as Classify does (a photo's File,
// or a camera frame with Live): the worker keeps nothing between requests,
// so its memory does not grow with the photos on the page. The images
// they answer with are Blobs the page shows as they are (an <img> of an
// object URL): the page never colours or reads pixels.

// Explain asks why the model gives an image a class (page -> worker): a
// Grad-CAM heatmap (package explain) of the image taken as Classify takes
// it. Answer: Explanation, or Error as for Classify.
type Explain struct {
	ID    int  `json:"id"`
	Image any  `json:"image"`          // as Classify's
	Live  bool `json:"live,omitempty"` // as Classify's
	// Class is the class to explain, an index into ModelInfo.Labels; -1:
	// the image's top class.
	Class int `json:"class"`
}

// Explanation is the answer to Explain (worker -> page).
type Explanation struct {
	ID    int    `json:"id"`
	Class int    `json:"class"` // the class explained (the top class when Explain asked for -1)
	Label string `json:"label"`
	// Input is the network's input as a picture (a PNG Blob, W x H): the
	// part of the image the network saw (the preprocessing's centre crop),
	// which the heatmap covers exactly.
	Input any `json:"input"`
	// Heatmap is the map in the Turbo colours (explain.Turbo: dark blue 0,
	// dark red the peak), a PNG Blob, W x H, opaque: the page lays it over
	// Input with the opacity the user picks.
	Heatmap any `json:"heatmap"`
	// Values is the map itself, a Float32Array of H x W values in [0,1]
	// (explain.Map.Values), for the tests.
	Values any `json:"values"`
	W      int `json:"w"`
	H      int `json:"h"`
	// Where names the region of the whole image where the map peaks
	// (explain.Map.Where: "centre-left"; "" for an empty map) and Sentence
	// is the text alternative (explain.Map.Sentence).
	Where    string  `json:"where"`
	Sentence string  `json:"sentence"`
	Ms       float64 `json:"ms"` // Grad-CAM (forward + backward), in the worker
}

// Activations asks for one layer's activation maps on an image (page ->
// worker), with every layer's shape, time and weights for the layer
// table. Answer: ActivationMaps, or Error (a Layer the model does not
// have: ErrFrame, the message lists the layers).
type Activations struct {
	ID    int    `json:"id"`
	Image any    `json:"image"`          // as Classify's
	Live  bool   `json:"live,omitempty"` // as Classify's
	Layer string `json:"layer"`          // explain.Layers' name: "conv1", "relu1", ..., "fc3"; "" the first
	// Max is how many channels to draw at most, the strongest; 0: the
	// worker's MaxTiles (64).
	Max int `json:"max,omitempty"`
}

// ActivationMaps is the answer to Activations (worker -> page).
type ActivationMaps struct {
	ID     int         `json:"id"`
	Layer  string      `json:"layer"`
	Layers []LayerInfo `json:"layers"` // every layer, in order, timed on this image
	// Tiles is the layer's channels as grey tiles, strongest first
	// (explain.Tiles, each tile on its own scale), a PNG Blob, TilesW x
	// TilesH; Channels are the channels in the order drawn.
	Tiles    any     `json:"tiles"`
	TilesW   int     `json:"tilesW"`
	TilesH   int     `json:"tilesH"`
	Channels []int   `json:"channels"`
	Ms       float64 `json:"ms"` // the timed forward pass and the tiles, in the worker
}

// LayerInfo is one layer of the network for the inside view.
type LayerInfo struct {
	Name       string  `json:"name"` // "conv1"
	Op         string  `json:"op"`   // nn.Op: "conv", "relu", ...
	C          int     `json:"c"`    // its output's shape
	H          int     `json:"h"`
	W          int     `json:"w"`
	Ms         float64 `json:"ms"`         // its time in this forward pass
	TimeShare  float64 `json:"timeShare"`  // Ms over the pass's total
	Params     int     `json:"params"`     // weights and biases
	ParamShare float64 `json:"paramShare"` // Params over the network's
}

// Filters asks for the first convolution's filters as an image grid (page
// -> worker). Answer: FilterGrid, or Error.
type Filters struct {
	ID int `json:"id"`
}

// FilterGrid is the answer to Filters (worker -> page): explain.Filters,
// one range for all filters, in the paper's two blocks for the paper's
// network.
type FilterGrid struct {
	ID    int    `json:"id"`
	Layer string `json:"layer"` // the tensor drawn: "features.0.weight"
	Image any    `json:"image"` // PNG Blob, W x H
	W     int    `json:"w"`
	H     int    `json:"h"`
	Shape []int  `json:"shape"` // the filters' (N, C, K, K)
}

// ---- page <-> worker: teaching (the Teach view, web/teach.go) ----

// TeachAdd gives the worker one example to embed with the teachable base
// model (page -> worker; wasm/worker/teach.go). Image is a File or Blob (a
// photo) or an ImageBitmap (a camera frame, transferred); the worker cuts
// the part the embedding looks at (the base's resize and crop scaled by
// teach.Scale, 288x288 for the shipped model) and keeps the embedding
// under Example, the page's id for it. Cropped says Image is such a cut
// already (a Crop sent back to re-embed a kept example): it is drawn whole.
// Answer: TeachAdded, or Error (ErrImage, ErrTeach).
type TeachAdd struct {
	ID      int  `json:"id"`
	Example int  `json:"example"`
	Image   any  `json:"image"`
	Cropped bool `json:"cropped,omitempty"`
}

// TeachAdded says an example is embedded (worker -> page). Crop is the cut
// the embedding was made from, a JPEG Blob (absent when the request was
// Cropped): the page shows it as the thumbnail and keeps it to embed again
// when the base model changes.
type TeachAdded struct {
	ID      int     `json:"id"`
	Example int     `json:"example"`
	Crop    any     `json:"crop,omitempty"`
	Ms      float64 `json:"ms"` // the embedding's forward pass, in the worker
}

// TeachItem is one example of a TeachTrain: the page's id and its class (an
// index into Labels).
type TeachItem struct {
	Example int `json:"example"`
	Class   int `json:"class"`
}

// TeachTrain trains a head on the examples embedded so far (page ->
// worker), reports Progress with PhaseTrain, and makes the taught model
// the current one. Answer: Taught, or Error: ErrUnembedded when an
// example has no embedding with the current base (the base changed or the
// worker restarted: send its TeachAdd again), ErrTeach for anything else
// (one class only, an empty class: Message says it for the user).
type TeachTrain struct {
	ID       int         `json:"id"`
	Name     string      `json:"name"` // the taught model's name
	Labels   []string    `json:"labels"`
	Examples []TeachItem `json:"examples"`
	Seed     int         `json:"seed"`
}

// Taught answers TeachTrain (worker -> page): the taught model is now the
// current one.
type Taught struct {
	ID     int         `json:"id"`
	Info   ModelInfo   `json:"info"`
	Report TeachReport `json:"report"`
	File   any         `json:"file"` // Uint8Array: the taught weight file (weights.Encode), for download and storage
	Ms     float64     `json:"ms"`   // training, in the worker
}

// TeachReport is teach.Report: how the held-out examples fared.
type TeachReport struct {
	Held      int     `json:"held"`
	Correct   int     `json:"correct"`
	Confusion [][]int `json:"confusion"` // [true class][predicted class]
	NotSure   int     `json:"notSure"`
}

// UseBase makes the teachable base model (the last loaded model that is
// not itself a taught one) the current model again (page -> worker).
// Answer: Loaded, or Error (ErrModel when there is none).
type UseBase struct {
	ID int `json:"id"`
}

// Forget asks the worker to drop the file kept by Load.Keep (page ->
// worker): the user switched back to the default model. The model in use
// does not change. Answer: Forgotten.
type Forget struct {
	ID int `json:"id"`
}

// Forgotten is the answer to Forget (worker -> page).
type Forgotten struct {
	ID int `json:"id"`
}

// ---- worker <-> helper worker ----

// Split asks a helper worker to build part 1 of 2 of the model in Bytes
// and run passes with the worker through Shared (worker -> helper; see
// wasm/worker/split_js.go). Answer: SplitReady or SplitError.
type Split struct {
	Gen    int `json:"gen"`    // which helper this is; answers repeat it
	Shared any `json:"shared"` // SharedArrayBuffer
	Bytes  any `json:"bytes"`  // Uint8Array, a copy of the weight file
}

// SplitReady says the helper is ready to run passes (helper -> worker).
type SplitReady struct {
	Gen int `json:"gen"`
}

// SplitError says the helper failed (helper -> worker), or, with Gen 0,
// that worker.js saw the current helper stop.
type SplitError struct {
	Gen     int    `json:"gen"`
	Message string `json:"message,omitempty"`
}

// Helper carries what the helper posted (worker.js -> the worker's Go).
type Helper struct {
	Msg map[string]any `json:"msg"`
}

// ---- build -> page ----

// Manifest is manifest.json, which internal/webdist writes next to the
// content-hashed files and the page reads at start.
type Manifest struct {
	Version   string `json:"version"`   // hash of everything built: the service worker's cache version
	UI        string `json:"ui"`        // the page's WebAssembly
	Worker    string `json:"worker"`    // the worker's WebAssembly
	WasmExec  string `json:"wasmExec"`  // Go's wasm_exec.js
	Model     string `json:"model"`     // the default weight file
	ModelSize int64  `json:"modelSize"` // its size in bytes (the progress bar's total when the response is compressed)
	Built     string `json:"built"`     // RFC 3339 UTC
}

// Check reports what a manifest lacks for the page to start.
func (m Manifest) Check() error {
	if m.Model == "" || m.Worker == "" || m.WasmExec == "" {
		return errors.New("manifest.json is incomplete")
	}
	return nil
}

// ---- kinds ----

func (*Load) Type() string        { return TypeLoad }
func (*Loaded) Type() string      { return TypeLoaded }
func (*Progress) Type() string    { return TypeProgress }
func (*Classify) Type() string    { return TypeClassify }
func (*Result) Type() string      { return TypeResult }
func (*Tensor) Type() string      { return TypeTensor }
func (*TensorData) Type() string  { return TypeTensorData }
func (*Error) Type() string       { return TypeError }
func (*Ready) Type() string       { return TypeReady }
func (*Module) Type() string      { return TypeModule }
func (*ModuleError) Type() string { return TypeModuleError }
func (*Split) Type() string       { return TypeSplit }
func (*SplitReady) Type() string  { return TypeSplitReady }
func (*SplitError) Type() string  { return TypeSplitError }
func (*Helper) Type() string      { return TypeHelper }
func (*TeachAdd) Type() string    { return TypeTeachAdd }
func (*TeachAdded) Type() string  { return TypeTeachAdded }
func (*TeachTrain) Type() string  { return TypeTeachTrain }
func (*Taught) Type() string      { return TypeTaught }
func (*UseBase) Type() string     { return TypeUseBase }
func (*Forget) Type() string      { return TypeForget }
func (*Forgotten) Type() string   { return TypeForgotten }
func (*Exit) Type() string        { return TypeExit }

func (*Explain) Type() string        { return TypeExplain }
func (*Explanation) Type() string    { return TypeExplanation }
func (*Activations) Type() string    { return TypeActivations }
func (*ActivationMaps) Type() string { return TypeActivationMaps }
func (*Filters) Type() string        { return TypeFilters }
func (*FilterGrid) Type() string     { return TypeFilterGrid }

// ---- encoding ----

// Encode returns m as a plain map, with its Type under "type": strings,
// bools, float64 numbers, []any, map[string]any, and the any fields as
// they are. Fields tagged omitempty are left out when zero.
func Encode(m Message) map[string]any {
	r := encodeStruct(reflect.ValueOf(m).Elem())
	r["type"] = m.Type()
	return r
}

// Decode reads a message from a plain map (numbers as float64, lists as
// []any, objects as map[string]any). A missing field is left zero; a field
// of the wrong type, an unknown type, or a number that does not fit is an
// error.
func Decode(r map[string]any) (Message, error) {
	t, _ := r["type"].(string)
	newMsg, ok := messages[t]
	if !ok {
		return nil, fmt.Errorf("protocol: unknown message type %q", t)
	}
	m := newMsg()
	if err := decodeStruct(reflect.ValueOf(m).Elem(), r); err != nil {
		return nil, fmt.Errorf("protocol: %s message: %w", t, err)
	}
	return m, nil
}

// DecodeInto reads r into a struct of this package that is not a message
// (say, a Manifest).
func DecodeInto(dst any, r map[string]any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("protocol: DecodeInto needs a pointer to a struct, not %T", dst)
	}
	return decodeStruct(v.Elem(), r)
}

// fieldName is f's JSON name and whether it is omitted when zero.
func fieldName(f reflect.StructField) (string, bool) {
	name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		name = f.Name
	}
	return name, opts == "omitempty"
}

func encodeStruct(v reflect.Value) map[string]any {
	r := make(map[string]any, v.NumField()+1)
	for i := 0; i < v.NumField(); i++ {
		name, omit := fieldName(v.Type().Field(i))
		f := v.Field(i)
		if omit && f.IsZero() {
			continue
		}
		r[name] = encodeValue(f)
	}
	return r
}

func encodeValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int64:
		return float64(v.Int())
	case reflect.Float64:
		return v.Float()
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = encodeValue(v.Index(i))
		}
		return out
	case reflect.Struct:
		return encodeStruct(v)
	case reflect.Map, reflect.Interface:
		return v.Interface() // a map[string]any or a JS object, as it is
	}
	panic("protocol: no encoding for " + v.Type().String()) // a field type this package does not use
}

func decodeStruct(v reflect.Value, r map[string]any) error {
	for i := 0; i < v.NumField(); i++ {
		name, _ := fieldName(v.Type().Field(i))
		x, ok := r[name]
		if !ok || x == nil {
			continue
		}
		if err := decodeValue(v.Field(i), x); err != nil {
			return fmt.Errorf("field %q: %w", name, err)
		}
	}
	return nil
}

func decodeValue(v reflect.Value, x any) error {
	bad := func() error { return fmt.Errorf("got %T, want %s", x, v.Type()) }
	switch v.Kind() {
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return bad()
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return bad()
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		f, ok := x.(float64)
		if !ok {
			return bad()
		}
		// Whole numbers only, within ±2^53 (exact in a JS number).
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 || v.OverflowInt(int64(f)) {
			return fmt.Errorf("%v is not a whole number in range", f)
		}
		v.SetInt(int64(f))
	case reflect.Float64:
		f, ok := x.(float64)
		if !ok {
			return bad()
		}
		v.SetFloat(f)
	case reflect.Slice:
		list, ok := x.([]any)
		if !ok {
			return bad()
		}
		s := reflect.MakeSlice(v.Type(), len(list), len(list))
		for i, e := range list {
			if err := decodeValue(s.Index(i), e); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		v.Set(s)
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			return bad()
		}
		return decodeStruct(v, m)
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok {
			return bad()
		}
		v.Set(reflect.ValueOf(m))
	case reflect.Interface:
		v.Set(reflect.ValueOf(x))
	default:
		return bad()
	}
	return nil
}
