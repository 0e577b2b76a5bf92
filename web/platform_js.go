//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"github.com/vugu/vugu"
	vjs "github.com/vugu/vugu/js"
)

// handle is a browser object.
type handle = js.Value

var (
	global   = js.Global()
	document = global.Get("document")
	perf     = global.Get("performance")
)

func nowMs() float64 { return perf.Call("now").Float() }

// sleepMs pauses the calling goroutine (never a callback).
func sleepMs(ms int) {
	ch := make(chan struct{})
	f := js.FuncOf(func(js.Value, []js.Value) any { close(ch); return nil })
	global.Call("setTimeout", f, ms)
	<-ch
	f.Release()
}

// await waits for a promise from a goroutine; a rejection becomes an error
// carrying the JS error's name and message.
func await(p js.Value) (js.Value, error) {
	type res struct {
		v   js.Value
		err error
	}
	ch := make(chan res, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any {
		v := js.Undefined()
		if len(a) > 0 {
			v = a[0]
		}
		ch <- res{v: v}
		return nil
	})
	fail := js.FuncOf(func(_ js.Value, a []js.Value) any {
		e := &jsError{Name: "Error", Msg: "unknown error"}
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			e.Name = a[0].Get("name").String()
			e.Msg = a[0].Get("message").String()
		} else if len(a) > 0 {
			e.Msg = a[0].String()
		}
		ch <- res{err: e}
		return nil
	})
	p.Call("then", ok, fail)
	r := <-ch
	ok.Release()
	fail.Release()
	return r.v, r.err
}

type jsError struct{ Name, Msg string }

func (e *jsError) Error() string { return e.Msg }

func errName(err error) string {
	var je *jsError
	if errors.As(err, &je) {
		return je.Name
	}
	return ""
}

func object() js.Value { return global.Get("Object").New() }

// ---- manifest, worker ----

// early is what boot.js started before the UI ran (window.alexnetEarly):
// the manifest, the worker's module being compiled, the default model's
// request. Undefined when boot.js did not set it.
func early() js.Value { return global.Get("alexnetEarly") }

func loadManifest() (Manifest, error) {
	var j js.Value
	if e := early(); e.Truthy() && e.Get("manifest").Truthy() {
		j = e.Get("manifest")
	} else {
		resp, err := await(global.Call("fetch", "manifest.json", map[string]any{"cache": "no-cache"}))
		if err != nil {
			return Manifest{}, err
		}
		if !resp.Get("ok").Bool() {
			return Manifest{}, errors.New("manifest.json: HTTP " + strconv.Itoa(resp.Get("status").Int()))
		}
		if j, err = await(resp.Call("json")); err != nil {
			return Manifest{}, err
		}
	}
	str := func(k string) string {
		if v := j.Get(k); v.Type() == js.TypeString {
			return v.String()
		}
		return ""
	}
	m := Manifest{Model: str("model"), Worker: str("worker"), WasmExec: str("wasmExec"), Version: str("version")}
	if v := j.Get("modelSize"); v.Type() == js.TypeNumber {
		m.ModelSize = int64(v.Float())
	}
	if m.Model == "" || m.Worker == "" || m.WasmExec == "" {
		return m, errors.New("manifest.json is incomplete")
	}
	return m, nil
}

type workerClient struct {
	w       js.Value
	next    int
	pending map[int]chan js.Value
	onMsg   js.Func
	onErr   js.Func
}

var wk *workerClient

// The compiled worker module (a promise) and the worker's URL.
var (
	workerModule js.Value // a Promise of the WebAssembly.Module
	workerURL    string
)

// startWorker starts the classifier's worker. The page compiles the
// worker's WebAssembly itself (streaming, while the model downloads) and
// posts the compiled module: the page's fetches go through the service
// worker, so this also works offline.
func startWorker(m Manifest) error {
	workerURL = "worker.js?exec=" + global.Call("encodeURIComponent", m.WasmExec).String()
	if e := early(); e.Truthy() {
		workerModule = e.Get("workerModule") // started by boot.js
	}
	if !workerModule.Truthy() {
		workerModule = global.Get("WebAssembly").Call("compileStreaming", global.Call("fetch", m.Worker))
	}
	if e := early(); e.Truthy() && e.Get("worker").Truthy() {
		wk = adoptWorker(e.Get("worker")) // boot.js started it and posts its module
		return nil
	}
	wk = newWorker()
	return nil
}

