package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testSite writes a small output folder plus a secret file beside it that no
// request may reach.
func testSite(t *testing.T) (dir, secret string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "dist")
	write := func(name, s string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.html", "<!doctype html><title>x</title>")
	write("app.css", "body{}")
	write("ui.0123456789abcdef.wasm", "\x00asm-raw")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("\x00asm-raw"))
	zw.Close()
	write("ui.0123456789abcdef.wasm.gz", gz.String())
	write("ui.0123456789abcdef.wasm.br", "brotli-bytes")
	write("manifest.json", `{"model":"m"}`)
	write("sub/inner.js", "1")
	write(".stamp", "")
	secret = filepath.Join(base, "secret.txt")
	if err := os.WriteFile(secret, []byte("TOP SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	return dir, secret
}

func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	dir, _ := testSite(t)
	h, err := NewHandler(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// rawGet sends path exactly as written (no client-side cleaning).
func rawGet(t *testing.T, ts *httptest.Server, rawPath string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", ts.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Opaque = rawPath
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	// Our own transport, so Go does not add or undo Accept-Encoding.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestServeHeaders(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		path, accept            string
		ctype, enc, cache, body string
	}{
		{"/", "", "text/html; charset=utf-8", "", "no-cache", "<!doctype html>"},
		{"/index.html", "", "text/html; charset=utf-8", "", "no-cache", "<!doctype html>"},
		{"/app.css", "gzip, br", "text/css; charset=utf-8", "", "no-cache", "body{}"},
		{"/manifest.json", "", "application/json", "", "no-cache", `{"model"`},
		{"/ui.0123456789abcdef.wasm", "", "application/wasm", "", "immutable", "\x00asm-raw"},
		{"/ui.0123456789abcdef.wasm", "gzip", "application/wasm", "gzip", "immutable", "\x1f\x8b"},
		{"/ui.0123456789abcdef.wasm", "gzip, deflate, br", "application/wasm", "br", "immutable", "brotli-bytes"},
		{"/ui.0123456789abcdef.wasm", "br;q=0, gzip", "application/wasm", "gzip", "immutable", "\x1f\x8b"},
		{"/sub/inner.js", "", "text/javascript; charset=utf-8", "", "no-cache", "1"},
	} {
		resp, body := rawGet(t, ts, tc.path, map[string]string{"Accept-Encoding": tc.accept})
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", tc.path, resp.StatusCode)
			continue
		}
		h := resp.Header
		if got := h.Get("Content-Type"); got != tc.ctype {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if got := h.Get("Content-Encoding"); got != tc.enc {
			t.Errorf("%s (Accept-Encoding %q): Content-Encoding %q, want %q", tc.path, tc.accept, got, tc.enc)
		}
		if got := h.Get("Cache-Control"); !strings.Contains(got, tc.cache) {
			t.Errorf("%s: Cache-Control %q, want %q", tc.path, got, tc.cache)
		}
		if !strings.HasPrefix(body, tc.body) {
			t.Errorf("%s: body %q, want prefix %q", tc.path, body, tc.body)
		}
		if h.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: Vary %q", tc.path, h.Get("Vary"))
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", tc.path)
		}
		// Cross-origin isolation: SharedArrayBuffer for the split worker.
		if h.Get("Cross-Origin-Opener-Policy") != "same-origin" || h.Get("Cross-Origin-Embedder-Policy") != "require-corp" {
			t.Errorf("%s: COOP %q, COEP %q: the page is not cross-origin isolated", tc.path, h.Get("Cross-Origin-Opener-Policy"), h.Get("Cross-Origin-Embedder-Policy"))
		}
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"'wasm-unsafe-eval'", "worker-src 'self'", "default-src 'none'", "connect-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", tc.path, csp, want)
			}
		}
		for _, bad := range []string{"'unsafe-eval'", "'unsafe-inline'", "*", "http:", "https:"} {
			if strings.Contains(csp, bad) {
				t.Errorf("%s: CSP %q allows %s", tc.path, csp, bad)
			}
		}
	}
}

func TestServeRevalidates(t *testing.T) {
	ts := newTestServer(t)
	resp, _ := rawGet(t, ts, "/index.html", nil)
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	resp, body := rawGet(t, ts, "/index.html", map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("revalidation: status %d body %q, want 304 and empty", resp.StatusCode, body)
	}
	// The gzip variant has its own ETag, so a cache never mixes them up.
	r1, _ := rawGet(t, ts, "/ui.0123456789abcdef.wasm", nil)
	r2, _ := rawGet(t, ts, "/ui.0123456789abcdef.wasm", map[string]string{"Accept-Encoding": "gzip"})
	if r1.Header.Get("ETag") == r2.Header.Get("ETag") {
		t.Errorf("identity and gzip share ETag %s", r1.Header.Get("ETag"))
	}
}

func TestServeHostilePaths(t *testing.T) {
	ts := newTestServer(t)
	for _, p := range []string{
		"/../secret.txt",
		"/..%2fsecret.txt",
		"/%2e%2e/secret.txt",
		"/%2e%2e%2fsecret.txt",
		"/sub/../../secret.txt",
		"/sub/%2e%2e/%2e%2e/secret.txt",
		"//secret.txt",
		"/" + "%2f" + "etc/passwd",
		"/etc/passwd",
		"/..\\secret.txt",
		"/%5c..%5csecret.txt",
		"/index.html%00.png",
		"/%00",
		"/link.txt", // symlink out of the folder
		"/.stamp",
		"/sub/",
		"/sub",
		"/nope.html",
		"/ui.0123456789abcdef.wasm.gz", // variants only through Accept-Encoding
		"/C:/secret.txt",
		"/index.html/",
		"/./index.html",
	} {
		resp, body := rawGet(t, ts, p, nil)
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 404 or 400", p, resp.StatusCode)
		}
		if strings.Contains(body, "SECRET") || strings.Contains(body, "root:") || strings.Contains(body, "<a href") {
			t.Errorf("%s: leaked %q", p, body)
		}
	}
}

