package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

// Many photos at once: a folder, or BatchFrom or more photos picked or
// dropped together, go to a batch instead of result cards. A batch is a
// queue classified one photo at a time (the worker's one request at a
// time, Root.engine), shown as compact rows with a small thumbnail the
// worker makes (protocol.Classify.Thumb), never the photo itself, so the
// page's memory stays flat over thousands of photos. It has a summary
// (how many of each class, how many not sure), filters by class, and
// exports as CSV and JSON. This file is the batch's state and its
// exports, free of syscall/js; batch-panel.* shows it, batch_js.go reads
// folders and saves the exports.

// Batch limits and sizes.
const (
	BatchFrom = 20   // this many photos given at once make a batch
	MaxBatch  = 5000 // photos in a batch; more are refused with a message
	ThumbSide = 64   // a row's thumbnail, pixels on its longer side
	BatchPage = 100  // rows shown at first, and added by "Show more"
)

// Row states besides the Item ones (ItemWaiting, ItemClassifying,
// ItemDone, ItemError).
const RowCanceled = "canceled"

// Filters besides a class label (a NUL first: no label starts with one).
const (
	FilterAll      = ""
	FilterNotSure  = "\x00not-sure"
	FilterFailed   = "\x00failed"
	FilterCanceled = "\x00canceled"
)

// FilterAttr is a filter's data-filter: "all", "not-sure", "failed",
// "canceled", or the class label.
func FilterAttr(f string) string {
	if f == FilterAll {
		return "all"
	}
	return strings.TrimPrefix(f, "\x00")
}

// BatchRow is one photo of a batch.
type BatchRow struct {
	ID    int
	Name  string // the file's name, or its path in a dropped or chosen folder
	State string // ItemWaiting, ItemClassifying, ItemDone, ItemError, RowCanceled
	Res   protocol.Result
	Err   string
	Thumb string // object URL of the thumbnail, "" when there is none
	src   fileRef
}

// Batch is the photos given at once and what became of them.
type Batch struct {
	Rows   []*BatchRow // in the order given
	Labels []string    // the model's classes when the batch started: the exports' columns
	Model  string      // the model's name
	Done   int         // rows finished: classified, failed or canceled
	// Canceled: the user stopped the batch; the rows not classified yet
	// are RowCanceled.
	Canceled bool
	Filter   string // FilterAll, a label, FilterNotSure or FilterFailed
	Shown    int    // how many of the filtered rows are shown
	StartMs  float64
	EndMs    float64 // when the last row finished, 0 while running
	next     int     // the next row to classify
}

// NewBatch is a batch of files for a model with these labels.
func NewBatch(files []fileRef, labels []string, model string, firstID int, now float64) *Batch {
	b := &Batch{Labels: labels, Model: model, Shown: BatchPage, StartMs: now}
	b.Add(files, firstID)
	return b
}

// Add queues more files; it returns how many were taken (MaxBatch bounds
// the batch).
func (b *Batch) Add(files []fileRef, firstID int) int {
	n := min(len(files), MaxBatch-len(b.Rows))
	for i, f := range files[:max(n, 0)] {
		b.Rows = append(b.Rows, &BatchRow{ID: firstID + i, Name: f.Name(), State: ItemWaiting, src: f})
	}
	if n > 0 {
		b.EndMs = 0
	}
	return max(n, 0)
}

// Running reports whether rows are still waiting or being classified.
func (b *Batch) Running() bool { return b.Done < len(b.Rows) }

// Next is the next row to classify, or nil when none is left (or the
// batch was canceled).
func (b *Batch) Next() *BatchRow {
	if b.Canceled || b.next >= len(b.Rows) {
		return nil
	}
	r := b.Rows[b.next]
	b.next++
	r.State = ItemClassifying
	return r
}

// Finish records a row's answer (err "" on success) at time now.
func (b *Batch) Finish(r *BatchRow, res protocol.Result, err string, now float64) {
	if err != "" {
		r.State, r.Err = ItemError, err
	} else {
		r.State, r.Res = ItemDone, res
		r.Res.Thumb = nil // the Blob: the row keeps its object URL only
	}
	b.Done++
	if !b.Running() {
		b.EndMs = now
	}
}

// Cancel stops the batch: the rows not started are canceled (the one
// being classified finishes).
func (b *Batch) Cancel(now float64) {
	if b.Canceled || !b.Running() {
		return
	}
	b.Canceled = true
	for _, r := range b.Rows[b.next:] {
		r.State = RowCanceled
		b.Done++
	}
	b.next = len(b.Rows)
	if !b.Running() {
		b.EndMs = now
	}
}

// Progress is "142 of 500".
func (b *Batch) Progress() string {
	return strconv.Itoa(b.Done) + " of " + strconv.Itoa(len(b.Rows))
}

// Rate is photos classified per second so far (0 before the first).
func (b *Batch) Rate(now float64) float64 {
	end := b.EndMs
	if end == 0 {
		end = now
	}
	if b.Done == 0 || end <= b.StartMs {
		return 0
	}
	return float64(b.Done) / (end - b.StartMs) * 1000
}

