package main

import (
	"strconv"

	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

// Inside is the "Inside the network" view: the first layer's filters, a
// layer's activation maps for the newest photo or the live camera (tiles,
// strongest first) and the table of layers with their shapes, share of the
// time and share of the weights. State: Look.Inside; the work: Look.loop.
type Inside struct {
	App *Root
}

func (c *Inside) s() *InsideState { return &look.Inside }

// S is the view's state.
func (c *Inside) S() *InsideState { return c.s() }

// Toggle shows or hides the view.
func (c *Inside) Toggle(event vugu.DOMEvent) {
	s := c.s()
	s.Open = !s.Open
	if s.Source == "" {
		s.Source = InsidePhoto
		if c.App.Cam.On {
			s.Source = InsideCamera
		}
	}
	look.startLoop()
}

// ToggleText is the button's words.
func (c *Inside) ToggleText() string {
	if c.s().Open {
		return "Hide"
	}
	return "Show"
}

// ExpandedAttr is aria-expanded.
func (c *Inside) ExpandedAttr() string { return strconv.FormatBool(c.s().Open) }

// SetSource picks the photo or the camera.
func (c *Inside) SetSource(event vugu.DOMEvent) {
	c.s().Source = event.PropString("target", "value")
	c.s().fps.Reset()
	c.s().FPS = 0
}

// SetLayer picks the layer shown.
func (c *Inside) SetLayer(event vugu.DOMEvent) { c.s().Layer = event.PropString("target", "value") }

// PickLayer picks a layer from the table.
func (c *Inside) PickLayer(name string) { c.s().Layer = name }

// Layers is the layer table (from the latest answer).
func (c *Inside) Layers() []protocol.LayerInfo { return c.s().Maps.Layers }

// Names is the layers offered in the picker: the table's, or only the
// first before the first answer.
func (c *Inside) Names() []string {
	if len(c.s().Maps.Layers) == 0 {
		return []string{"conv1"}
	}
	var out []string
	for _, l := range c.s().Maps.Layers {
		out = append(out, l.Name)
	}
	return out
}

// Current is the table's line of the layer shown.
func (c *Inside) Current() (protocol.LayerInfo, bool) {
	for _, l := range c.s().Maps.Layers {
		if l.Name == c.s().Maps.Layer {
			return l, true
		}
	}
	return protocol.LayerInfo{}, false
}

// IsCamera reports whether the camera is the source.
func (c *Inside) IsCamera() bool { return c.s().Source == InsideCamera }

// HasPhoto reports whether there is a photo to show.
func (c *Inside) HasPhoto() bool { return c.App.newestDone() != nil }

// Summary is the line about the layer shown.
func (c *Inside) Summary() string {
	s := c.s()
	switch {
	case s.Err != "":
		return s.Err
	case s.Source == InsideCamera && !c.App.Cam.On:
		return "Start the camera to see its frames inside the network."
	case s.Source == InsidePhoto && !c.HasPhoto():
		return "Classify a photo to see what each layer makes of it."
	case s.Maps.Layer == "":
		return "Running the network…"
	}
	l, _ := c.Current()
	weights := "no weights."
	if l.Params > 0 {
		weights = Count(l.Params) + " weights (" + Share(l.ParamShare) + " of the network's)."
	}
	t := l.Name + " of " + s.Of + ": " + Shape(l) + " (channels × height × width), " + Ms(l.Ms) + " (" + Share(l.TimeShare) + " of the time), " + weights
	if s.Source == InsideCamera && s.FPS > 0 {
		t += " " + strconv.FormatFloat(s.FPS, 'f', 1, 64) + " maps a second."
	}
	return t
}

// TilesAlt is the text alternative of the tiles.
func (c *Inside) TilesAlt() string {
	s := c.s()
	l, _ := c.Current()
	n := strconv.Itoa(len(s.Maps.Channels))
	of := n + " channels"
	if len(s.Maps.Channels) < l.C {
		of = "the " + n + " strongest of " + strconv.Itoa(l.C) + " channels"
	}
	return "Activation maps of " + l.Name + " for " + s.Of + ": " + of + ", each " + strconv.Itoa(l.H) + "×" + strconv.Itoa(l.W) +
		" grey tile, strongest first; white is where the channel responds most."
}

// FiltersAlt is the text alternative of the filter grid.
func (c *Inside) FiltersAlt() string {
	sh := c.s().Filters.Shape
	if len(sh) != 4 {
		return "The first layer's filters"
	}
	return "The " + strconv.Itoa(sh[0]) + " filters of the first layer, each " + strconv.Itoa(sh[2]) + "×" + strconv.Itoa(sh[3]) +
		" RGB pixels: most look for edges at one angle, or for blobs of one colour."
}

// FPSAttr is the maps' rate for tests.
func (c *Inside) FPSAttr() string { return strconv.FormatFloat(c.s().FPS, 'f', 2, 64) }

// RowClass marks the layer shown in the table.
func (c *Inside) RowClass(l protocol.LayerInfo) string {
	if l.Name == c.s().Maps.Layer {
		return "current"
	}
	return ""
}

// Pressed is aria-pressed of a layer's button in the table.
func (c *Inside) Pressed(l protocol.LayerInfo) string {
	return strconv.FormatBool(l.Name == c.s().Layer || (c.s().Layer == "" && l.Name == c.s().Maps.Layer))
}
