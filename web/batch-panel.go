package main

import (
	"strconv"

	"github.com/vugu/vugu"
)

// BatchPanel shows a batch (batch.go): progress, cancel, the summary whose
// entries filter the rows, export, and one compact row per photo, a page
// of BatchPage at a time so a render stays quick with thousands.
type BatchPanel struct {
	App  *Root
	rows []*BatchRow // this render's visible rows (Rows)
	more int
}

// Title is "500 photos".
func (c *BatchPanel) Title() string {
	n := len(c.App.Batch.Rows)
	if n == 1 {
		return "1 photo"
	}
	return strconv.Itoa(n) + " photos"
}

// RunningAttr is data-running.
func (c *BatchPanel) RunningAttr() string { return strconv.FormatBool(c.App.Batch.Running()) }

// ProgressText is "142 of 500 · 6.1 photos/s".
func (c *BatchPanel) ProgressText() string {
	b := c.App.Batch
	s := b.Progress()
	if b.Canceled {
		s += " · canceled"
	}
	if r := b.Rate(nowMs()); r > 0 {
		s += " · " + strconv.FormatFloat(r, 'f', 1, 64) + " photos/s"
	}
	return s
}

// Rows is the rows shown (and sets what More reports).
func (c *BatchPanel) Rows() []*BatchRow {
	c.rows, c.more = c.App.Batch.Visible()
	return c.rows
}

// More is how many rows of the filter are not shown yet.
func (c *BatchPanel) More() int { return c.more }

// MoreText is "Show 100 more (of 380)".
func (c *BatchPanel) MoreText() string {
	return "Show " + strconv.Itoa(min(c.more, BatchPage)) + " more (" + strconv.Itoa(c.more) + " not shown)"
}

// ShowMore shows the next page of rows.
func (c *BatchPanel) ShowMore(event vugu.DOMEvent) { c.App.Batch.Shown += BatchPage }

// PressedAttr is a filter button's aria-pressed.
func (c *BatchPanel) PressedAttr(f string) string {
	return strconv.FormatBool(c.App.Batch.Filter == f)
}

// SetFilter shows the rows of one answer.
func (c *BatchPanel) SetFilter(event vugu.DOMEvent, f string) { c.App.Batch.SetFilter(f) }

// NotSureAttr is a row's data-notsure.
func (c *BatchPanel) NotSureAttr(r *BatchRow) string {
	return strconv.FormatBool(r.State == ItemDone && r.Res.NotSure)
}

// Verdict is a row's answer (RowVerdict), or "Waiting for the model
// (14%)…" while the model downloads.
func (c *BatchPanel) Verdict(r *BatchRow) string {
	if r.State == ItemWaiting && c.App.Model.Status == StatusLoading {
		return WaitingWords(c.App.Model.Percent())
	}
	return RowVerdict(r)
}

// VerdictClass styles a row's answer.
func (c *BatchPanel) VerdictClass(r *BatchRow) string {
	switch {
	case r.State == ItemError:
		return "row-verdict row-error"
	case r.State == ItemDone && r.Res.NotSure:
		return "row-verdict unsure"
	case r.State == ItemDone:
		return "row-verdict"
	}
	return "row-verdict muted"
}

// Cancel stops the batch after the photo being classified.
func (c *BatchPanel) Cancel(event vugu.DOMEvent) { c.App.Batch.Cancel(nowMs()) }

// Clear removes the batch.
func (c *BatchPanel) Clear(event vugu.DOMEvent) { c.App.clearBatch() }

// ExportCSV saves the batch as CSV.
func (c *BatchPanel) ExportCSV(event vugu.DOMEvent) {
	download("flowerscope-results.csv", "text/csv", c.App.Batch.CSV())
}

// ExportJSON saves the batch as JSON.
func (c *BatchPanel) ExportJSON(event vugu.DOMEvent) {
	download("flowerscope-results.json", "application/json", c.App.Batch.JSON())
}
