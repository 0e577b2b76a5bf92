package main

import "strconv"

// ResultCard shows one photo and what the model thinks it is.
type ResultCard struct {
	Item *Item
}

// Busy reports whether the photo is still being worked on.
func (c *ResultCard) Busy() bool {
	return c.Item.State == ItemDecoding || c.Item.State == ItemClassifying
}

// BusyText says which step it is at.
func (c *ResultCard) BusyText() string {
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
func (c *ResultCard) Verdict() string {
	r := c.Item.Res
	if len(r.Top) == 0 {
		return "No answer"
	}
	if r.NotSure {
		return "Not sure"
	}
	return Pretty(r.Top[0].Label)
}

// VerdictSub qualifies it.
func (c *ResultCard) VerdictSub() string {
	r := c.Item.Res
	if len(r.Top) == 0 {
		return ""
	}
	if r.NotSure {
		return "Maybe " + Pretty(r.Top[0].Label) + " (" + Pct(r.Top[0].Prob) + "), but the model is not confident."
	}
	return Pct(r.Top[0].Prob) + " confident"
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
