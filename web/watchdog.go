package main

import (
	"strconv"
	"strings"

	"alexnet/internal/protocol"
)

// The watchdog: how long a pass may take before the page says that the
// model is taking far longer than expected (web/worker_js.go times every
// Classify against LimitMs), and the words for that and for a worker that
// stopped (web/recover.go).
//
// A weight file's decoder already refuses a model over weights.MaxFLOPs
// (10 GFLOP a pass) or weights.MaxMemory (1 GiB); the watchdog is what is
// left: a model within the limits that is still far slower on this device
// than its work says, or a worker that hangs or dies.

const (
	// WatchFactor: a pass is overdue after this many times its expected
	// time. Passes of one model vary by 2-3x (the first one is cold; a
	// pass split over two workers is about twice as fast as a whole one),
	// so 10 flags only what no variation explains.
	WatchFactor = 10
	// WatchFloorMs is the shortest limit, whatever the model: a pass also
	// waits for the worker to decode and scale the photo (up to a few
	// hundred ms for a large one), and a busy device slows everything.
	WatchFloorMs = 5000
	// AssumedFLOPsPerMs is the speed assumed before any pass was timed
	// (0.5 GFLOP/s): about 30 times below the worker's on a 2-core x86
	// laptop, as slow as a phone without WebAssembly SIMD may be. The
	// default model (0.62 GFLOP) is then given 12 s for its first pass.
	AssumedFLOPsPerMs = 500_000
)

// Watchdog expects a pass of the current model to take its FLOPs
// (protocol.ModelInfo.FLOPs) at the speed measured on this model's last
// pass, or before it has had one, on the default model's last pass, or
// before any pass, at AssumedFLOPsPerMs. A pass may take WatchFactor
// times that, and at least WatchFloorMs.
type Watchdog struct {
	flops   float64 // work of one pass of the current model
	builtin bool    // the current model is the default one
	own     float64 // FLOPs per ms of the current model's last pass, 0 before one
	ref     float64 // FLOPs per ms of the default model's last pass, 0 before one
}

// SetModel starts timing a newly loaded model: flops a pass, builtin when
// it is the default model.
func (w *Watchdog) SetModel(flops int64, builtin bool) {
	w.flops, w.builtin, w.own = float64(flops), builtin, 0
}

// Pass records that a pass of the current model took ms (protocol.Result.Ms,
// the worker's own timing of preprocessing and forward pass).
func (w *Watchdog) Pass(ms float64) {
	if !(ms > 0) || w.flops <= 0 {
		return
	}
	w.own = w.flops / ms
	if w.builtin {
		w.ref = w.own
	}
}

// ExpectedMs is how long a pass of the current model should take.
func (w *Watchdog) ExpectedMs() float64 {
	speed := w.own
	if speed == 0 {
		speed = w.ref
	}
	if speed == 0 {
		speed = AssumedFLOPsPerMs
	}
	return w.flops / speed
}

// LimitMs is how long a pass may take before it is overdue.
func (w *Watchdog) LimitMs() float64 {
	return max(WatchFactor*w.ExpectedMs(), WatchFloorMs)
}

// Builtin reports whether the model being timed is the default one.
func (w *Watchdog) Builtin() bool { return w.builtin }

// workerEvent is what the worker client (web/worker_js.go) tells the page
// besides answers, on workerEvents; Root.superviseWorker acts on it.
type workerEvent struct {
	// Stopped: the worker stopped by itself (out of memory, a crash, closed);
	// the next user of Root.engine starts a new one (Root.reviveIfStopped).
	Stopped bool
	// Slow: a pass went past the watchdog's limit (Done false, ElapsedMs
	// is the limit), or ended after it did (Done, ElapsedMs is its time).
	Slow                  bool
	Done                  bool
	ElapsedMs, ExpectedMs float64
}

// workerEvents carries workerEvents to the page; the client never blocks on
// it (a full channel drops the event: a stop is also found by the next
// request, a slow pass says so again).
var workerEvents = make(chan workerEvent, 8)

// StopWords says that the worker stopped and why: the protocol.Error
// message of the requests it left unanswered, and the cause shown on the
// page. why is a short cause ("out of memory") or empty.
func StopWords(why string) string {
	if why == "" {
		return "the classifier stopped"
	}
	return "the classifier stopped (" + why + ")"
}

// ExitWhy is the cause of a protocol.Exit in a few words: "out of memory",
// the fatal error Go printed, or the exit code.
func ExitWhy(e protocol.Exit) string {
	switch {
	case strings.Contains(e.Message, "out of memory"):
		return "out of memory"
	case e.Message != "":
		return strings.TrimPrefix(e.Message, "fatal error: ")
	}
	return "exit code " + strconv.Itoa(e.Code)
}

// SlowWords is the watchdog's message: a pass has run elapsed ms (done:
// it ended after that long) where about expected ms was expected.
func SlowWords(elapsedMs, expectedMs float64, done bool) string {
	if done {
		return "This model is much slower than expected: a photo took " + Ms(elapsedMs) + ", where about " + Ms(expectedMs) + " was expected."
	}
	return "This model is taking much longer than expected: no answer after " + Ms(elapsedMs) + ", where about " + Ms(expectedMs) + " was expected. You can wait, or stop it."
}

// RestartWords says that the worker stopped (stop: StopWords) and was
// restarted with the model named model.
func RestartWords(stop, model string) string {
	return strings.ToUpper(stop[:1]) + stop[1:] + " and was restarted with " + model + "."
}