// newWorker starts one worker with the compiled module.
func newWorker() *workerClient {
	w := global.Get("Worker").New(workerURL)
	go func() {
		mod, err := await(workerModule)
		msg := object()
		if err != nil {
			msg.Set("type", "module-error")
			msg.Set("message", err.Error())
		} else {
			msg.Set("type", "module")
			msg.Set("module", mod)
		}
		w.Call("postMessage", msg)
	}()
	return adoptWorker(w)
}

// adoptWorker wraps a started worker.
func adoptWorker(w js.Value) *workerClient {
	c := &workerClient{w: w, pending: map[int]chan js.Value{}}
	c.onMsg = js.FuncOf(func(_ js.Value, a []js.Value) any {
		d := a[0].Get("data")
		if d.Get("id").Type() != js.TypeNumber {
			return nil // "ready" and other notes
		}
		id := d.Get("id").Int()
		if ch, ok := c.pending[id]; ok {
			delete(c.pending, id)
			ch <- d // buffered: never blocks
		}
		return nil
	})
	c.onErr = js.FuncOf(func(_ js.Value, a []js.Value) any {
		msg := "the worker stopped"
		if len(a) > 0 && a[0].Get("message").Type() == js.TypeString {
			msg = a[0].Get("message").String()
		}
		for id, ch := range c.pending {
			delete(c.pending, id)
			e := object()
			e.Set("type", "error")
			e.Set("message", msg)
			ch <- e
		}
		return nil
	})
	w.Call("addEventListener", "message", c.onMsg)
	w.Call("addEventListener", "error", c.onErr)
	return c
}

// call posts a request and waits for its answer.
func (c *workerClient) call(msg js.Value, transfer []any) js.Value {
	c.next++
	id := c.next
	msg.Set("id", id)
	ch := make(chan js.Value, 1)
	c.pending[id] = ch
	c.w.Call("postMessage", msg, transfer)
	return <-ch
}

func workerLoad(b modelBlob) (ModelInfo, error) { return wk.load(b.bytes) }

func (c *workerClient) load(bytes js.Value) (ModelInfo, error) {
	msg := object()
	msg.Set("type", "load")
	msg.Set("bytes", bytes)
	d := c.call(msg, []any{bytes.Get("buffer")})
	if d.Get("type").String() != "loaded" {
		return ModelInfo{}, errors.New(d.Get("message").String())
	}
	return parseInfo(d.Get("info")), nil
}

// earlyLoaded takes over the model load boot.js started for url (the
// default model, from the Cache API or downloaded, sent to the worker
// without waiting for the UI), reporting boot.js's download progress
// meanwhile; false when there was none or it failed, and the UI then loads
// the model itself.
func earlyLoaded(url string, progress func(phase string, loaded, total int64)) (ModelInfo, bool, bool) {
	e := early()
	if !e.Truthy() || !e.Get("loaded").Truthy() || e.Get("modelURL").String() != url {
		return ModelInfo{}, false, false
	}
	p := e.Get("loaded")
	e.Delete("loaded")
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if pr := e.Get("progress"); pr.Truthy() {
				progress(pr.Get("phase").String(), int64(pr.Get("loaded").Float()), int64(pr.Get("total").Float()))
			}
			sleepMs(50)
		}
	}()
	r, err := await(p)
	close(done)
	if err != nil || r.Type() != js.TypeObject {
		return ModelInfo{}, false, false
	}
	return parseInfo(r.Get("answer").Get("info")), r.Get("cached").Bool(), true
}

