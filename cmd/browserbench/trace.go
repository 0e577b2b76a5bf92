package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// traceCategories are what -trace records: the main thread's and the
// workers' tasks and script, WebAssembly compilation (Liftoff and
// TurboFan, their background jobs), network loading and user timing.
var traceCategories = []string{
	"devtools.timeline", "disabled-by-default-devtools.timeline",
	"v8", "v8.wasm", "disabled-by-default-v8.compile", "v8.execute",
	"blink.user_timing", "loading", "netlog", "toplevel",
	"disabled-by-default-devtools.timeline.frame",
}

// tracer records a Chrome trace of what happens in a tab (its renderer,
// its workers, the network service) while it runs, for -trace: the events
// in the JSON trace format that chrome://tracing and Perfetto open.
type tracer struct {
	mu     sync.Mutex
	events [][]byte
	done   chan struct{}
}

// startTrace starts tracing in the tab of ctx.
func startTrace(ctx context.Context) (*tracer, error) {
	t := &tracer{done: make(chan struct{})}
	var once sync.Once
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			t.mu.Lock()
			for _, v := range ev.Value {
				t.events = append(t.events, bytes.Clone(v))
			}
			t.mu.Unlock()
		case *tracing.EventTracingComplete:
			once.Do(func() { close(t.done) })
		}
	}); err != nil {
		return nil, err
	}
	_, err := chromedp.Call(ctx, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReportEvents,
		TraceConfig:  &tracing.TraceConfig{IncludedCategories: traceCategories},
	})
	return t, err
}

// stop ends the trace and writes it to path.
func (t *tracer) stop(ctx context.Context, path string) error {
	if _, err := chromedp.Call(ctx, tracing.End, cdp.Empty{}); err != nil {
		return err
	}
	select {
	case <-t.done:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("trace: no tracingComplete")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var b bytes.Buffer
	b.WriteString(`{"traceEvents":[`)
	for i, e := range t.events {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.Write(e)
	}
	b.WriteString("]}\n")
	return os.WriteFile(path, b.Bytes(), 0o644)
}
