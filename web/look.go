package main

import (
	"errors"
	"strconv"

	"alexnet/internal/protocol"
)

// The look-inside views (issue 12): "Why?" on each result card and on the
// camera (why.vugu: a Grad-CAM heatmap over what the network saw), and
// "Inside the network" (inside.vugu: the first layer's filters, a layer's
// activation maps and the layer table). The worker does the work
// (protocol.Explain, Activations, Filters: package explain); the page
// shows the PNGs it sends as <img> of object URLs and never reads pixels.
//
// Each request carries its image again, as Classify does: a photo's File
// (Item.src) or a camera frame. The
// worker keeps nothing between requests.
//
// The state lives here, not in the components: Vugu may rebuild a
// component, and the result cards come and go. look is the one page's.

// Look is the state of the look-inside views.
type Look struct {
	app *Root
	// why holds each result card's Why? panel by Item.ID, and the
	// camera's under CameraWhy (Item IDs start at 1).
	why    map[int]*WhyState
	Inside InsideState
	// running says the loop that serves the camera views is started.
	running bool
}

// CameraWhy is the key of the camera's Why? panel in Look.why.
const CameraWhy = 0

var look = &Look{why: map[int]*WhyState{}}

// clear forgets the photos' panels (Root.ClearResults).
func (l *Look) clear() {
	for id, s := range l.why {
		if id != CameraWhy {
			revokePreview(s.Input)
			revokePreview(s.Heatmap)
			delete(l.why, id)
		}
	}
}

// WhyState is one Why? panel.
type WhyState struct {
	Open    bool
	Busy    bool
	Class   int // the class asked for; -1: the top class
	Opacity int // of the heatmap over the picture, in percent
	Ex      protocol.Explanation
	Input   string // object URLs of Ex's pictures
	Heatmap string
	Err     string
	Frames  int // camera: explanations shown so far
}

// whyOf is the panel of key, made closed at first use.
func (l *Look) whyOf(key int) *WhyState {
	s := l.why[key]
	if s == nil {
		s = &WhyState{Class: -1, Opacity: 55}
		l.why[key] = s
	}
	return s
}

// InsideState is the "Inside the network" view.
type InsideState struct {
	Open       bool
	Source     string // InsidePhoto or InsideCamera
	Layer      string // the layer asked for; "" until the first answer
	Maps       protocol.ActivationMaps
	Tiles      string              // object URL of Maps.Tiles
	Of         string              // what Maps shows: the photo's name, or "the camera"
	shownID    int                 // the Item.ID Maps shows (photos)
	mapsFor    *protocol.ModelInfo // the model Maps was made with
	Filters    protocol.FilterGrid
	FilterURL  string
	filtersFor *protocol.ModelInfo // the model Filters were drawn for
	Busy       bool
	Err        string
	FPS        float64 // camera: maps shown per second
	fps        FPS
	Frames     int // camera: maps shown so far
}

// Inside view sources.
const (
	InsidePhoto  = "photo"
	InsideCamera = "camera"
)

// newestDone is the newest photo with a result, or nil.
func (c *Root) newestDone() *Item {
	for _, it := range c.Items {
		if it.State == ItemDone && it.src.name != "" {
			return it
		}
	}
	return nil
}

// setURL replaces an object URL, revoking the old one.
func setURL(dst *string, url string) {
	revokePreview(*dst)
	*dst = url
}

// explainPhoto asks the worker why it (a photo with a result) is class
// (-1: its top class) and shows the answer in its panel.
func (l *Look) explainPhoto(it *Item, class int) {
	c := l.app
	s := l.whyOf(it.ID)
	c.update(func() { s.Busy, s.Err, s.Class = true, "", class })
	var ex protocol.Explanation
	var in, heat string
	img, err := l.photo(it)
	if err == nil {
		<-c.engine
		ex, in, heat, err = lookExplain(img, false, class)
		c.engine <- struct{}{}
	}
	c.update(func() {
		s.Busy = false
		if err != nil {
			s.Err = "The heatmap could not be made: " + err.Error()
			return
		}
		s.Ex = ex
		setURL(&s.Input, in)
		setURL(&s.Heatmap, heat)
	})
}

// photo is the File of a classified photo.
func (l *Look) photo(it *Item) (handle, error) {
	if it.src.name == "" {
		return it.src.h, errPhotoGone
	}
	return it.src.h, nil
}

var errPhotoGone = errors.New("the photo is no longer on the page")

// loadFilters asks for the first layer's filters once per model.
func (l *Look) loadFilters() {
	c := l.app
	<-c.engine
	g, url, err := lookFilters()
	c.engine <- struct{}{}
	c.update(func() {
		if err != nil {
			l.Inside.Err = "The filters could not be drawn: " + err.Error()
			return
		}
		l.Inside.Filters = g
		setURL(&l.Inside.FilterURL, url)
	})
}

