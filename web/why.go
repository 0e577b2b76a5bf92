package main

import (
	"strconv"

	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

// Why is the "Why?" button and panel of a result card (Item set) or of
// the live camera (Item nil): a Grad-CAM heatmap over the part of the
// picture the network saw, for the top class or the one chosen, with an
// opacity slider and the map's text alternative. State: Look.why.
type Why struct {
	Item *Item
}

func (c *Why) key() int {
	if c.Item == nil {
		return CameraWhy
	}
	return c.Item.ID
}

// S is the panel's state.
func (c *Why) S() *WhyState { return look.whyOf(c.key()) }

// Shown reports whether the button is offered: a photo with a result, or
// the camera while it runs.
func (c *Why) Shown() bool {
	if c.Item == nil {
		return look.app != nil && look.app.Cam.On
	}
	return c.Item.State == ItemDone && c.Item.src.name != ""
}

// Toggle opens or closes the panel; opening explains the top class.
func (c *Why) Toggle(event vugu.DOMEvent) {
	s := c.S()
	s.Open = !s.Open
	if !s.Open {
		return
	}
	if c.Item == nil {
		look.startLoop() // the camera's panel follows the video
		return
	}
	if s.Ex.Label == "" && !s.Busy {
		go look.explainPhoto(c.Item, s.Class)
	}
}

// ChooseClass explains another class.
func (c *Why) ChooseClass(event vugu.DOMEvent) {
	class, err := strconv.Atoi(event.PropString("target", "value"))
	if err != nil {
		return
	}
	s := c.S()
	s.Class = class
	if c.Item != nil {
		go look.explainPhoto(c.Item, class)
	}
}

// SetOpacity follows the slider.
func (c *Why) SetOpacity(event vugu.DOMEvent) {
	if v, err := strconv.Atoi(event.PropString("target", "value")); err == nil && v >= 0 && v <= 100 && v%OpacityStep == 0 {
		c.S().Opacity = v
	}
}

// Top is the classes offered: the image's top classes with their
// probabilities (the photo's result, or the camera's latest).
func (c *Why) Top() []protocol.Pred {
	if c.Item != nil {
		return c.Item.Res.Top
	}
	if look.app == nil {
		return nil
	}
	return look.app.Cam.Res.Top
}

// Option is a class's line in the chooser.
func (c *Why) Option(p protocol.Pred) string { return Pretty(p.Label) + " (" + Pct(p.Prob) + ")" }

// Selected reports whether class is the one shown (or asked for).
func (c *Why) Selected(p protocol.Pred, i int) bool {
	s := c.S()
	if s.Class == -1 {
		return i == 0
	}
	return p.Index == s.Class
}

// PanelID is the id of the panel, for aria-controls.
func (c *Why) PanelID() string { return "why-" + strconv.Itoa(c.key()) }

// ExpandedAttr is aria-expanded.
func (c *Why) ExpandedAttr() string { return strconv.FormatBool(c.S().Open) }

// ButtonText is the button's words.
func (c *Why) ButtonText() string {
	if c.S().Open {
		return "Hide why"
	}
	return "Why?"
}

// HeatClass sets the heatmap's opacity: a class per step of the slider
// (look.css), as the page's CSP allows no style attributes.
func (c *Why) HeatClass() string {
	return "why-heat op-" + strconv.Itoa(c.S().Opacity/OpacityStep*OpacityStep)
}

// OpacityStep is the slider's step, in percent.
const OpacityStep = 5

// Status is the panel's live line: working, the error, or what the map
// shows.
func (c *Why) Status() string {
	s := c.S()
	switch {
	case s.Err != "":
		return s.Err
	case s.Ex.Label == "" && c.Item == nil:
		return "Explaining the camera's frames…"
	case s.Ex.Label == "":
		return "Working out why…"
	}
	return "Why " + Pretty(s.Ex.Label) + ": " + s.Ex.Sentence
}

// Legend explains the colours and the picture.
func (c *Why) Legend() string {
	s := c.S()
	t := "Red marks the regions that raised the score of " + Pretty(s.Ex.Label) + " most, blue the least (Grad-CAM). The picture is the part the network saw."
	if s.Ex.Ms > 0 {
		t += " " + Ms(s.Ex.Ms) + "."
	}
	return t
}

// Alt is the heatmap's text alternative.
func (c *Why) Alt() string {
	s := c.S()
	return "Heatmap for " + Pretty(s.Ex.Label) + ". " + s.Ex.Sentence
}

// OpacityText is the slider's value in words.
func (c *Why) OpacityText() string { return strconv.Itoa(c.S().Opacity) + "%" }
