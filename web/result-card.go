package main

import (
	"strconv"

	"github.com/vugu/vugu"
	js "github.com/vugu/vugu/js"
)

// ResultCard shows one photo and what the model thinks it is. Older cards
// (all but the newest) are compact, one row of thumbnail and verdict, until
// the user expands them.
type ResultCard struct {
	Item  *Item
	App   *Root
	Older bool // not the newest result
}

// reveal scrolls a new card into view, if it is not (on a phone the
// results are below the picker), once (vg-js-populate runs on every render).
func (c *ResultCard) reveal(el js.Value) {
	if c.Item.reveal {
		c.Item.reveal = false
		el.Call("scrollIntoView", map[string]any{"block": "nearest"})
	}
}

// Compact reports whether the card shows only its one-row summary.
func (c *ResultCard) Compact() bool { return c.Older && !c.Item.Open }

// CompactAttr is data-compact.
func (c *ResultCard) CompactAttr() string { return strconv.FormatBool(c.Compact()) }

// ExpandedAttr is the toggle's aria-expanded.
func (c *ResultCard) ExpandedAttr() string { return strconv.FormatBool(!c.Compact()) }

// Toggle expands or collapses an older card.
func (c *ResultCard) Toggle(event vugu.DOMEvent) { c.Item.Open = !c.Item.Open }

// RerunText is the button that classifies the photo again with the model in use.
func (c *ResultCard) RerunText() string {
	if in := c.App.Model.Info; in != nil {
		return "Run again with " + in.Name
	}
	return "Run again"
}

// Busy reports whether the photo is still being worked on.
func (c *ResultCard) Busy() bool { return c.App.Busy(c.Item) }

// BusyText says which step it is at.
func (c *ResultCard) BusyText() string {
	if c.Item.State == ItemWaiting {
		return WaitingWords(c.App.Model.Percent())
	}
	if c.Item.State == ItemDecoding {
		return "Opening the photo…"
	}
	return "Classifying…"
}

// Meta is the line under the name: size and time.
func (c *ResultCard) Meta() string {
	it := c.Item
	if it.W == 0 {
		return ""
	}
	s := strconv.Itoa(it.OrigW) + "×" + strconv.Itoa(it.OrigH)
	if it.Scaled() {
		s += " (scaled to " + strconv.Itoa(it.W) + "×" + strconv.Itoa(it.H) + ")"
	}
	if it.State == ItemDone {
		s += " · " + Ms(it.Res.Ms)
	}
	return s
}

// Verdict is the headline answer.
func (c *ResultCard) Verdict() string { return Verdict(c.Item.Res) }

// VerdictSub qualifies it.
func (c *ResultCard) VerdictSub() string {
	return VerdictNote(c.Item.Res, c.App.ClassCount(), c.App.Kind())
}

// VerdictClass styles a confident and an unsure answer differently.
func (c *ResultCard) VerdictClass() string {
	if c.Item.Res.NotSure {
		return "verdict unsure"
	}
	return "verdict"
}

// NotSureAttr is data-notsure.
func (c *ResultCard) NotSureAttr() string { return strconv.FormatBool(c.Item.Res.NotSure) }

// SizeAttr is data-size: the pixels that reached the worker, "WxH".
func (c *ResultCard) SizeAttr() string {
	if c.Item.W == 0 {
		return ""
	}
	return strconv.Itoa(c.Item.W) + "x" + strconv.Itoa(c.Item.H)
}
