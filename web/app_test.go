package main

import "testing"

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