func parseInfo(in js.Value) ModelInfo {
	info := ModelInfo{
		Name: in.Get("name").String(), Arch: in.Get("arch").String(), Quant: in.Get("quant").String(),
		Params: in.Get("params").Int(), Bytes: in.Get("bytes").Int(), LoadMs: in.Get("loadMs").Float(),
		InW: in.Get("inW").Int(), InH: in.Get("inH").Int(), Resize: in.Get("resize").Int(), Threshold: in.Get("threshold").Float(),
	}
	labels := in.Get("labels")
	for i := 0; i < labels.Length(); i++ {
		info.Labels = append(info.Labels, labels.Index(i).String())
	}
	return info
}

func workerClassify(fr frame) (Result, error) { return wk.classify(fr) }

// classify posts a frame (its pixels, or its bitmap, transferred) and waits
// for the answer.
func (c *workerClient) classify(fr frame) (Result, error) {
	msg := object()
	msg.Set("type", "classify")
	var transfer []any
	if fr.isBitmap {
		msg.Set("bitmap", fr.bitmap)
		transfer = []any{fr.bitmap}
	} else {
		msg.Set("pixels", fr.data)
		transfer = []any{fr.data.Get("buffer")}
	}
	msg.Set("width", fr.W)
	msg.Set("height", fr.H)
	d := c.call(msg, transfer)
	switch d.Get("type").String() {
	case "result":
	case "dropped":
		return Result{}, errors.New("the classifier was busy")
	default:
		return Result{}, errors.New(d.Get("message").String())
	}
	r := Result{NotSure: d.Get("notSure").Bool(), Ms: d.Get("ms").Float(), Workers: 1}
	if w := d.Get("workers"); w.Type() == js.TypeNumber {
		r.Workers = w.Int()
	}
	top := d.Get("top")
	for i := 0; i < top.Length(); i++ {
		p := top.Index(i)
		r.Top = append(r.Top, Pred{Label: p.Get("label").String(), Index: p.Get("index").Int(), Prob: p.Get("prob").Float()})
	}
	return r, nil
}

// discard frees a frame that will not be sent (a dropped webcam frame).
func discard(fr frame) {
	if fr.isBitmap && fr.bitmap.Truthy() {
		fr.bitmap.Call("close")
	}
}

// ---- the model: choose, fetch with progress, cache ----

const modelCache = "flowerscope-models-v1"

// chooseModelURL is ?model= when it names a same-origin URL, else the
// default from the manifest.
func chooseModelURL(m Manifest) (string, bool, error) {
	loc := global.Get("location")
	q := global.Get("URLSearchParams").New(loc.Get("search")).Call("get", "model")
	if q.Type() != js.TypeString || q.String() == "" {
		return m.Model, false, nil
	}
	u, err := newURL(q.String(), loc.Get("href").String())
	if err != nil || u.Get("origin").String() != loc.Get("origin").String() {
		return m.Model, false, errors.New("?model= must name a file on this site; using the default model instead.")
	}
	return u.Get("href").String(), true, nil
}

func newURL(s, base string) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("bad URL")
		}
	}()
	return global.Get("URL").New(s, base), nil
}

