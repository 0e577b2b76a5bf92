package main

import (
	"errors"
	"strconv"

	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

// Root is the whole page.
type Root struct {
	env vugu.EventEnv

	Manifest protocol.Manifest
	Model    ModelState
	Items    []*Item // newest first
	Batch    *Batch  // many photos at once (batch.go), or nil
	Cam      CamState
	Teach    TeachState // the Teach view (teach.go)
	Dragging bool
	Notice   string // a page-wide problem, shown in an alert until dismissed (per-photo and model-file errors are shown where they belong)
	OwnOpen  bool   // the "Use your own model" panel is open (kept across renders)
	TechOpen bool   // the model's "Technical details" are open
	// DetailOpen: the technical "Details" of a refused model file are open.
	DetailOpen bool
	Said       string // the last result, for the live region
	nextID     int
	queue      chan []fileRef // photos waiting for the worker, handled in order
	modelURL   string
	// engine is the one "busy" gate: the worker answers one request at a
	// time, and whoever holds this token is using it. Photos and model
	// loads wait for it; the camera loop drops a frame when it is taken.
	engine chan struct{}
	// focusModelErr asks the next render to move focus to the model-file error.
	focusModelErr bool
	// updateLive's render throttle (under the event lock).
	liveRendered float64
	livePending  bool
}

// Init runs once, before the first render.
func (c *Root) Init(ctx vugu.InitCtx) {
	c.env = ctx.EventEnv()
	look.app = c // the look-inside views (look.go)
	c.Model.Status = StatusLoading
	c.Model.Phase = "Starting"
	c.queue = make(chan []fileRef, 16)
	c.engine = make(chan struct{}, 1)
	c.engine <- struct{}{}
	go c.boot()
	go c.photoLoop()
	c.teachStart()
	go c.superviseWorker()
}

// update runs f under the event lock and re-renders.
func (c *Root) update(f func()) {
	c.env.Lock()
	f()
	c.env.UnlockRender()
}

// LiveRenderGap is the shortest time, in ms, between two renders caused by
// webcam results. Vugu rebuilds and syncs the whole page on each render
// (about 10 ms with twenty result cards on the page, on the main thread
// that also grabs the frames); the state is updated for every frame and
// shown at most this often (10 times a second), the latest result always.
const LiveRenderGap = 100

// updateLive runs f under the event lock like update, but renders at most
// once every LiveRenderGap ms; an update that comes sooner is rendered
// when the gap has passed (one pending render at most), so the page always
// ends showing the latest state.
func (c *Root) updateLive(f func()) {
	c.env.Lock()
	f()
	now := nowMs()
	wait := c.liveRendered + LiveRenderGap - now
	if wait <= 0 {
		c.liveRendered = now
		c.env.UnlockRender()
		return
	}
	schedule := !c.livePending
	c.livePending = true
	c.env.UnlockOnly()
	if schedule {
		go func() {
			sleepMs(int(wait) + 1)
			c.env.Lock()
			c.livePending = false
			c.liveRendered = nowMs()
			c.env.UnlockRender()
		}()
	}
}

func (c *Root) boot() {
	m, err := loadManifest()
	if err != nil {
		c.update(func() {
			c.Model.Status, c.Model.Err = StatusError, "The app files could not be read: "+err.Error()
		})
		return
	}
	c.update(func() { c.Manifest = m })
	if err := startWorker(m); err != nil {
		c.update(func() {
			c.Model.Status, c.Model.Err = StatusError, "The classifier could not start: "+err.Error()
		})
		return
	}
	installGlobalHandlers(c)
	url, fromParam, err := chooseModelURL(m)
	if err != nil {
		c.update(func() { c.Notice = err.Error() })
	}
	c.modelURL = url
	c.loadModelURL(url, fromParam)
	if !fromParam && c.Model.Status == StatusReady {
		c.loadKept() // a model the user chose last time (kept.go)
	}
}

// loadModelURL downloads (or takes from the cache), verifies and installs a
// weight file. When a model is already in use and this one fails, the old
// one stays and the failure is reported beside it.
func (c *Root) loadModelURL(url string, custom bool) {
	replacing := c.startLoad("Downloading")
	progress := c.loadProgress()
	<-c.engine
	c.reviveIfStopped()
	var info protocol.ModelInfo
	var cached, ok bool
	var err error
	if !custom {
		// The worker may be loading the default model already (boot.js).
		info, cached, ok, err = workerBootLoad(progress)
	}
	if !ok {
		var size int64
		if url == c.Manifest.Model {
			size = c.Manifest.ModelSize
		}
		info, cached, err = workerLoad(protocol.Load{URL: url, Cache: !custom, Size: size}, progress)
	}
	c.engine <- struct{}{}
	if err != nil {
		msg, detail := loadError(err)
		c.modelFailed(url, replacing, msg, detail)
		return
	}
	c.modelReady(info, url, cached)
}

// loadModelFile installs a weight file the user dropped on the page.
func (c *Root) loadModelFile(f fileRef) {
	replacing := c.startLoad("Reading " + f.Name())
	<-c.engine
	c.reviveIfStopped()
	info, _, err := workerLoad(protocol.Load{Bytes: f.h, Keep: true}, c.loadProgress())
	c.engine <- struct{}{}
	if err != nil {
		msg, detail := loadError(err)
		c.modelFailed(f.Name(), replacing, msg, detail)
		return
	}
	c.modelReady(info, f.Name(), false)
	c.update(func() { c.Model.Kept = true })
}

// startLoad shows that a load started; it reports whether another model
// is in use meanwhile (and stays in use if this one fails).
func (c *Root) startLoad(phase string) (replacing bool) {
	c.update(func() {
		replacing = c.Model.Info != nil
		if !replacing {
			c.Model.Status = StatusLoading
		}
		c.Model.Phase, c.Model.Loaded, c.Model.Total, c.Model.Err = phase, 0, 0, ""
		c.Model.ReplaceErr = ""
	})
	return replacing
}

// loadProgress shows a load's progress in the model panel.
func (c *Root) loadProgress() func(*protocol.Progress) {
	return func(p *protocol.Progress) {
		c.update(func() {
			c.Model.Phase = "Downloading"
			if p.Phase == protocol.PhaseVerify {
				c.Model.Phase = "Verifying"
			}
			c.Model.Loaded, c.Model.Total, c.Model.FromCache = p.Loaded, p.Total, p.Cached
		})
	}
}

// loadError is the words for a failed load, and the technical message
// shown under "Details" ("" when the words say it all). A refused weight
// file is said by what the worker found wrong with it (ModelProblem).
func loadError(err error) (msg, detail string) {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Kind == protocol.ErrDownload {
		return "The model could not be downloaded: " + pe.Message, ""
	}
	if errors.As(err, &pe) && pe.Kind == protocol.ErrModel {
		return ModelProblem(pe.Problem), pe.Message
	}
	if errors.As(err, &pe) && pe.Kind == protocol.ErrStopped {
		return "This model could not be loaded: " + pe.Message + ".", ""
	}
	return ModelProblem(""), err.Error()
}

// modelReady makes a verified model the one in use.
func (c *Root) modelReady(info protocol.ModelInfo, source string, fromCache bool) {
	ready := nowMs()
	c.update(func() {
		if c.Model.Info != nil {
			c.Model.Swapped = "Now using " + info.Name + " (" + strconv.Itoa(len(info.Labels)) + " classes)"
			c.Said = c.Model.Swapped
		}
		c.Model.Status, c.Model.Phase, c.Model.Err = StatusReady, "", ""
		c.Model.ReplaceErr, c.Model.ErrDetail = "", ""
		c.Model.Slow, c.Model.Restart = "", ""
		c.Model.FromCache = fromCache
		c.Model.Kept, c.Model.FromLastVisit = false, false
		c.Model.Info = &info
		c.Model.Source = source
		c.Model.Builtin = source == c.Manifest.Model
		c.Model.Gen++
		if c.Model.ReadyMs == 0 {
			c.Model.ReadyMs = ready
		}
		c.Model.Inferences, c.Model.LastMs, c.Model.LastWorkers = 0, 0, 0
	})
}

// modelFailed reports a model that could not be used: msg in plain words,
// detail the technical message (or ""). When another model stays in use
// the message goes next to the model chooser, which opens, and focus moves
// to it (ModelPanel.focusError).
func (c *Root) modelFailed(source string, replacing bool, msg, detail string) {
	c.update(func() {
		c.Model.Phase, c.Model.ErrDetail = "", detail
		if replacing {
			c.Model.ReplaceErr, c.Model.ReplaceName = msg, source
			c.Model.Swapped = ""
			c.OwnOpen, c.DetailOpen = true, false
			c.focusModelErr = true
			return
		}
		c.Model.Status, c.Model.Err, c.Model.Source = StatusError, msg, source
	})
}

// Retry downloads the model again after a failure.
func (c *Root) Retry(event vugu.DOMEvent) {
	url := c.modelURL
	if url == "" {
		url = c.Manifest.Model
	}
	go c.loadModelURL(url, url != c.Manifest.Model)
}

// DismissNotice hides the alert.
func (c *Root) DismissNotice(event vugu.DOMEvent) { c.Notice = "" }

// ClearResults removes the photo results.
func (c *Root) ClearResults(event vugu.DOMEvent) {
	for _, it := range c.Items {
		revokePreview(it.PreviewURL)
	}
	c.Items = nil
	look.clear()
}

// FilesChosen handles the file picker (several files give several results).
func (c *Root) FilesChosen(event vugu.DOMEvent) {
	files := filesFromInput(event)
	c.AddFiles(files, "picker")
}

// AddFiles takes files from any input. Weight files replace the model;
// everything else is treated as a photo. Called under the event lock.
func (c *Root) AddFiles(files []fileRef, via string) {
	var photos []fileRef
	for _, f := range files {
		if IsModelName(f.Name()) {
			go c.loadModelFile(f)
			continue
		}
		photos = append(photos, f)
	}
	if len(photos) == 0 {
		return
	}
	c.Notice = ""
	if len(photos) >= BatchFrom || via == ViaFolder {
		c.addBatch(photos)
		return
	}
	// Items are shown at once, newest first, and classified in order.
	for i := len(photos) - 1; i >= 0; i-- {
		f := photos[i]
		c.nextID++
		it := &Item{ID: c.nextID, Name: f.Name(), Via: via, State: ItemDecoding, src: f}
		f.item = it
		it.src.item = it
		photos[i] = f
		c.Items = append([]*Item{it}, c.Items...)
	}
	// On a phone the results are below the picker: bring the newest in view.
	photos[0].item.reveal = via != "camera"
	select {
	case c.queue <- photos:
	default:
		for _, f := range photos {
			f.item.State, f.item.Err = ItemError, "Too many photos at once; try again in a moment."
		}
	}
}

// photoLoop classifies queued photos one at a time.
func (c *Root) photoLoop() {
	for batch := range c.queue {
		for _, f := range batch {
			c.classifyPhoto(f)
		}
	}
}

func (c *Root) classifyPhoto(f fileRef) {
	it := f.item
	fail := func(msg string) {
		c.update(func() {
			it.State, it.Err = ItemError, msg // shown on the photo's card only
			c.Said = f.Name() + ": " + msg
		})
	}
	c.update(func() {
		if c.Model.Status == StatusLoading {
			it.State = ItemWaiting
		}
	})
	if !c.waitReady() {
		fail("The model is not available, so the photo could not be classified.")
		return
	}
	// The worker decodes the file, scales it and classifies it.
	url := previewURL(f)
	c.update(func() { it.PreviewURL, it.State = url, ItemClassifying })
	<-c.engine
	c.reviveIfStopped()
	res, err := workerClassify(f.h, false)
	c.engine <- struct{}{}
	if err != nil {
		revokePreview(url)
		var pe *protocol.Error
		switch {
		case errors.As(err, &pe) && pe.Kind == protocol.ErrWeightFile:
			c.update(func() { c.removeItem(it) })
			c.loadModelFile(f)
		case errors.As(err, &pe) && pe.Kind == protocol.ErrImage:
			c.update(func() { it.PreviewURL = "" })
			fail(pe.Message)
		default:
			c.update(func() { it.PreviewURL = "" })
			fail("Classification failed: " + err.Error())
		}
		return
	}
	c.update(func() {
		it.W, it.H, it.OrigW, it.OrigH = res.Width, res.Height, res.SourceWidth, res.SourceHeight
		it.State, it.Res = ItemDone, res
		if in := c.Model.Info; in != nil {
			it.Model = in.Name
		}
		it.ModelGen = c.Model.Gen
		c.Said = Spoken(f.Name(), res)
		c.Model.LastMs, c.Model.LastWorkers = res.Ms, res.Workers
		c.Model.Inferences++
	})
}

// Rerun classifies a photo again with the model in use now.
func (c *Root) Rerun(it *Item) {
	if it.src.name == "" || c.Busy(it) {
		return
	}
	revokePreview(it.PreviewURL)
	it.PreviewURL, it.State, it.Err, it.Res = "", ItemDecoding, "", protocol.Result{}
	select {
	case c.queue <- []fileRef{it.src}:
	default:
		it.State, it.Err = ItemError, "Too many photos at once; try again in a moment."
	}
}

// Busy reports whether a photo is still being worked on.
func (c *Root) Busy(it *Item) bool {
	return it.State == ItemWaiting || it.State == ItemDecoding || it.State == ItemClassifying
}

// PasteWithoutImage tells the user that what was pasted (text) is not
// something to classify. Called under the event lock by the paste handler.
func (c *Root) PasteWithoutImage() {
	c.Notice = "Pasted text can't be classified: copy a photo (or an image file) and paste that."
}

// ToggleOwn opens or closes "Use your own model". The open state lives
// here, not in the <details> element: Vugu's render removes attributes it
// did not set, which closed the panel on every re-render.
func (c *Root) ToggleOwn(event vugu.DOMEvent) {
	event.PreventDefault()
	c.OwnOpen = !c.OwnOpen
}

// ToggleTech opens or closes the model's "Technical details".
func (c *Root) ToggleTech(event vugu.DOMEvent) {
	event.PreventDefault()
	c.TechOpen = !c.TechOpen
}

// ToggleDetail opens or closes the technical detail of a refused model file.
func (c *Root) ToggleDetail(event vugu.DOMEvent) {
	event.PreventDefault()
	c.DetailOpen = !c.DetailOpen
}

// Announcement is the text of the live region: loading in 25% steps,
// then "Ready", then each result or photo error and each model swap. A
// refused model file is read out where focus moves to it; the camera's
// errors have their own alert.
func (c *Root) Announcement() string {
	switch c.Model.Status {
	case StatusLoading:
		return LoadingWords(c.Model.Percent())
	case StatusError:
		return ""
	}
	if c.Said != "" {
		return c.Said
	}
	return "Ready"
}

// Recognises is the header's "Recognises 5 flowers:" line.
func (c *Root) Recognises() string {
	in := c.Model.Info
	if in == nil {
		return ""
	}
	return "Recognises " + strconv.Itoa(len(in.Labels)) + " " + c.Kind() + ":"
}

// Kind is what the model's classes are, in words: "flowers" for the model
// the app ships, "classes" for any other (the file does not say).
func (c *Root) Kind() string {
	if c.Model.Builtin {
		return "flowers"
	}
	return "classes"
}

// Chips is the classes shown in the header (the first MaxChips).
func (c *Root) Chips() []string {
	in := c.Model.Info
	if in == nil {
		return nil
	}
	if len(in.Labels) > MaxChips {
		return in.Labels[:MaxChips]
	}
	return in.Labels
}

// MoreChips is "and 992 more" for models with many classes.
func (c *Root) MoreChips() string {
	in := c.Model.Info
	if in == nil || len(in.Labels) <= MaxChips {
		return ""
	}
	return "and " + strconv.Itoa(len(in.Labels)-MaxChips) + " more"
}

// MaxChips is how many classes the header names.
const MaxChips = 12

// ClassCount is the number of classes of the model in use (0 before one loads).
func (c *Root) ClassCount() int {
	if c.Model.Info == nil {
		return 0
	}
	return len(c.Model.Info.Labels)
}

func (c *Root) removeItem(it *Item) {
	for i, x := range c.Items {
		if x == it {
			c.Items = append(c.Items[:i], c.Items[i+1:]...)
			return
		}
	}
}

// waitReady blocks (in a goroutine) until the model is ready or failed.
func (c *Root) waitReady() bool {
	for {
		c.env.RLock()
		st := c.Model.Status
		c.env.RUnlock()
		switch st {
		case StatusReady:
			return true
		case StatusError:
			return false
		}
		sleepMs(50)
	}
}

// StatusText is the words of the status pill.
func (c *Root) StatusText() string {
	switch c.Model.Status {
	case StatusReady:
		return "Ready"
	case StatusError:
		return "Model error"
	}
	if p := c.Model.Percent(); p >= 0 && c.Model.Phase == "Downloading" {
		return "Loading model " + strconv.Itoa(p) + "%"
	}
	return "Loading model"
}

// errUnsupported is returned by the native stand-ins.
var errUnsupported = errors.New("only available in a browser")
