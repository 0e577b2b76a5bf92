package main

import (
	"strings"
	"testing"

	"alexnet/internal/protocol"
)

func TestWatchdog(t *testing.T) {
	const defaultFLOPs = 620_000_000 // the shipped model
	var w Watchdog
	// Nothing timed yet: the assumed speed, 1.24 s for the default model.
	w.SetModel(defaultFLOPs, true)
	if got := w.ExpectedMs(); got != 1240 {
		t.Errorf("untimed default model: expected %v ms, want 1240", got)
	}
	if got := w.LimitMs(); got != 12400 {
		t.Errorf("untimed default model: limit %v ms, want 12400", got)
	}
	// Timed at 40 ms a pass: the floor.
	w.Pass(40)
	if got := w.ExpectedMs(); got != 40 {
		t.Errorf("default model after a 40 ms pass: expected %v", got)
	}
	if got := w.LimitMs(); got != WatchFloorMs {
		t.Errorf("limit %v, want the floor %d", got, WatchFloorMs)
	}
	// A model 16 times the work, before its own first pass: the default
	// model's speed, 640 ms, floor again; 160 times: 6.4 s, limit 64 s.
	w.SetModel(16*defaultFLOPs, false)
	if got := w.ExpectedMs(); got != 640 {
		t.Errorf("16x model, untimed: expected %v, want 640 (the default model's speed)", got)
	}
	w.SetModel(160*defaultFLOPs, false)
	if got := w.LimitMs(); got != 64000 {
		t.Errorf("160x model: limit %v, want 64000", got)
	}
	// Its own pass took 20 s (slower than its work says): from then on it
	// is timed by its own speed, and the default model's speed is kept.
	w.Pass(20000)
	if got := w.ExpectedMs(); got != 20000 {
		t.Errorf("after its own 20 s pass: expected %v", got)
	}
	w.SetModel(defaultFLOPs, true)
	if got := w.ExpectedMs(); got != 40 {
		t.Errorf("back to the default model: expected %v, want its 40 ms", got)
	}
	// Nonsense timings and a model without FLOPs change nothing or give the floor.
	w.Pass(0)
	w.Pass(-1)
	if got := w.ExpectedMs(); got != 40 {
		t.Errorf("after bad timings: expected %v", got)
	}
	w.SetModel(0, false)
	if got := w.LimitMs(); got != WatchFloorMs {
		t.Errorf("no FLOPs: limit %v", got)
	}
}

func TestWatchdogWords(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ExitWhy(protocol.Exit{Code: 2, Message: "fatal error: out of memory"}), "out of memory"},
		{ExitWhy(protocol.Exit{Code: 2, Message: "fatal error: all goroutines are asleep - deadlock!"}), "all goroutines are asleep - deadlock!"},
		{ExitWhy(protocol.Exit{Code: 3}), "exit code 3"},
		{StopWords(""), "the classifier stopped"},
		{StopWords("out of memory"), "the classifier stopped (out of memory)"},
		{RestartWords(StopWords("out of memory"), "flowers"), "The classifier stopped (out of memory) and was restarted with flowers."},
		{SlowWords(5000, 41, false), "This model is taking much longer than expected: no answer after 5.00 s, where about 41.0 ms was expected. You can wait, or stop it."},
		{SlowWords(14200, 41, true), "This model is much slower than expected: a photo took 14.20 s, where about 41.0 ms was expected."},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if !strings.HasPrefix(SlowWords(5000, 40, false), "This model is taking much longer than expected") {
		t.Error("the e2e test looks for this start")
	}
}