func TestServeMethods(t *testing.T) {
	ts := newTestServer(t)
	resp, err := http.Post(ts.URL+"/index.html", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", resp.StatusCode)
	}
	req, _ := http.NewRequest("HEAD", ts.URL+"/app.css", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len("body{}")) {
		t.Errorf("HEAD: status %d length %d", resp.StatusCode, resp.ContentLength)
	}
}

func TestAcceptsEncoding(t *testing.T) {
	for _, tc := range []struct {
		h, enc string
		want   bool
	}{
		{"gzip, deflate, br", "br", true},
		{"gzip", "br", false},
		{"br;q=0", "br", false},
		{"br; q=0.0, gzip", "br", false},
		{"BR;q=0.5", "br", true},
		{"", "gzip", false},
		{"x-gzip", "gzip", false},
	} {
		if got := acceptsEncoding(tc.h, tc.enc); got != tc.want {
			t.Errorf("acceptsEncoding(%q, %q) = %v, want %v", tc.h, tc.enc, got, tc.want)
		}
	}
}

func TestStale(t *testing.T) {
	src := t.TempDir()
	dir := filepath.Join(src, "dist")
	if stale, _ := Stale(src, dir); !stale {
		t.Error("missing output is not stale")
	}
	os.MkdirAll(filepath.Join(src, "web"), 0o755)
	os.MkdirAll(dir, 0o755)
	in := filepath.Join(src, "web", "root.vugu")
	os.WriteFile(in, []byte("<div></div>"), 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(in, old, old)
	os.WriteFile(filepath.Join(dir, stampName), nil, 0o644)
	if stale, why := Stale(src, dir); stale {
		t.Errorf("fresh output is stale: %s", why)
	}
	future := time.Now().Add(time.Hour)
	os.Chtimes(in, future, future)
	if stale, why := Stale(src, dir); !stale || !strings.Contains(why, "root.vugu") {
		t.Errorf("edited input: stale %v (%s)", stale, why)
	}
}

// timeoutServer serves a folder holding index.html and a big model file
// with short timeouts, and reports each connection it closes on closed.
func timeoutServer(t *testing.T, to timeouts, modelSize int) (addr string, closed chan struct{}) {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>"), 0o644)
	model := make([]byte, modelSize)
	for i := range model {
		model[i] = byte(i * 7)
	}
	os.WriteFile(filepath.Join(dir, "model.alexnet"), model, 0o644)
	h, err := NewHandler(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(h, to)
	closed = make(chan struct{}, 16)
	srv.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed <- struct{}{}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), closed
}

// waitClosed waits for the server to close a connection, or fails after d.
func waitClosed(t *testing.T, closed chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-closed:
	case <-time.After(d):
		t.Errorf("%s: the server still holds the connection after %v", what, d)
	}
}

var shortTimeouts = timeouts{header: 300 * time.Millisecond, read: 300 * time.Millisecond, idle: 300 * time.Millisecond, stall: 300 * time.Millisecond}

// TestServeIdleTimeout: a keep-alive connection left idle after a request
// is closed by the server (there used to be no IdleTimeout: hundreds of
// idle connections stayed open).
func TestServeIdleTimeout(t *testing.T) {
	addr, closed := timeoutServer(t, shortTimeouts, 1)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	waitClosed(t, closed, 5*time.Second, "idle keep-alive")
	c.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := br.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("read after idle: %d, %v, want EOF", n, err)
	}
}

// TestServeHeaderTimeout: a client that never finishes its headers is
// dropped.
func TestServeHeaderTimeout(t *testing.T) {
	addr, closed := timeoutServer(t, shortTimeouts, 1)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
	waitClosed(t, closed, 5*time.Second, "unfinished headers")
}

// TestServeStalledReader: a client that requests the model and never reads
// it is dropped once a write makes no progress for the stall time (it
// used to hold its connection and file descriptor for good).
func TestServeStalledReader(t *testing.T) {
	addr, closed := timeoutServer(t, shortTimeouts, 64<<20)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(16 << 10)
	io.WriteString(c, "GET /model.alexnet HTTP/1.1\r\nHost: x\r\n\r\n")
	waitClosed(t, closed, 10*time.Second, "a client that never reads")
}

// TestServeSlowReader: a client that reads the model slowly but steadily,
// for several times the stall time (and the read timeout) in all, gets
// all of it.
func TestServeSlowReader(t *testing.T) {
	const size = 24 << 20
	addr, _ := timeoutServer(t, shortTimeouts, size)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(64 << 10)
	io.WriteString(c, "GET /model.alexnet HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var got int
	buf := make([]byte, 1<<20)
	for {
		n, err := io.ReadFull(resp.Body, buf)
		got += n
		if err != nil {
			break
		}
		time.Sleep(60 * time.Millisecond) // about 16 MB/s
	}
	took := time.Since(start)
	if got != size {
		t.Errorf("got %d of %d bytes in %v", got, size, took)
	}
	if took < 4*shortTimeouts.stall {
		t.Errorf("the download took %v: too fast to test the stall deadline", took)
	}
	t.Logf("%d bytes in %v", got, took)
}
