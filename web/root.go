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
	Cam      CamState
	Dragging bool
	Notice   string // the latest error, shown in an alert until dismissed
	nextID   int
	queue    chan []fileRef // photos waiting for the worker, handled in order
	modelURL string
	// engine is the one "busy" gate: the worker answers one request at a
	// time, and whoever holds this token is using it. Photos and model
	// loads wait for it; the camera loop drops a frame when it is taken.
	engine chan struct{}
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
}

// loadModelURL downloads (or takes from the cache), verifies and installs a
// weight file. When a model is already in use and this one fails, the old
// one stays and the failure is reported beside it.
func (c *Root) loadModelURL(url string, custom bool) {
	replacing := c.startLoad("Downloading")
	progress := c.loadProgress()
	<-c.engine
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
		c.modelFailed(url, replacing, loadError(err))
		return
	}
	c.modelReady(info, url, cached)
}

// loadModelFile installs a weight file the user dropped on the page.
func (c *Root) loadModelFile(f fileRef) {
	replacing := c.startLoad("Reading " + f.Name())
	<-c.engine
	info, _, err := workerLoad(protocol.Load{Bytes: f.h}, c.loadProgress())
	c.engine <- struct{}{}
	if err != nil {
		c.modelFailed(f.Name(), replacing, loadError(err))
		return
	}
	c.modelReady(info, f.Name(), false)
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

// loadError is the words for a failed load.
func loadError(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Kind == protocol.ErrDownload {
		return "The model could not be downloaded: " + pe.Message
	}
	return "This is not a usable weight file: " + err.Error()
}

// modelReady makes a verified model the one in use.
func (c *Root) modelReady(info protocol.ModelInfo, source string, fromCache bool) {
	ready := nowMs()
	c.update(func() {
		c.Model.Status, c.Model.Phase, c.Model.Err = StatusReady, "", ""
		c.Model.FromCache = fromCache
		c.Model.Info = &info
		c.Model.Source = source
		if c.Model.ReadyMs == 0 {
			c.Model.ReadyMs = ready
		}
		c.Model.Inferences, c.Model.LastMs, c.Model.LastWorkers = 0, 0, 0
	})
}

func (c *Root) modelFailed(source string, replacing bool, msg string) {
	c.update(func() {
		c.Model.Phase = ""
		if replacing {
			c.Model.ReplaceErr, c.Model.ReplaceName = msg, source
			c.Notice = msg + " The current model stays in use."
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
	// Items are shown at once, newest first, and classified in order.
	for i := len(photos) - 1; i >= 0; i-- {
		f := photos[i]
		c.nextID++
		it := &Item{ID: c.nextID, Name: f.Name(), Via: via, State: ItemDecoding}
		f.item = it
		photos[i] = f
		c.Items = append([]*Item{it}, c.Items...)
	}
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
			it.State, it.Err = ItemError, msg
			c.Notice = f.Name() + ": " + msg
		})
	}
	if !c.waitReady() {
		fail("The model is not available, so the photo could not be classified.")
		return
	}
	// The worker decodes the file, scales it and classifies it.
	url := previewURL(f)
	c.update(func() { it.PreviewURL, it.State = url, ItemClassifying })
	<-c.engine
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
		look.files[it.ID] = f.h // its Why? and inside view send it again
		c.Model.LastMs, c.Model.LastWorkers = res.Ms, res.Workers
		c.Model.Inferences++
	})
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
