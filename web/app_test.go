package main

import (
	"math"
	"testing"

	"alexnet/prep"
	"alexnet/weights"
)

func TestFitWithin(t *testing.T) {
	for _, tc := range []struct{ w, h, max, ww, wh int }{
		{320, 240, 2048, 320, 240},
		{10000, 10000, 2048, 2048, 2048},
		{10000, 5000, 2048, 2048, 1024},
		{3000, 4000, 2048, 1536, 2048},
		{100000, 1, 2048, 2048, 1},
		{1, 100000, 2048, 1, 2048},
		{0, 10, 2048, 0, 0},
		{-5, 10, 2048, 0, 0},
	} {
		w, h := FitWithin(tc.w, tc.h, tc.max)
		if w != tc.ww || h != tc.wh {
			t.Errorf("FitWithin(%d, %d, %d) = %dx%d, want %dx%d", tc.w, tc.h, tc.max, w, h, tc.ww, tc.wh)
		}
		if w > tc.max || h > tc.max {
			t.Errorf("FitWithin(%d, %d, %d) = %dx%d exceeds the cap", tc.w, tc.h, tc.max, w, h)
		}
	}
}

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

func TestCamCrop(t *testing.T) {
	for _, tc := range []struct {
		w, h, resize, cw, ch int
		want                 Rect
	}{
		{320, 240, 224, 224, 224, Rect{40, 0, 241, 240}},
		{240, 320, 224, 224, 224, Rect{0, 40, 240, 241}},
		{640, 480, 256, 224, 224, Rect{109, 30, 420, 420}},
		{500, 500, 224, 224, 224, Rect{0, 0, 500, 500}},
		{224, 224, 224, 224, 224, Rect{0, 0, 224, 224}},
		{320, 240, 0, 224, 224, Rect{0, 0, 320, 240}},
		{1, 10000, 224, 224, 224, Rect{0, 5000, 1, 1}},
		{0, 240, 224, 224, 224, Rect{}},
		{320, 240, 224, 0, 224, Rect{}},
		{320, 240, -1, 224, 224, Rect{}},
	} {
		if got := CamCrop(tc.w, tc.h, tc.resize, tc.cw, tc.ch); got != tc.want {
			t.Errorf("CamCrop(%d, %d, %d, %d, %d) = %+v, want %+v", tc.w, tc.h, tc.resize, tc.cw, tc.ch, got, tc.want)
		}
	}
	// Against package prep (the worker's preprocessing): the rectangle is
	// the centre crop of the resized image mapped back, within a pixel,
	// and always inside the frame.
	for w := 1; w <= 1300; w += 37 {
		for h := 1; h <= 1300; h += 41 {
			p := weights.Preprocess{Resize: 256, CropW: 224, CropH: 224}
			r := CamCrop(w, h, p.Resize, p.CropW, p.CropH)
			if r.X < 0 || r.Y < 0 || r.W < 1 || r.H < 1 || r.X+r.W > w || r.Y+r.H > h {
				t.Fatalf("CamCrop(%d, %d) = %+v: outside the frame", w, h, r)
			}
			nw, nh := prep.ResizedSize(w, h, p)
			check := func(pos, size, src, n, crop int) {
				want := float64(prep.CenterOffset(n, crop)) * float64(src) / float64(n)
				wantSize := min(float64(crop)*float64(src)/float64(n), float64(src))
				if math.Abs(float64(size)-wantSize) > 1 || math.Abs(float64(pos)-want) > 1+math.Abs(float64(size)-wantSize) {
					t.Fatalf("CamCrop(%d, %d) = %+v: want offset %.1f size %.1f (resized %dx%d)", w, h, r, want, wantSize, nw, nh)
				}
			}
			check(r.X, r.W, w, nw, p.CropW)
			check(r.Y, r.H, h, nh, p.CropH)
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

func TestModelProblem(t *testing.T) {
	// The prefixes the page matches are the weights package's error texts.
	for _, c := range []struct{ got, want string }{
		{errMagicText, weights.ErrMagic.Error()},
		{errVersionText, weights.ErrVersion.Error()},
		{errTruncatedText, weights.ErrTruncated.Error()},
		{errChecksumText, weights.ErrChecksum.Error()},
		{errTooLargeText, weights.ErrTooLarge.Error()},
	} {
		if c.got != c.want {
			t.Errorf("page's copy %q of weights error %q", c.got, c.want)
		}
	}
	// Real messages from the decoder, as the worker forwards them.
	decode := func(b []byte) string {
		_, err := weights.Decode(b)
		if err == nil {
			t.Fatalf("%q decoded", b)
		}
		return err.Error()
	}
	notWeights := "This is not an AlexNet weight file."
	for _, c := range []struct{ msg, want string }{
		{decode([]byte("Shopping list: tulips, roses, soil.")), notWeights},
		{decode([]byte("ALXN this is not a real weight file")), notWeights},
		{decode([]byte("ALXN\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")), "This weight file was made by a newer version of the converter; this page cannot read it."},
		{decode([]byte("AL")), "This weight file is incomplete: it ends too early (an unfinished download?)."},
		{"weights: bad labels: 3 labels for 5 classes", "This weight file does not describe a usable AlexNet."},
		{"out of memory", "This weight file could not be used."},
	} {
		if got := ModelProblem(c.msg); got != c.want {
			t.Errorf("ModelProblem(%q) = %q, want %q", c.msg, got, c.want)
		}
	}
}

func TestWords(t *testing.T) {
	sure := Result{Top: []Pred{{Label: "roses", Prob: 0.966}, {Label: "tulips", Prob: 0.02}}}
	unsure := Result{Top: []Pred{{Label: "dandelion", Prob: 0.55}}, NotSure: true}
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
