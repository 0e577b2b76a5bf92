package e2e

// Browser tests of the page's watchdog (issue 10, item 2; web/recover.go):
// a pass that takes far longer than expected is said, with a way back to
// the default model that works; a worker that stops (closed, an uncaught
// error, Go out of memory) is replaced, the model in use is loaded again,
// the page says what happened, and the next photo is classified.
//
// How the tests provoke them, in the real built app:
//   - a pass that never ends: an endless loop started in the worker through
//     the DevTools protocol (its target, Runtime.evaluate), so the worker is
//     alive but busy exactly as with a pass that does not end;
//   - a closed worker: close() evaluated in it;
//   - an uncaught error (as a WebAssembly trap): a throw evaluated in it;
//   - out of memory: a valid weight file within weights.MaxMemory (980 MB)
//     in a browser that gives WebAssembly at most 512 MiB
//     (--js-flags=--wasm-max-mem-pages=8192), as a device with less memory
//     would: Go's allocator fails while the worker loads it.

import (
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"alexnet/nn"
	"alexnet/weights"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// writeModel writes a weight file of arch a with small random weights and
// a label per class, named name, and returns its path.
func writeModel(t *testing.T, a nn.Arch, name string) string {
	t.Helper()
	m := &weights.Model{Name: name, Arch: a, Prep: weights.DefaultPreprocess(a), Calib: weights.Calibration{Temperature: 1}}
	for i := range a.Classes() {
		m.Labels = append(m.Labels, "class"+strconv.Itoa(i))
	}
	r := rand.New(rand.NewSource(1))
	for _, p := range a.Params() {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64() * 0.05)
		}
		m.Tensors = append(m.Tensors, weights.Quantize(p.Name, p.Shape, v, weights.F32))
	}
	b, err := weights.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".alexnet")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// pooledArch is a conv of in channels out to c channels on a side x side
// input, then global average pooling and a linear layer to 3 classes.
func pooledArch(side, c, kernel int) nn.Arch {
	return nn.Arch{Name: "test", InC: 3, InH: side, InW: side, Layers: []nn.Layer{
		{Op: nn.OpConv, Name: "conv", InC: 3, OutC: c, Kernel: kernel, Stride: 1, Pad: kernel / 2, Groups: 1}, {Op: nn.OpReLU},
		{Op: nn.OpAdaptiveAvgPool, OutH: 1, OutW: 1}, {Op: nn.OpFlatten},
		{Op: nn.OpLinear, Name: "fc", In: c, Out: 3}}}
}

