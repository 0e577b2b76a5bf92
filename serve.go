// Command alexnet-web serves the in-browser AlexNet classifier: the folder
// that build.sh writes (dist/ by default), built first when it is missing or
// older than its sources.
//
//	go run .                      # http://localhost:8080
//	go run . -addr :9000 -dir out # another address and folder
//
// The server only ever reads files below the folder (through os.Root, so no
// path, symlink or encoding can leave it), never lists directories, serves
// the .br/.gz files build.sh wrote when the browser accepts them, and sends
// caching and security headers suited to the app. Slow or idle clients are
// dropped (defaultTimeouts), but never a slow download that keeps going.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "address to listen on")
	dir := flag.String("dir", "dist", "folder to serve (build.sh output)")
	build := flag.Bool("build", true, "run build.sh first when the folder is missing or stale")
	flag.Parse()

	if *build {
		if err := EnsureBuilt(".", *dir, os.Stderr); err != nil {
			log.Fatalf("build: %v", err)
		}
	}
	h, err := NewHandler(*dir, log.Default())
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := newServer(h, defaultTimeouts)
	log.Printf("serving %s on http://%s/", *dir, ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	case <-ctx.Done():
		log.Printf("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Printf("shutdown: %v", err)
		}
	}
}

// timeouts bound how long a connection may hold the server's resources
// (a goroutine, a file descriptor, an open file) without progress.
type timeouts struct {
	header time.Duration // to read a request's headers (slowloris)
	read   time.Duration // to read a whole request
	idle   time.Duration // a keep-alive connection waiting for its next request
	stall  time.Duration // a response write that makes no progress
}

// defaultTimeouts: the model (15 MB) may download as slowly as the client
// likes, as long as each write of the response (32 KB) goes through within
// stall; a client that stops reading is dropped after that.
var defaultTimeouts = timeouts{header: 10 * time.Second, read: 30 * time.Second, idle: 30 * time.Second, stall: 30 * time.Second}

// newServer is the http.Server for h with the given timeouts. There is no
// fixed WriteTimeout (it would cut off a slow but steady download of the
// model); writes get a deadline instead, pushed back after each one that
// goes through (stallWriter).
func newServer(h http.Handler, t timeouts) *http.Server {
	return &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sw := &stallWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: t.stall}
			sw.extend()
			h.ServeHTTP(sw, r)
		}),
		ReadHeaderTimeout: t.header,
		ReadTimeout:       t.read,
		IdleTimeout:       t.idle,
	}
}

// stallWriter gives every write stall to complete, counted from the end of
// the previous one: a reader that keeps up gets the whole response however
// long it takes, one that stops is disconnected after stall.
type stallWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
}

func (w *stallWriter) extend() { w.rc.SetWriteDeadline(time.Now().Add(w.stall)) }

func (w *stallWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	if err == nil {
		w.extend()
	}
	return n, err
}

func (w *stallWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
