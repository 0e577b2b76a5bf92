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
// caching and security headers suited to the app.
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
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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
