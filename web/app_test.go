package main

import (
	"testing"

	"alexnet/internal/protocol"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Pct(0.8734), "87.3%"},
		{Pct(1.5), "100.0%"},
		{Pct(-1), "0.0%"},
		{Bytes(14_600_000), "14.6 MB"},
		{Bytes(812_400), "812 kB"},
		{Bytes(12), "12 B"},
		{Ms(23.44), "23.4 ms"},
		{Ms(1520), "1.52 s"},
		{Count(14_600_000), "14.6 M"},
		{Pretty("golden_retriever"), "Golden retriever"},
		{Pretty(""), "(unnamed)"},
		{LabelList([]string{"a", "b", "c"}, 2), "a, b and 1 more"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if !IsModelName("My.ALEXNET") || IsModelName("photo.jpg") {
		t.Error("IsModelName")
	}
}

func TestPercent(t *testing.T) {
	m := ModelState{Loaded: 50, Total: 200}
	if m.Percent() != 25 {
		t.Errorf("Percent %d", m.Percent())
	}
	m.Total = 0
	if m.Percent() != -1 {
		t.Errorf("unknown total: %d", m.Percent())
	}
	m = ModelState{Loaded: 300, Total: 200}
	if m.Percent() != 100 {
		t.Errorf("overshoot: %d", m.Percent())
	}
}

func TestFPS(t *testing.T) {
	var f FPS
	var got float64
	for i := 0; i < 100; i++ {
		got = f.Add(float64(i) * 40) // 25 per second
	}
	if got < 24.9 || got > 25.1 {
		t.Errorf("FPS %v, want 25", got)
	}
	f.Reset()
	if f.Add(0) != 0 {
		t.Error("one sample gives a rate")
	}
}

func TestPredsBar(t *testing.T) {
	p := &Preds{}
	for _, tc := range []struct {
		prob float64
		want int
	}{{0, 0}, {0.5, 500}, {1, 1000}, {2, 1000}, {-1, 0}} {
		if got := p.BarValue(tc.prob); got != tc.want {
			t.Errorf("BarValue(%v) = %d, want %d", tc.prob, got, tc.want)
		}
	}
}

func TestInferText(t *testing.T) {
	for _, tc := range []struct {
		m    ModelState
		want string
	}{
		{ModelState{}, "no photo yet"},
		{ModelState{Inferences: 3, LastMs: 19.71, LastWorkers: 1}, "19.7 ms per image (last of 3)"},
		{ModelState{Inferences: 4, LastMs: 11.7, LastWorkers: 2}, "11.7 ms per image on 2 cores (last of 4)"},
	} {
		c := &ModelPanel{App: &Root{Model: tc.m}}
		if got := c.InferText(); got != tc.want {
			t.Errorf("InferText(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}

// TestModelProblem: each Problem the worker sends (wasm/worker
// TestWeightProblem gives them from real decoder errors) has its own
// sentence; an unknown or missing one a general one.
func TestModelProblem(t *testing.T) {
	for _, c := range []struct{ problem, want string }{
		{protocol.ProblemNotWeights, "This is not an AlexNet weight file."},
		{protocol.ProblemNewer, "This weight file was made by a newer version of the converter; this page cannot read it."},
		{protocol.ProblemTruncated, "This weight file is incomplete: it ends too early (an unfinished download?)."},
		{protocol.ProblemChecksum, "This weight file is damaged: its checksum does not match."},
		{protocol.ProblemTooLarge, "This file is larger than any weight file this page accepts."},
		{protocol.ProblemInvalid, "This weight file does not describe a usable AlexNet."},
		{"", "This weight file could not be used."},
		{"from a later worker", "This weight file could not be used."},
	} {
		if got := ModelProblem(c.problem); got != c.want {
			t.Errorf("ModelProblem(%q) = %q, want %q", c.problem, got, c.want)
		}
	}
}

func TestWords(t *testing.T) {
	sure := protocol.Result{Top: []protocol.Pred{{Label: "roses", Prob: 0.966}, {Label: "tulips", Prob: 0.02}}}
	unsure := protocol.Result{Top: []protocol.Pred{{Label: "dandelion", Prob: 0.55}}, NotSure: true}
	for _, c := range []struct{ got, want string }{
		{Verdict(sure), "Roses"},
		{VerdictNote(sure, 5, "flowers"), "96.6% sure"},
		{Verdict(unsure), "Not sure"},
		{VerdictNote(unsure, 5, "flowers"), "It may not be any of the 5 flowers it knows. Closest: Dandelion."},
		{Spoken("rose.jpg", sure), "rose.jpg: Roses, 97%"},
		{Spoken("blue.png", unsure), "blue.png: not sure, closest Dandelion"},
		{LoadingWords(-1), "Loading model"},
		{LoadingWords(24), "Loading model"},
		{LoadingWords(49), "Loading model, 25%"},
		{LoadingWords(100), "Loading model, 75%"},
		{TriedText("Camera access was denied.", 1), "Camera access was denied."},
		{TriedText("Camera access was denied.", 3), "Camera access was denied. (tried 3 times)"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// Announcements change in 25% steps: at most 4 texts while loading.
	seen := map[string]bool{}
	for p := -1; p <= 100; p++ {
		seen[LoadingWords(p)] = true
	}
	if len(seen) != 4 {
		t.Errorf("%d different loading announcements, want 4", len(seen))
	}
}