// fetchModel returns the weight file at url from the Cache API when it is
// there (cacheable: content-hashed default names), else downloads it,
// reporting progress.
// expected is the size to show progress against when the response does
// not say it (a compressed response's Content-Length is not the size).
func fetchModel(url string, cacheable bool, expected int64, progress func(loaded, total int64)) (modelBlob, bool, error) {
	var cache js.Value
	if caches := global.Get("caches"); cacheable && caches.Truthy() {
		if c, err := await(caches.Call("open", modelCache)); err == nil {
			cache = c
		}
	}
	cachedBlob := func(hit js.Value) (modelBlob, bool) {
		ab, err := await(hit.Call("arrayBuffer"))
		if err != nil {
			return modelBlob{}, false
		}
		u8 := global.Get("Uint8Array").New(ab)
		return modelBlob{bytes: u8, resp: js.Undefined(), url: url, size: int64(u8.Length())}, true
	}
	var resp js.Value
	if resp.IsUndefined() && cache.Truthy() {
		if hit, err := await(cache.Call("match", url)); err == nil && hit.Truthy() {
			if b, ok := cachedBlob(hit); ok {
				return b, true, nil
			}
		}
	}
	if resp.IsUndefined() {
		r, err := await(global.Call("fetch", url, map[string]any{"cache": "no-cache"}))
		if err != nil {
			return modelBlob{}, false, errors.New("network error (" + err.Error() + ")")
		}
		resp = r
	}
	if !resp.Get("ok").Bool() {
		return modelBlob{}, false, errors.New("HTTP " + strconv.Itoa(resp.Get("status").Int()) + " for " + url)
	}
	var total int64
	if cl := resp.Get("headers").Call("get", "content-length"); cl.Type() == js.TypeString && !resp.Get("headers").Call("get", "content-encoding").Truthy() {
		total, _ = strconv.ParseInt(cl.String(), 10, 64)
	}
	if total == 0 {
		total = expected
	}
	reader := resp.Get("body").Call("getReader")
	var chunks []js.Value
	var loaded int64
	progress(0, total)
	for {
		r, err := await(reader.Call("read"))
		if err != nil {
			return modelBlob{}, false, errors.New("download interrupted (" + err.Error() + ")")
		}
		if r.Get("done").Bool() {
			break
		}
		v := r.Get("value")
		chunks = append(chunks, v)
		loaded += int64(v.Length())
		progress(loaded, total)
	}
	progress(loaded, loaded)
	u8 := global.Get("Uint8Array").New(loaded)
	var off int64
	for _, ch := range chunks {
		u8.Call("set", ch, off)
		off += int64(ch.Length())
	}
	b := modelBlob{bytes: u8, resp: js.Undefined(), url: url, size: loaded}
	if cache.Truthy() {
		// A copy for the cache, made before the bytes move to the worker;
		// stored only once the worker has verified them.
		hdr := map[string]any{"Content-Type": "application/octet-stream"}
		b.resp = global.Get("Response").New(u8.Call("slice"), map[string]any{"headers": hdr})
	}
	return b, false, nil
}

// cacheModel stores a verified download and drops older model versions.
func cacheModel(b modelBlob) {
	caches := global.Get("caches")
	if !caches.Truthy() || b.resp.Type() != js.TypeObject {
		return
	}
	c, err := await(caches.Call("open", modelCache))
	if err != nil {
		return
	}
	if _, err := await(c.Call("put", b.url, b.resp)); err != nil {
		return
	}
	keys, err := await(c.Call("keys"))
	if err != nil {
		return
	}
	abs, _ := newURL(b.url, global.Get("location").Get("href").String())
	for i := 0; i < keys.Length(); i++ {
		if k := keys.Index(i); k.Get("url").String() != abs.Get("href").String() {
			c.Call("delete", k)
		}
	}
}

func readModelFile(f fileRef) (modelBlob, error) {
	ab, err := await(f.h.Call("arrayBuffer"))
	if err != nil {
		return modelBlob{}, err
	}
	u8 := global.Get("Uint8Array").New(ab)
	return modelBlob{bytes: u8, resp: js.Undefined(), url: f.name, size: int64(u8.Length())}, nil
}

// isModelBytes reports whether a file starts with the weight-file magic.
func isModelBytes(f fileRef) bool {
	ab, err := await(f.h.Call("slice", 0, 4).Call("arrayBuffer"))
	if err != nil {
		return false
	}
	u8 := global.Get("Uint8Array").New(ab)
	b := make([]byte, u8.Length())
	js.CopyBytesToGo(b, u8)
	return string(b) == ModelMagic
}

// ---- photos ----

func fileList(fl js.Value) []fileRef {
	var out []fileRef
	if !fl.Truthy() {
		return nil
	}
	for i := 0; i < fl.Length(); i++ {
		f := fl.Index(i)
		out = append(out, fileRef{h: f, name: f.Get("name").String()})
	}
	return out
}

