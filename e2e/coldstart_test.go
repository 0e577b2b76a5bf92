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

	"github.com/chromedp/chromedp"
)

// TestBrowserDamagedDownload: the default model's request starts in
// worker.js before the worker's Go runs (a cold start), and Go still
// verifies what it got: a download damaged on the way is refused with the
// checksum error and not kept in the Cache API; the next load downloads
// it again and keeps that one.
func TestBrowserDamagedDownload(t *testing.T) {
	_, s := servedApp(t)
	ctx := newBrowser(t, nil)
	p := newDamagingProxy(t, s.URL)
	p.damage.Store(true)
	navigate(t, ctx, p.URL+"/")
	waitFor(t, ctx, "model error for a damaged download", statusIs+`'error'`, 60*time.Second)
	if msg := js[string](t, ctx, `document.querySelector('[data-testid=model-error]').textContent`); !strings.Contains(msg, "checksum") {
		t.Errorf("a damaged download says %q, want the checksum error", msg)
	}
	const kept = `caches.open('flowerscope-models-v1').then(c => c.keys()).then(k => k.length)`
	if n := js[float64](t, ctx, kept); n != 0 {
		t.Errorf("%v weight files in the Cache API after a damaged download, want none", n)
	}
	if p.damaged.Load() == 0 {
		t.Fatal("the proxy damaged no download")
	}

	p.damage.Store(false)
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "model ready", statusIs+`'ready'`, 60*time.Second)
	if js[bool](t, ctx, `document.querySelector('[data-testid=model-facts]').textContent.includes('offline cache')`) {
		t.Error("the model came from the cache after a damaged download")
	}
	waitFor(t, ctx, "the verified download kept", kept+` .then(n => n === 1)`, 30*time.Second)
}

// damagingProxy is a proxy in front of the app's server that, while damage
// is set, flips one byte in the middle of every weight file (.alexnet) it
// passes on, asking the server for it uncompressed.
type damagingProxy struct {
	*httptest.Server
	damage  atomic.Bool
	damaged atomic.Int64 // weight files damaged
}

func newDamagingProxy(t *testing.T, upstream string) *damagingProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &damagingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.damage.Load() && strings.HasSuffix(r.URL.Path, ".alexnet") {
			r.Header.Del("Accept-Encoding")
			r.Header.Del("If-None-Match")
			r.Header.Del("If-Modified-Since")
			w = &flipWriter{ResponseWriter: w, at: 1 << 20, done: &p.damaged}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// flipWriter inverts the body's byte at offset at.
type flipWriter struct {
	http.ResponseWriter
	at, n int64
	done  *atomic.Int64
}

func (w *flipWriter) Write(b []byte) (int, error) {
	if i := w.at - w.n; i >= 0 && i < int64(len(b)) {
		b = append([]byte(nil), b...)
		b[i] ^= 0xff
		w.done.Add(1)
	}
	w.n += int64(len(b))
	return w.ResponseWriter.Write(b)
}
