package main

import (
	"strconv"

	"github.com/vugu/vugu"
	js "github.com/vugu/vugu/js"
)

// ModelPanel shows the model: loading progress, errors with a retry button,
// and once ready its name, classes, quantisation, size and timings.
type ModelPanel struct {
	App *Root
}

// Badge is the status word.
func (c *ModelPanel) Badge() string {
	switch c.App.Model.Status {
	case StatusReady:
		return "ready"
	case StatusError:
		return "error"
	}
	return "loading"
}

// PhaseText says what loading is doing.
func (c *ModelPanel) PhaseText() string {
	m := &c.App.Model
	if m.Phase == "Downloading" {
		return "Downloading the model"
	}
	if m.Phase == "Verifying" {
		if m.FromCache {
			return "Verifying the cached model"
		}
		return "Verifying the model"
	}
	if m.Phase == "" {
		return "Starting"
	}
	return m.Phase
}

// Summary follows the model's name: its classes, in a few words.
func (c *ModelPanel) Summary() string {
	in := c.App.Model.Info
	s := " · " + strconv.Itoa(len(in.Labels)) + " classes"
	if c.App.Model.Builtin {
		s += " · built in"
	}
	return s
}

// Stays says which model remains after a refused file.
func (c *ModelPanel) Stays() string {
	if in := c.App.Model.Info; in != nil {
		return "Still using " + in.Name + "."
	}
	return ""
}

// focusError moves focus to the model-file error once, on the render that
// shows it (vg-js-populate runs on every render).
func (c *ModelPanel) focusError(el js.Value) {
	if c.App.focusModelErr {
		c.App.focusModelErr = false
		el.Call("focus")
	}
}

// ProgressValue is the bar's value out of 1000.
func (c *ModelPanel) ProgressValue() int {
	m := &c.App.Model
	if m.Phase == "Verifying" {
		return 1000
	}
	if m.Total <= 0 {
		return 0
	}
	v := int(m.Loaded * 1000 / m.Total)
	if v > 1000 {
		v = 1000
	}
	return v
}

// BytesText is "12.3 MB of 54.1 MB (23%)".
func (c *ModelPanel) BytesText() string {
	m := &c.App.Model
	if m.Loaded == 0 && m.Total == 0 {
		return ""
	}
	if p := m.Percent(); p >= 0 {
		return Bytes(m.Loaded) + " of " + Bytes(m.Total) + " (" + strconv.Itoa(p) + "%)"
	}
	return Bytes(m.Loaded)
}

// Classes lists the labels.
func (c *ModelPanel) Classes() string {
	in := c.App.Model.Info
	return strconv.Itoa(len(in.Labels)) + ": " + LabelList(in.Labels, 8)
}

// Network is the architecture and input size.
func (c *ModelPanel) Network() string {
	in := c.App.Model.Info
	return "AlexNet (" + in.Arch + "), " + Count(in.Params) + " weights, " + strconv.Itoa(in.InW) + "×" + strconv.Itoa(in.InH) + " input"
}

// Size is the weight file size and where it came from.
func (c *ModelPanel) Size() string {
	m := &c.App.Model
	s := Bytes(int64(m.Info.Bytes))
	if m.FromCache {
		s += ", from the offline cache"
	}
	return s
}

// LoadText is how long verifying the model in use took and, for the
// model the page opened with, when the page became ready.
func (c *ModelPanel) LoadText() string {
	m := &c.App.Model
	s := Ms(m.Info.LoadMs) + " to verify"
	if m.ReadyMs > 0 && m.Gen == 1 {
		s += ", ready " + Ms(m.ReadyMs) + " after opening"
	}
	return s
}

// InferText is the last inference time.
func (c *ModelPanel) InferText() string {
	m := &c.App.Model
	if m.Inferences == 0 {
		return "no photo yet"
	}
	on := ""
	if m.LastWorkers > 1 {
		on = " on " + strconv.Itoa(m.LastWorkers) + " cores"
	}
	return Ms(m.LastMs) + " per image" + on + " (last of " + strconv.Itoa(m.Inferences) + ")"
}

// ModelChosen loads a weight file picked in the panel.
func (c *ModelPanel) ModelChosen(event vugu.DOMEvent) {
	for _, f := range filesFromInput(event) {
		go c.App.loadModelFile(f)
		return
	}
}