func filesFromInput(event vugu.DOMEvent) []fileRef {
	target := js.Value(event.JSEventTarget())
	files := fileList(target.Get("files"))
	target.Set("value", "") // choosing the same file again fires change again
	return files
}

var _ vjs.Value // vugu's js.Value is syscall/js's under GOOS=js

// decodeImage lets the browser decode a file (any format it knows), caps
// the longer side at MaxSide and returns its RGBA pixels. The pixels stay
// on the JS side until the worker copies them.
func decodeImage(f fileRef) (frame, error) {
	opts := map[string]any{"imageOrientation": "from-image", "premultiplyAlpha": "none", "colorSpaceConversion": "none"}
	bmp, err := await(global.Call("createImageBitmap", f.h, opts))
	if err != nil {
		t := f.h.Get("type").String()
		if t != "" && !strings.HasPrefix(t, "image/") {
			return frame{}, errors.New("This is not an image (" + t + ").")
		}
		return frame{}, errors.New("This file is not an image the browser can open, or it is damaged.")
	}
	defer bmp.Call("close")
	w, h := bmp.Get("width").Int(), bmp.Get("height").Int()
	fw, fh := FitWithin(w, h, MaxSide)
	if fw == 0 {
		return frame{}, errors.New("The image is empty.")
	}
	data, err := drawPixels(bmp, fw, fh)
	if err != nil {
		return frame{}, err
	}
	return frame{data: data, W: fw, H: fh, OrigW: w, OrigH: h}, nil
}

// drawPixels draws src (a bitmap or video) at w x h and returns the bytes.
func drawPixels(src js.Value, w, h int) (data js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("the browser could not draw the image")
		}
	}()
	canvas := global.Get("OffscreenCanvas").New(w, h)
	ctx := canvas.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
	ctx.Set("imageSmoothingQuality", "high")
	ctx.Call("drawImage", src, 0, 0, w, h)
	return ctx.Call("getImageData", 0, 0, w, h).Get("data"), nil
}

func previewURL(f fileRef) string {
	return global.Get("URL").Call("createObjectURL", f.h).String()
}

func revokePreview(u string) {
	if u != "" {
		global.Get("URL").Call("revokeObjectURL", u)
	}
}

// ---- the camera ----

type camera struct {
	stream, video js.Value
	deviceID      string
	lastTime      float64
	// A live stream's currentTime moves on continuously, not once a frame,
	// so where the browser has requestVideoFrameCallback a callback that
	// re-registers itself counts the frames the video presents: grab takes
	// a frame only when the count moved, and waitFrame wakes on the next.
	rvfc     bool
	frames   int     // frames presented so far
	seen     int     // frames when the last frame was grabbed
	lastCb   float64 // nowMs of the last callback
	onFrame  js.Func
	cbID     js.Value
	newFrame chan struct{}
	closed   bool
}