// showPhotoMaps asks for the chosen layer's maps of a photo.
func (l *Look) showPhotoMaps(it *Item, layer string) {
	c := l.app
	c.update(func() { l.Inside.Busy = true })
	var m protocol.ActivationMaps
	var url string
	img, err := l.photo(it)
	if err == nil {
		<-c.engine
		m, url, err = lookActivations(img, false, layer)
		c.engine <- struct{}{}
	}
	c.update(func() {
		l.Inside.Busy = false
		l.Inside.shownID, l.Inside.mapsFor = it.ID, c.Model.Info
		if err != nil {
			l.Inside.Err = "The maps could not be drawn: " + err.Error()
			l.Inside.Layer = "" // say, a layer this model does not have: back to the first
			return
		}
		l.Inside.Err, l.Inside.Maps, l.Inside.Of = "", m, it.Name
		if l.Inside.Layer == "" {
			l.Inside.Layer = m.Layer
		}
		setURL(&l.Inside.Tiles, url)
	})
}

// startLoop starts the loop that keeps the camera's views live and the
// photo maps current, once. Called under the event lock.
func (l *Look) startLoop() {
	if !l.running {
		l.running = true
		go l.loop()
	}
}

// loop serves the views that follow something: while the camera runs,
// the camera's views (its Why? panel, the inside view on the camera) take
// their turn at the engine with the camera's own classification (which
// drops a frame when the engine is taken) and grab the video's frame only
// once they have it, so no frame waits; the inside view with a photo
// source follows the newest photo and the layer chosen.
func (l *Look) loop() {
	c := l.app
	for {
		c.env.RLock()
		camOn := c.Cam.On && c.Model.Status == StatusReady
		camWhy, class := false, -1
		if why := l.why[CameraWhy]; why != nil {
			camWhy, class = camOn && why.Open, why.Class
		}
		in := l.Inside
		camMaps := camOn && in.Open && in.Source == InsideCamera
		filters := in.Open && c.Model.Status == StatusReady && in.filtersFor != c.Model.Info
		if filters {
			l.Inside.filtersFor = c.Model.Info // asked for once per model
		}
		var photo *Item
		if in.Open && in.Source == InsidePhoto && !in.Busy {
			if it := c.newestDone(); it != nil && (it.ID != in.shownID || in.Layer != in.Maps.Layer || in.mapsFor != c.Model.Info) {
				photo = it
			}
		}
		c.env.RUnlock()
		did := false
		if filters {
			l.loadFilters()
			did = true
		}
		if photo != nil {
			l.showPhotoMaps(photo, in.Layer)
			did = true
		}
		if camMaps {
			did = l.cameraMaps(in.Layer) || did
		}
		if camWhy {
			did = l.cameraWhy(class) || did
		}
		if !did {
			sleepMs(50)
		}
	}
}

// withCameraFrame takes the worker (Root.engine), then the camera's
// latest frame, never one that waited for the worker, and runs ask with
// it; false, without running ask, when the video has no frame.
func (l *Look) withCameraFrame(ask func(fr handle)) bool {
	c := l.app
	<-c.engine
	defer func() { c.engine <- struct{}{} }()
	fr, err := videoFrame()
	if err != nil {
		return false
	}
	ask(fr)
	return true
}

// cameraMaps shows one camera frame's maps; false when the video had no
// frame.
func (l *Look) cameraMaps(layer string) bool {
	c := l.app
	var m protocol.ActivationMaps
	var url string
	var err error
	if !l.withCameraFrame(func(fr handle) { m, url, err = lookActivations(fr, true, layer) }) {
		return false
	}
	now := nowMs()
	c.updateLive(func() {
		if err != nil {
			l.Inside.Err = "The maps could not be drawn: " + err.Error()
			l.Inside.Layer = ""
			return
		}
		l.Inside.Err, l.Inside.Maps, l.Inside.Of = "", m, "the camera"
		if l.Inside.Layer == "" {
			l.Inside.Layer = m.Layer
		}
		l.Inside.shownID = 0
		l.Inside.Frames++
		l.Inside.FPS = l.Inside.fps.Add(now)
		setURL(&l.Inside.Tiles, url)
	})
	return true
}

// cameraWhy explains one camera frame.
func (l *Look) cameraWhy(class int) bool {
	c := l.app
	var ex protocol.Explanation
	var in, heat string
	var err error
	if !l.withCameraFrame(func(fr handle) { ex, in, heat, err = lookExplain(fr, true, class) }) {
		return false
	}
	s := l.whyOf(CameraWhy)
	c.updateLive(func() {
		if err != nil {
			s.Err = "The heatmap could not be made: " + err.Error()
			return
		}
		s.Err, s.Ex = "", ex
		s.Frames++
		setURL(&s.Input, in)
		setURL(&s.Heatmap, heat)
	})
	return true
}

// Shape is a layer's output shape as the seed writes it: "48×55×55", or
// "4096" for a vector.
func Shape(l protocol.LayerInfo) string {
	if l.H == 1 && l.W == 1 {
		return strconv.Itoa(l.C)
	}
	return strconv.Itoa(l.C) + "×" + strconv.Itoa(l.H) + "×" + strconv.Itoa(l.W)
}

// Share formats a share as a percentage with one decimal ("12.5%"), or
// "<0.1%" for a small non-zero one.
func Share(f float64) string {
	if f > 0 && f < 0.0005 {
		return "<0.1%"
	}
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}
