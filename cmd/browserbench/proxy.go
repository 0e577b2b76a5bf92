package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"alexnet/internal/headless"
)

// The app is served by its own server (the root package, `go run .`),
// built once and started on a free loopback port with -build=false. A
// reverse proxy in front of it counts the bytes of every response, so
// "bytes transferred" includes everything the page, its worker and its
// service worker fetch, exactly as they went over the wire (compressed
// bodies plus headers).

type request struct {
	Path     string `json:"path"`
	Status   int    `json:"status"`
	Encoding string `json:"encoding,omitempty"`
	Bytes    int64  `json:"bytes"` // body + status line + headers
}

type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *countingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (w *countingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func headerBytes(h http.Header) int64 {
	n := int64(len("HTTP/1.1 200 OK\r\n\r\n"))
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}

// appServer is the app's server process and the counting proxy.
type appServer struct {
	URL   string
	count *headless.Record[request]
	app   *headless.Server
	srv   *http.Server
}

// startApp starts the app's server (built into tmp) on dist and serves it
// through the counting proxy.
func startApp(ctx context.Context, repo, dist, tmp string) (*appServer, error) {
	app, err := headless.Serve(ctx, repo, dist, tmp)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(app.URL)
	if err != nil {
		app.Close()
		return nil, err
	}
	a := &appServer{count: &headless.Record[request]{}, app: app}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = nil
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		rp.ServeHTTP(cw, r)
		rq := request{Path: r.URL.RequestURI(), Status: cw.status, Encoding: w.Header().Get("Content-Encoding"),
			Bytes: cw.n + headerBytes(w.Header())}
		a.count.Add(rq)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		app.Close()
		return nil, err
	}
	a.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go a.srv.Serve(ln)
	a.URL = "http://" + ln.Addr().String()
	return a, nil
}

func (a *appServer) close() {
	a.srv.Close()
	a.app.Close()
}