func openCamera(deviceID string) (*camera, error) {
	md := global.Get("navigator").Get("mediaDevices")
	if !md.Truthy() || !md.Get("getUserMedia").Truthy() {
		return nil, errors.New("This browser cannot use a camera here (it needs a secure page: https or localhost).")
	}
	video := map[string]any{"width": map[string]any{"ideal": 640}, "height": map[string]any{"ideal": 480}}
	if deviceID != "" {
		video["deviceId"] = map[string]any{"exact": deviceID}
	} else {
		video["facingMode"] = "environment"
	}
	stream, err := await(md.Call("getUserMedia", map[string]any{"video": video, "audio": false}))
	if err != nil {
		switch errName(err) {
		case "NotAllowedError", "SecurityError":
			return nil, errors.New("Camera access was denied. Allow the camera for this site in your browser settings, or use a photo instead.")
		case "NotFoundError", "OverconstrainedError":
			return nil, errors.New("No camera was found. Connect one, or use a photo instead.")
		case "NotReadableError", "AbortError":
			return nil, errors.New("The camera is in use by another app or could not start.")
		}
		return nil, errors.New("The camera could not start: " + err.Error())
	}
	v := document.Call("querySelector", `[data-testid="camera-video"]`)
	if !v.Truthy() {
		stopStream(stream)
		return nil, errors.New("the video element is missing")
	}
	v.Set("muted", true)
	v.Set("playsInline", true)
	v.Set("srcObject", stream)
	if _, err := await(v.Call("play")); err != nil {
		stopStream(stream)
		return nil, errors.New("The camera video could not play: " + err.Error())
	}
	c := &camera{stream: stream, video: v, lastTime: -1}
	if v.Get("requestVideoFrameCallback").Truthy() {
		c.rvfc, c.newFrame = true, make(chan struct{}, 1)
		c.onFrame = js.FuncOf(func(js.Value, []js.Value) any {
			if c.closed {
				return nil
			}
			c.frames++
			c.lastCb = nowMs()
			select {
			case c.newFrame <- struct{}{}:
			default:
			}
			c.cbID = v.Call("requestVideoFrameCallback", c.onFrame)
			return nil
		})
		c.cbID = v.Call("requestVideoFrameCallback", c.onFrame)
	}
	if tr := stream.Call("getVideoTracks"); tr.Length() > 0 {
		if s := tr.Index(0).Call("getSettings"); s.Get("deviceId").Type() == js.TypeString {
			c.deviceID = s.Get("deviceId").String()
		}
	}
	return c, nil
}

func stopStream(s js.Value) {
	tr := s.Call("getTracks")
	for i := 0; i < tr.Length(); i++ {
		tr.Index(i).Call("stop")
	}
}

// close stops the stream and detaches it from the video element, unless a
// newer camera already took the element: when the user switches cameras, the
// old loop may finish its last classification after the new stream started.
func (c *camera) close() {
	if c.rvfc && !c.closed {
		c.closed = true
		c.video.Call("cancelVideoFrameCallback", c.cbID)
		f := c.onFrame
		go func() { sleepMs(200); f.Release() }() // after any callback already queued
	}
	c.closed = true
	stopStream(c.stream)
	if c.video.Get("srcObject").Equal(c.stream) {
		c.video.Set("srcObject", js.Null())
	}
}

var errNoFrame = errors.New("no new frame yet")

// grab returns the current video frame as an ImageBitmap: for a model
// (m not nil), the part its preprocessing keeps (CamCrop), cut and scaled
// to its input size by the browser; else the whole frame, at most CamSide
// on its longer side. createImageBitmap does not read the pixels on this
// thread; the worker draws the bitmap on its own canvas. errNoFrame when
// the video has not moved on since the last grab.
func (c *camera) grab(m *ModelInfo) (fr frame, err error) {
	defer func() {
		if r := recover(); r != nil { // createImageBitmap threw (the video is not ready)
			fr, err = frame{}, errNoFrame
		}
	}()
	w, h := c.video.Get("videoWidth").Int(), c.video.Get("videoHeight").Int()
	if w == 0 || h == 0 {
		return frame{}, errNoFrame
	}
	if c.rvfc && nowMs()-c.lastCb < 250 {
		if c.frames == c.seen {
			return frame{}, errNoFrame
		}
		c.seen = c.frames
	} else {
		// No frame callbacks (not supported, or not coming, say for a hidden
		// video): a frame whenever the clock moved.
		t := c.video.Get("currentTime").Float()
		if t == c.lastTime {
			return frame{}, errNoFrame
		}
		c.lastTime = t
	}
	src, fw, fh := Rect{0, 0, w, h}, 0, 0
	if m != nil && m.InW > 0 && m.InH > 0 {
		src, fw, fh = CamCrop(w, h, m.Resize, m.InW, m.InH), m.InW, m.InH
	}
	if src.W == 0 || fw == 0 {
		src = Rect{0, 0, w, h}
		fw, fh = FitWithin(w, h, CamSide)
	}
	opts := map[string]any{"resizeWidth": fw, "resizeHeight": fh, "resizeQuality": "high"}
	bmp, err := await(global.Call("createImageBitmap", c.video, src.X, src.Y, src.W, src.H, opts))
	if err != nil {
		return frame{}, errors.New("the camera frame could not be read: " + err.Error())
	}
	return frame{bitmap: bmp, isBitmap: true, W: fw, H: fh, OrigW: w, OrigH: h}, nil
}

