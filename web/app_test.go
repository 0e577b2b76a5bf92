package main

import "testing"

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
		// centercrop.Source's rectangle as a Rect (its own tests hold it
		// to the resize and crop).
		{640, 480, 256, 224, 224, Rect{109, 30, 420, 420}},
		{320, 240, 0, 224, 224, Rect{0, 0, 320, 240}},
		{0, 240, 224, 224, 224, Rect{}},
	} {
		if got := CamCrop(tc.w, tc.h, tc.resize, tc.cw, tc.ch); got != tc.want {
			t.Errorf("CamCrop(%d, %d, %d, %d, %d) = %+v, want %+v", tc.w, tc.h, tc.resize, tc.cw, tc.ch, got, tc.want)
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
