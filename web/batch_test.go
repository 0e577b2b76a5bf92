package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"testing"

	"alexnet/internal/protocol"
)

func res(label string, idx int, p float64, notSure bool, probs ...float64) protocol.Result {
	return protocol.Result{Top: []protocol.Pred{{Label: label, Index: idx, Prob: p}}, NotSure: notSure, Probs: probs}
}

// testBatch is a finished batch of four photos, names chosen to need
// quoting and formula guards.
func testBatch() *Batch {
	files := []fileRef{{name: `a,b "c".jpg`}, {name: "=HYPERLINK(1).png"}, {name: "plain.jpg"}, {name: "broken.jpg"}}
	b := NewBatch(files, []string{"daisy", "roses"}, "flowers", 1, 0)
	b.Finish(b.Next(), res("roses", 1, 0.9, false, 0.1, 0.9), "", 10)
	b.Finish(b.Next(), res("daisy", 0, 0.6, true, 0.6, 0.4), "", 20)
	b.Finish(b.Next(), res("roses", 1, 0.95, false, 0.05, 0.95), "", 30)
	b.Finish(b.Next(), protocol.Result{}, "Not an image the browser can open", 40)
	return b
}

func TestBatchCSV(t *testing.T) {
	b := testBatch()
	if b.Running() || b.Progress() != "4 of 4" {
		t.Fatalf("running %v, progress %q", b.Running(), b.Progress())
	}
	recs, err := csv.NewReader(bytes.NewReader(b.CSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"file", "label", "probability", "not_sure", "error", "daisy", "roses"},
		{`a,b "c".jpg`, "roses", "0.900000", "false", "", "0.100000", "0.900000"},
		{"'=HYPERLINK(1).png", "daisy", "0.600000", "true", "", "0.600000", "0.400000"},
		{"plain.jpg", "roses", "0.950000", "false", "", "0.050000", "0.950000"},
		{"broken.jpg", "", "", "", "Not an image the browser can open", "", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %q", len(recs), len(want), recs)
	}
	for i := range want {
		for j := range want[i] {
			if recs[i][j] != want[i][j] {
				t.Errorf("record %d field %d: %q, want %q", i, j, recs[i][j], want[i][j])
			}
		}
	}
	for _, s := range []string{"=1", "+1", "-1", "@x", "\tx", "\rx"} {
		if got := CSVCell(s); got != "'"+s {
			t.Errorf("CSVCell(%q) = %q", s, got)
		}
	}
	if got := CSVCell("rose.jpg"); got != "rose.jpg" {
		t.Errorf("CSVCell(rose.jpg) = %q", got)
	}
}

func TestBatchJSON(t *testing.T) {
	var v struct {
		Model   string
		Classes []string
		Photos  []exportRow
	}
	if err := json.Unmarshal(testBatch().JSON(), &v); err != nil {
		t.Fatal(err)
	}
	if v.Model != "flowers" || len(v.Classes) != 2 || len(v.Photos) != 4 {
		t.Fatalf("%+v", v)
	}
	if p := v.Photos[1]; p.File != "=HYPERLINK(1).png" || !p.NotSure || p.Probs["daisy"] != 0.6 {
		t.Errorf("photo 1: %+v (JSON keeps names as they are)", p)
	}
	if p := v.Photos[3]; p.Error == "" || p.Label != "" {
		t.Errorf("photo 3: %+v", p)
	}
}

func TestBatchSummary(t *testing.T) {
	b := testBatch()
	got := b.Summary()
	want := []Tally{{"roses", "Roses", 2}, {FilterNotSure, "Not sure", 1}, {FilterFailed, "Could not open", 1}}
	if len(got) != len(want) {
		t.Fatalf("summary %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("summary[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, tc := range []struct {
		filter string
		n      int
	}{{FilterAll, 4}, {"roses", 2}, {"daisy", 0}, {FilterNotSure, 1}, {FilterFailed, 1}} {
		b.SetFilter(tc.filter)
		if rows, more := b.Visible(); len(rows)+more != tc.n {
			t.Errorf("filter %q: %d rows, want %d", tc.filter, len(rows)+more, tc.n)
		}
	}
}

func TestBatchPagesAndCancel(t *testing.T) {
	files := make([]fileRef, 250)
	for i := range files {
		files[i].name = "p.jpg"
	}
	b := NewBatch(files, []string{"a"}, "m", 1, 0)
	if rows, more := b.Visible(); len(rows) != BatchPage || more != 250-BatchPage {
		t.Errorf("first page %d rows, %d more", len(rows), more)
	}
	b.Finish(b.Next(), res("a", 0, 1, false, 1), "", 1)
	b.Next() // being classified when canceled
	inFlight := b.Rows[1]
	b.Cancel(2)
	if b.Next() != nil {
		t.Error("a canceled batch gave another photo")
	}
	if b.Done != 249 || !b.Running() {
		t.Errorf("done %d, running %v after cancel, want 249 and running (the photo in the worker finishes later)", b.Done, b.Running())
	}
	b.Finish(inFlight, res("a", 0, 1, false, 1), "", 3)
	if b.Running() || b.EndMs != 3 {
		t.Errorf("running %v, end %v after the last photo", b.Running(), b.EndMs)
	}
	if n := b.Add(make([]fileRef, MaxBatch), 300); n != MaxBatch-250 {
		t.Errorf("Add took %d, want %d (MaxBatch)", n, MaxBatch-250)
	}
}