// Tally is one entry of the summary: a filter, its words and how many
// rows it has.
type Tally struct {
	Filter string
	Label  string
	N      int
}

// Summary is how many photos went to each class (confident answers
// only), then how many were not sure, failed, and canceled; classes with
// no photo are left out, and so are the other entries when zero.
func (b *Batch) Summary() []Tally {
	per := make([]int, len(b.Labels))
	var notSure, failed, canceled int
	for _, r := range b.Rows {
		switch {
		case r.State == ItemError:
			failed++
		case r.State == RowCanceled:
			canceled++
		case r.State != ItemDone:
		case r.Res.NotSure:
			notSure++
		case len(r.Res.Top) > 0 && r.Res.Top[0].Index >= 0 && r.Res.Top[0].Index < len(per):
			per[r.Res.Top[0].Index]++
		}
	}
	var out []Tally
	for i, n := range per {
		if n > 0 {
			out = append(out, Tally{Filter: b.Labels[i], Label: Pretty(b.Labels[i]), N: n})
		}
	}
	if notSure > 0 {
		out = append(out, Tally{Filter: FilterNotSure, Label: "Not sure", N: notSure})
	}
	if failed > 0 {
		out = append(out, Tally{Filter: FilterFailed, Label: "Could not open", N: failed})
	}
	if canceled > 0 {
		out = append(out, Tally{Filter: FilterCanceled, Label: "Canceled", N: canceled})
	}
	return out
}

// keep reports whether row r passes filter f.
func keep(r *BatchRow, f string) bool {
	switch f {
	case FilterAll:
		return true
	case FilterNotSure:
		return r.State == ItemDone && r.Res.NotSure
	case FilterFailed:
		return r.State == ItemError
	case FilterCanceled:
		return r.State == RowCanceled
	}
	return r.State == ItemDone && !r.Res.NotSure && len(r.Res.Top) > 0 && r.Res.Top[0].Label == f
}

// Visible is the rows of the current filter that are shown (the first
// Shown), and how many more there are.
func (b *Batch) Visible() (rows []*BatchRow, more int) {
	for _, r := range b.Rows {
		if !keep(r, b.Filter) {
			continue
		}
		if len(rows) < b.Shown {
			rows = append(rows, r)
		} else {
			more++
		}
	}
	return rows, more
}

// SetFilter shows the rows of filter f (FilterAll for all), from the first page.
func (b *Batch) SetFilter(f string) {
	b.Filter, b.Shown = f, BatchPage
}

// exportRow is one row of the exports.
type exportRow struct {
	File    string             `json:"file"`
	Label   string             `json:"label"`       // the top class ("" when the photo failed)
	Prob    float64            `json:"probability"` // its probability
	NotSure bool               `json:"notSure"`
	Error   string             `json:"error,omitempty"`
	Probs   map[string]float64 `json:"probabilities,omitempty"` // every class
}

func (b *Batch) exportRows() []exportRow {
	var out []exportRow
	for _, r := range b.Rows {
		switch r.State {
		case ItemDone:
			e := exportRow{File: r.Name, NotSure: r.Res.NotSure, Probs: map[string]float64{}}
			if len(r.Res.Top) > 0 {
				e.Label, e.Prob = r.Res.Top[0].Label, r.Res.Top[0].Prob
			}
			for i, p := range r.Res.Probs {
				if i < len(b.Labels) {
					e.Probs[b.Labels[i]] = p
				}
			}
			out = append(out, e)
		case ItemError:
			out = append(out, exportRow{File: r.Name, Error: r.Err})
		}
	}
	return out
}

// JSON is the batch as JSON: {"model", "classes", "photos": [{file, label,
// probability, notSure, error, probabilities: {class: p}}]}, the rows
// classified or failed, in the order given.
func (b *Batch) JSON() []byte {
	v := struct {
		Model   string      `json:"model"`
		Classes []string    `json:"classes"`
		Photos  []exportRow `json:"photos"`
	}{b.Model, b.Labels, b.exportRows()}
	out, _ := json.MarshalIndent(v, "", "  ") // plain strings and numbers: never fails
	return append(out, '\n')
}

// CSV is the batch as CSV (RFC 4180 quoting): a header "file, label,
// probability, not_sure, error" and one column per class, then a row per
// photo classified or failed. Probabilities have 6 decimals. A cell that
// a spreadsheet would run as a formula (starting with = + - @, a tab or a
// carriage return) gets a leading apostrophe (CSVCell).
func (b *Batch) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"file", "label", "probability", "not_sure", "error"}
	for _, l := range b.Labels {
		head = append(head, CSVCell(l))
	}
	w.Write(head)
	for _, e := range b.exportRows() {
		rec := []string{CSVCell(e.File), CSVCell(e.Label), "", "", CSVCell(e.Error)}
		if e.Error == "" {
			rec[2], rec[3] = prob6(e.Prob), strconv.FormatBool(e.NotSure)
		}
		for _, l := range b.Labels {
			p, ok := e.Probs[l]
			if ok {
				rec = append(rec, prob6(p))
			} else {
				rec = append(rec, "")
			}
		}
		w.Write(rec)
	}
	w.Flush() // writes to a bytes.Buffer never fail
	return buf.Bytes()
}

