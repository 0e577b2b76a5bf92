package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// slowModel is a proxy in front of the app's server that, while slow is
// set, sends weight files (.alexnet) at rate bytes a second, so the page's
// download progress can be seen. The worker downloads the model, and
// DevTools' network emulation of the page does not slow a worker's
// requests, so the test slows them here. Close ends the proxy (the page
// is then offline: nothing answers).
type slowModel struct {
	*httptest.Server
	slow atomic.Bool
	rate int64
}

func newSlowModel(t *testing.T, upstream string, rate int64) *slowModel {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &slowModel{rate: rate}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1 // each chunk as it is written
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.slow.Load() && strings.HasSuffix(r.URL.Path, ".alexnet") {
			w = &slowWriter{ResponseWriter: w, chunk: max(int(rate/20), 1)}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// slowWriter writes a body in chunks, 50 ms apart.
type slowWriter struct {
	http.ResponseWriter
	chunk int
}

func (w *slowWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		k := min(len(b), w.chunk)
		m, err := w.ResponseWriter.Write(b[:k])
		n += m
		if err != nil {
			return n, err
		}
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		b = b[k:]
		time.Sleep(50 * time.Millisecond)
	}
	return n, nil
}

func (w *slowWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
