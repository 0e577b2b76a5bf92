package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path"
	"regexp"
	"strings"
	"time"
)

// CSP allows what the app needs and no more: its own scripts, compiling
// WebAssembly ('wasm-unsafe-eval', not 'unsafe-eval'), its own worker and
// service worker, fetches of its own files, blob: and data: images for the
// previews and a camera stream for the video element. No inline script or
// style, no frames, no forms, no plugins.
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"connect-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; " +
	"style-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'none'; object-src 'none'"

// mimeTypes are set by extension, never sniffed, so the answer does not
// depend on the host's /etc/mime.types.
var mimeTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".wasm":        "application/wasm",
	".alexnet":     "application/octet-stream",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/plain; charset=utf-8",
	".webmanifest": "application/manifest+json",
}

// hashedName matches the content-hashed names build.sh writes
// (name.0123456789abcdef.ext): they never change, so they are immutable.
var hashedName = regexp.MustCompile(`\.[0-9a-f]{16}\.[a-z0-9]+$`)

// Handler serves the files of one folder.
type Handler struct {
	root *os.Root
	log  *log.Logger
}

// NewHandler serves dir. Requests are logged to lg when it is not nil.
func NewHandler(dir string, lg *log.Logger) (*Handler, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("serve: %w (run ./build.sh %s first)", err, dir)
	}
	return &Handler{root: root, log: lg}, nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(s int) { w.status = s; w.ResponseWriter.WriteHeader(s) }
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	h.serve(sw, r)
	if h.log != nil {
		h.log.Printf("%s %s %q %d %dB %s", r.RemoteAddr, r.Method, r.URL.RequestURI(), sw.status, sw.n, time.Since(start).Round(time.Microsecond))
	}
}

// cleanPath maps a request path to a name below the root, or reports that
// it is not one we serve: anything with NUL, backslashes, "..", or a
// segment starting with a dot (.stamp, .git) is refused outright rather than
// cleaned into something else.
func cleanPath(p string) (string, bool) {
	if p == "" || p[0] != '/' || strings.ContainsAny(p, "\x00\\") {
		return "", false
	}
	if p == "/" {
		return "index.html", true
	}
	name := p[1:]
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg[0] == '.' || strings.ContainsRune(seg, ':') {
			return "", false
		}
	}
	if path.Clean(name) != name || !fs.ValidPath(name) {
		return "", false
	}
	return name, true
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", CSP)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	// With COOP, this makes the page cross-origin isolated: SharedArrayBuffer,
	// which the classifier worker needs to split each pass with a helper.
	hdr.Set("Cross-Origin-Embedder-Policy", "require-corp")
	hdr.Set("Cross-Origin-Resource-Policy", "same-origin")
	hdr.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := cleanPath(r.URL.Path)
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	ext := path.Ext(name)
	ctype, known := mimeTypes[ext]
	if !known {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}

	// Pick the smallest variant the browser accepts.
	f, fi, enc, err := h.open(name, r.Header.Get("Accept-Encoding"))
	if err != nil {
		// Missing, a folder, or a symlink out of the root (os.Root
		// refuses those): all look the same from outside.
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errDir) && h.log != nil {
			h.log.Printf("open %s: %v", name, err)
		}
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	defer f.Close()

	hdr.Set("Content-Type", ctype)
	hdr.Set("Vary", "Accept-Encoding")
	if enc != "" {
		hdr.Set("Content-Encoding", enc)
	}
	if hashedName.MatchString(name) {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	hdr.Set("ETag", fmt.Sprintf(`"%x-%x%s"`, fi.Size(), fi.ModTime().UnixNano(), enc))
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

var errDir = errors.New("is a directory")

// open returns the file for name, or its .br or .gz sibling when the client
// accepts that encoding and build.sh wrote one.
func (h *Handler) open(name, accept string) (*os.File, os.FileInfo, string, error) {
	for _, c := range []struct{ enc, suffix string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !acceptsEncoding(accept, c.enc) {
			continue
		}
		if f, fi, err := h.openFile(name + c.suffix); err == nil {
			return f, fi, c.enc, nil
		}
	}
	f, fi, err := h.openFile(name)
	return f, fi, "", err
}

func (h *Handler) openFile(name string) (*os.File, os.FileInfo, error) {
	f, err := h.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, errDir
	}
	return f, fi, nil
}

// acceptsEncoding reports whether an Accept-Encoding header allows enc
// (q=0 refuses it).
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		if !strings.EqualFold(strings.TrimSpace(fields[0]), enc) {
			continue
		}
		for _, p := range fields[1:] {
			p = strings.ReplaceAll(strings.TrimSpace(p), " ", "")
			if p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000" {
				return false
			}
		}
		return true
	}
	return false
}