// inWorker evaluates expr in the page's classifier worker (not its
// helper, whose URL says role=helper), found among the browser's targets.
func inWorker(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var found []target.ID
		for _, ti := range targets {
			if ti.Type == "worker" && strings.Contains(ti.URL, "/worker.js?") && !strings.Contains(ti.URL, "role=helper") {
				found = append(found, ti.TargetID)
			}
		}
		if len(found) == 1 {
			wctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(found[0]), chromedp.WithDetachOnCancel())
			_, err := chromedp.Run(wctx, chromedp.Evaluate[any](expr))
			cancel()
			if err != nil {
				t.Fatalf("evaluate %q in the worker: %v", expr, err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("want one classifier worker among the targets, found %d", len(found))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// classifyOne uploads a photo and waits until the newest of n cards is
// done (classified).
func classifyOne(t *testing.T, ctx context.Context, photo string, n int) {
	t.Helper()
	upload(t, ctx, `[data-testid=file-input]`, photo)
	waitFor(t, ctx, "photo "+strconv.Itoa(n)+" classified", `document.querySelectorAll('[data-testid=result]').length === `+strconv.Itoa(n)+
		` && document.querySelector('[data-testid=result]').dataset.state === 'done'`, 60*time.Second)
}

const modelName = `(document.querySelector('[data-testid=model-name]') || {}).textContent`

// useModel loads the weight file at path from the model chooser and waits
// until the page uses it.
func useModel(t *testing.T, ctx context.Context, path, name string) {
	t.Helper()
	js[bool](t, ctx, `(document.querySelector('[data-testid=own-model]').open = true, true)`)
	upload(t, ctx, `[data-testid=model-input]`, path)
	waitFor(t, ctx, "model "+name+" in use", modelName+` === '`+name+`' && `+statusIs+`'ready'`, 60*time.Second)
}

// TestWatchdogSlowPass: a pass that does not end is said after the
// watchdog's limit (its floor, 5 s, for this small model), with a button
// back to the default model; the button ends the busy worker, the photo
// says it was stopped, the default model is back and classifies the next
// photo.
func TestWatchdogSlowPass(t *testing.T) {
	_, s := servedApp(t)
	want := loadNative(t).c.Model().Name
	ctx := newBrowser(t, nil)
	uxOpen(t, ctx, s.URL+"/", 1280, 900)
	photo := valPhotos(t, 1)[0].Path
	useModel(t, ctx, writeModel(t, pooledArch(64, 8, 3), "small-test"), "small-test")
	classifyOne(t, ctx, photo, 1)

	inWorker(t, ctx, `setTimeout(() => { for (;;) {} }, 0)`)
	upload(t, ctx, `[data-testid=file-input]`, photo)
	start := time.Now()
	waitFor(t, ctx, "the watchdog's message", `document.querySelector('[data-testid=model-slow]')`, 60*time.Second)
	t.Logf("the watchdog spoke after %s", time.Since(start).Round(time.Millisecond))
	msg := js[string](t, ctx, `document.querySelector('[data-testid=model-slow]').textContent`)
	if !strings.Contains(msg, "much longer than expected") {
		t.Errorf("watchdog says %q", msg)
	}
	if st := js[string](t, ctx, `document.querySelector('[data-testid=result]').dataset.state`); st != "classifying" {
		t.Errorf("the stalled photo is %q, want classifying", st)
	}
	if b := js[string](t, ctx, `(document.querySelector('[data-testid=use-default]') || {}).textContent`); b != "Use the default model" {
		t.Fatalf("the watchdog's button says %q", b)
	}
	shot(t, ctx, "30-watchdog-slow")
	click(t, ctx, `[data-testid=use-default]`)
	waitFor(t, ctx, "the default model back", modelName+` === '`+want+`' && `+statusIs+`'ready'`, 60*time.Second)
	waitFor(t, ctx, "the stalled photo stopped", `document.querySelector('[data-testid=result]').dataset.state === 'error'`, 10*time.Second)
	if e := js[string](t, ctx, `document.querySelector('[data-testid=result-error]').textContent`); !strings.Contains(e, "default model") {
		t.Errorf("the stalled photo says %q", e)
	}
	classifyOne(t, ctx, photo, 3)
	if js[bool](t, ctx, `!!document.querySelector('[data-testid=model-slow]')`) {
		t.Error("the watchdog's message stayed after going back to the default model")
	}
	shot(t, ctx, "31-watchdog-default-back")
}

// TestWatchdogRestart: a worker that is closed, that throws, or whose Go
// runs out of memory is replaced; the model in use is loaded again, the
// page says what happened, and the next photo is classified.
func TestWatchdogRestart(t *testing.T) {
	_, s := servedApp(t)
	ctx := newBrowser(t, map[string]any{"js-flags": "--wasm-max-mem-pages=8192"})
	uxOpen(t, ctx, s.URL+"/", 1280, 900)
	photo := valPhotos(t, 1)[0].Path
	useModel(t, ctx, writeModel(t, pooledArch(64, 8, 3), "small-test"), "small-test")
	classifyOne(t, ctx, photo, 1)
	restarted := `((document.querySelector('[data-testid=model-restarted]') || {}).textContent || '')`

	// Closed: only the Web Lock says so.
	inWorker(t, ctx, `close()`)
	waitFor(t, ctx, "restart after close", restarted+`.includes('restarted with small-test')`, 30*time.Second)
	if n := js[string](t, ctx, modelName); n != "small-test" {
		t.Errorf("after the restart the page uses %q", n)
	}
	classifyOne(t, ctx, photo, 2)

	// An uncaught error: the worker's error event.
	inWorker(t, ctx, `setTimeout(() => { throw new Error('test trap'); }, 0)`)
	waitFor(t, ctx, "restart after an error", restarted+`.includes('test trap')`, 30*time.Second)
	classifyOne(t, ctx, photo, 3)

	// Out of memory while loading a model within the limits: Go exits.
	useModelFails := writeModel(t, pooledArch(224, 2400, 1), "memory-test")
	upload(t, ctx, `[data-testid=model-input]`, useModelFails)
	waitFor(t, ctx, "restart after out of memory", restarted+`.includes('out of memory') && `+restarted+`.includes('small-test')`, 60*time.Second)
	if e := js[string](t, ctx, `(document.querySelector('[data-testid=model-replace-text]') || {}).textContent || ''`); !strings.Contains(e, "out of memory") {
		t.Errorf("the refused model says %q", e)
	}
	shot(t, ctx, "32-watchdog-restarted")
	if n := js[string](t, ctx, modelName); n != "small-test" {
		t.Errorf("after out of memory the page uses %q", n)
	}
	classifyOne(t, ctx, photo, 4)
}