// waitFrame waits for the next video frame (requestVideoFrameCallback, or an
// animation frame where that is missing), or 100 ms at most.
func (c *camera) waitFrame() {
	if c.rvfc {
		select {
		case <-c.newFrame:
		case <-time.After(100 * time.Millisecond):
		}
		return
	}
	ch := make(chan struct{}, 2)
	f := js.FuncOf(func(js.Value, []js.Value) any { ch <- struct{}{}; return nil })
	if c.video.Get("requestVideoFrameCallback").Truthy() {
		c.video.Call("requestVideoFrameCallback", f)
	} else {
		global.Call("requestAnimationFrame", f)
	}
	global.Call("setTimeout", f, 100)
	<-ch
	// The other callback may still fire: release after it cannot.
	go func() { sleepMs(150); f.Release() }()
}

func listCameras() []CamDevice {
	md := global.Get("navigator").Get("mediaDevices")
	if !md.Truthy() {
		return nil
	}
	list, err := await(md.Call("enumerateDevices"))
	if err != nil {
		return nil
	}
	var out []CamDevice
	for i := 0; i < list.Length(); i++ {
		d := list.Index(i)
		if d.Get("kind").String() != "videoinput" {
			continue
		}
		label := d.Get("label").String()
		if label == "" {
			label = "Camera " + strconv.Itoa(len(out)+1)
		}
		out = append(out, CamDevice{ID: d.Get("deviceId").String(), Label: label})
	}
	return out
}

// ---- page-wide events: drag and drop anywhere, paste ----

var globalFuncs []js.Func

func installGlobalHandlers(c *Root) {
	depth := 0
	hasFiles := func(ev js.Value) bool {
		dt := ev.Get("dataTransfer")
		if !dt.Truthy() {
			return false
		}
		types := dt.Get("types")
		for i := 0; i < types.Length(); i++ {
			if types.Index(i).String() == "Files" {
				return true
			}
		}
		return false
	}
	on := func(target js.Value, name string, fn func(ev js.Value)) {
		f := js.FuncOf(func(_ js.Value, a []js.Value) any {
			fn(a[0])
			return nil
		})
		globalFuncs = append(globalFuncs, f)
		target.Call("addEventListener", name, f)
	}
	setDragging := func(v bool) {
		go c.update(func() { c.Dragging = v })
	}
	on(global, "dragenter", func(ev js.Value) {
		if !hasFiles(ev) {
			return
		}
		ev.Call("preventDefault")
		depth++
		if depth == 1 {
			setDragging(true)
		}
	})
	on(global, "dragover", func(ev js.Value) {
		if !hasFiles(ev) {
			return
		}
		ev.Call("preventDefault")
		ev.Get("dataTransfer").Set("dropEffect", "copy")
	})
	on(global, "dragleave", func(ev js.Value) {
		if !hasFiles(ev) {
			return
		}
		if depth--; depth <= 0 {
			depth = 0
			setDragging(false)
		}
	})
	on(global, "drop", func(ev js.Value) {
		ev.Call("preventDefault")
		depth = 0
		files := fileList(ev.Get("dataTransfer").Get("files")) // only readable during the event
		go c.update(func() {
			c.Dragging = false
			if len(files) == 0 {
				c.Notice = "Nothing to classify was dropped: drop an image file."
				return
			}
			c.AddFiles(files, "drop")
		})
	})
	on(document, "paste", func(ev js.Value) {
		cd := ev.Get("clipboardData")
		if !cd.Truthy() {
			return
		}
		files := fileList(cd.Get("files"))
		if len(files) == 0 {
			return // plain text paste: leave it alone
		}
		ev.Call("preventDefault")
		go c.update(func() { c.AddFiles(files, "paste") })
	})
}