func prob6(p float64) string { return strconv.FormatFloat(p, 'f', 6, 64) }

// CSVCell guards a text cell against formula injection: a spreadsheet runs
// a cell starting with = + - @ (or a tab or carriage return, OWASP) as a
// formula, so such a cell gets a leading apostrophe, which spreadsheets
// show as text. Quoting is encoding/csv's.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// RowVerdict is a row's answer in a few words: "Roses 97.1%", "Not sure
// (closest: Dandelion)", the error, or what it is waiting for.
func RowVerdict(r *BatchRow) string {
	switch r.State {
	case ItemDone:
		if len(r.Res.Top) == 0 {
			return ""
		}
		if r.Res.NotSure {
			return "Not sure (closest: " + Pretty(r.Res.Top[0].Label) + ")"
		}
		return Pretty(r.Res.Top[0].Label) + " " + Pct(r.Res.Top[0].Prob)
	case ItemError:
		return r.Err
	case ItemClassifying:
		return "Classifying…"
	case RowCanceled:
		return "Canceled"
	}
	return "Waiting"
}

// addBatch puts photos in the batch (a new one, or the one running) and
// starts classifying them. Called under the event lock.
func (c *Root) addBatch(photos []fileRef) {
	var labels []string
	var model string
	if in := c.Model.Info; in != nil {
		labels, model = in.Labels, in.Name
	}
	b := c.Batch
	n := 0
	if b != nil && b.Running() && !b.Canceled {
		n = b.Add(photos, c.nextID+1)
	} else {
		c.clearBatch()
		b = NewBatch(photos, labels, model, c.nextID+1, nowMs())
		c.Batch, n = b, len(b.Rows)
		go c.runBatch(b)
	}
	c.nextID += n
	if n < len(photos) {
		c.Notice = "A batch holds at most " + strconv.Itoa(MaxBatch) + " photos: " + strconv.Itoa(len(photos)-n) + " were left out."
	}
}

// runBatch classifies a batch's rows one at a time, each with the engine
// token, so single photos and the camera take turns with it.
func (c *Root) runBatch(b *Batch) {
	if !c.waitReady() {
		c.update(func() {
			for _, r := range b.Rows {
				r.State, r.Err = ItemError, "The model is not available."
			}
			b.Done, b.next, b.EndMs = len(b.Rows), len(b.Rows), nowMs()
		})
		return
	}
	c.update(func() {
		if in := c.Model.Info; in != nil && len(b.Labels) == 0 {
			b.Labels, b.Model = in.Labels, in.Name
		}
		b.StartMs = nowMs()
	})
	for {
		c.env.Lock()
		r := b.Next()
		c.env.UnlockOnly()
		if r == nil {
			break
		}
		<-c.engine
		res, thumb, err := workerClassifyRow(r.src.h)
		c.engine <- struct{}{}
		msg := ""
		if err != nil {
			var pe *protocol.Error
			if errors.As(err, &pe) && (pe.Kind == protocol.ErrImage || pe.Kind == protocol.ErrWeightFile) {
				msg = "Not an image the browser can open"
			} else {
				msg = "Classification failed: " + err.Error()
			}
		}
		last := false
		c.updateLive(func() {
			if c.Batch != b { // cleared meanwhile
				revokePreview(thumb)
				return
			}
			r.Thumb = thumb
			r.src = fileRef{name: r.src.name} // let the File go
			b.Finish(r, res, msg, nowMs())
			if err == nil {
				c.Model.LastMs, c.Model.LastWorkers = res.Ms, res.Workers
				c.Model.Inferences++
			}
			last = !b.Running()
		})
		if last {
			break
		}
	}
	c.update(func() {
		if c.Batch == b {
			c.Said = "Batch done: " + b.Progress() + " photos"
		}
	})
}

// clearBatch drops the batch and its thumbnails. Under the event lock.
func (c *Root) clearBatch() {
	if c.Batch == nil {
		return
	}
	c.Batch.Cancel(nowMs())
	for _, r := range c.Batch.Rows {
		revokePreview(r.Thumb)
	}
	c.Batch = nil
}

// ViaFolder is the Via of photos from a dropped or chosen folder: always a batch.
const ViaFolder = "folder"

// sortByName puts a folder's files in the order of their paths (the
// browser lists them in no set order).
func sortByName(files []fileRef) {
	sort.SliceStable(files, func(i, j int) bool { return files[i].name < files[j].name })
}

// IsImageName reports whether a file name has an image extension (for
// files the browser gave no type).
func IsImageName(name string) bool {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return false
	}
	switch strings.ToLower(name[i+1:]) {
	case "jpg", "jpeg", "png", "gif", "webp", "bmp", "avif", "heic", "heif", "tif", "tiff", "ico", "svg":
		return true
	}
	return false
}

// FolderChosen handles the folder chooser: its images make a batch.
func (c *Root) FolderChosen(event vugu.DOMEvent) {
	files := folderFromInput(event)
	if len(files) == 0 {
		c.Notice = "No images in that folder."
		return
	}
	c.AddFiles(files, ViaFolder)
}
