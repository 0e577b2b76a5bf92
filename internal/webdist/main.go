// Command webdist assembles the web app's output folder for build.sh: it
// copies the static files, gives the WebAssembly binaries and the weight
// file content-hashed names (so they can be cached forever), writes
// manifest.json for the page, precompresses what pays (gzip and brotli)
// and writes the .stamp file last, which says the folder is complete.
//
//	go run ./internal/webdist -out dist -static web/static -ui ui.wasm \
//	    -worker worker.wasm -model weights/default/flowers.alexnet \
//	    -copy wasm_exec.js=$(go env GOROOT)/lib/wasm/wasm_exec.js \
//	    -copy vugu-render.js=.../domrender/renderer-js-script.js
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"

	"alexnet/internal/protocol"
)

type copies []string

func (c *copies) String() string     { return strings.Join(*c, ",") }
func (c *copies) Set(s string) error { *c = append(*c, s); return nil }

func main() {
	out := flag.String("out", "dist", "output folder")
	static := flag.String("static", "web/static", "static files to copy as they are")
	ui := flag.String("ui", "", "the page's WebAssembly")
	worker := flag.String("worker", "", "the worker's WebAssembly")
	model := flag.String("model", "", "the default weight file")
	vuguGo := flag.String("vugu-helper", "", "vugu's domrender/renderer-js-script.go: its jsHelperScript constant becomes vugu-render.js")
	var extra copies
	flag.Var(&extra, "copy", "NAME=PATH: also copy PATH as NAME (repeatable)")
	flag.Parse()
	if *vuguGo != "" {
		src, err := helperScript(*vuguGo)
		if err != nil {
			log.Fatalf("webdist: %v", err)
		}
		tmp, err := os.CreateTemp("", "vugu-render-*.js")
		if err != nil {
			log.Fatal(err)
		}
		defer os.Remove(tmp.Name())
		tmp.WriteString(src)
		tmp.Close()
		extra = append(extra, "vugu-render.js="+tmp.Name())
	}
	if err := run(*out, *static, *ui, *worker, *model, extra); err != nil {
		log.Fatalf("webdist: %v", err)
	}
}

// helperScript returns the JavaScript that Vugu's renderer would eval at
// start (the constant jsHelperScript), so the page can load it as a file
// and its Content-Security-Policy needs no 'unsafe-eval'. The .js file in
// the module is not the same script: only the constant is what runs.
func helperScript(path string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return "", err
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if n.Name != "jsHelperScript" || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					return strconv.Unquote(lit.Value)
				}
			}
		}
	}
	return "", fmt.Errorf("%s: no jsHelperScript constant", path)
}

func run(out, static, ui, worker, model string, extra []string) error {
	if ui == "" || worker == "" || model == "" {
		return errors.New("need -ui, -worker and -model")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	os.Remove(filepath.Join(out, ".stamp"))
	keep := map[string]bool{}
	put := func(name string, b []byte) error {
		keep[name] = true
		return os.WriteFile(filepath.Join(out, name), b, 0o644)
	}
	hashed := func(path, base, ext string) (string, []byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", nil, err
		}
		sum := sha256.Sum256(b)
		name := base + "." + hex.EncodeToString(sum[:8]) + ext
		return name, b, put(name, b)
	}
	var m protocol.Manifest
	var err error
	var uiB, wkB, modelB []byte
	if m.UI, uiB, err = hashed(ui, "ui", ".wasm"); err != nil {
		return err
	}
	if m.Worker, wkB, err = hashed(worker, "worker", ".wasm"); err != nil {
		return err
	}
	base := strings.TrimSuffix(filepath.Base(model), filepath.Ext(model))
	if m.Model, modelB, err = hashed(model, base, ".alexnet"); err != nil {
		return err
	}
	m.ModelSize = int64(len(modelB))
	m.WasmExec = "wasm_exec.js"
	v := sha256.New()
	v.Write(uiB)
	v.Write(wkB)
	v.Write(modelB)

	for _, e := range extra {
		name, path, ok := strings.Cut(e, "=")
		if !ok {
			return fmt.Errorf("-copy %q: want NAME=PATH", e)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		v.Write(b)
		if err := put(name, b); err != nil {
			return err
		}
	}
	ents, err := os.ReadDir(static)
	if err != nil {
		return err
	}
	var swName string
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(static, e.Name()))
		if err != nil {
			return err
		}
		v.Write(b)
		if e.Name() == "sw.js" {
			swName = e.Name()
			continue // written below, with the version
		}
		if e.Name() == "index.html" {
			b = preloads(b, m)
		}
		if err := put(e.Name(), b); err != nil {
			return err
		}
	}
	m.Version = hex.EncodeToString(v.Sum(nil)[:8])
	m.Built = time.Now().UTC().Format(time.RFC3339)
	if swName != "" {
		b, _ := os.ReadFile(filepath.Join(static, swName))
		if err := put(swName, bytes.ReplaceAll(b, []byte("__VERSION__"), []byte(m.Version))); err != nil {
			return err
		}
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := put("manifest.json", append(mj, '\n')); err != nil {
		return err
	}

	// Remove what an older build left (old hashed names, stale variants).
	old, _ := os.ReadDir(out)
	for _, e := range old {
		n := e.Name()
		if e.IsDir() || keep[n] || n == ".stamp" {
			continue
		}
		os.Remove(filepath.Join(out, n))
	}

	names := make([]string, 0, len(keep))
	for n := range keep {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := precompress(out, n); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(out, ".stamp"), []byte(m.Version+"\n"), 0o644)
}

// precompress writes NAME.gz and NAME.br beside a file when that saves at
// least 10% and 512 bytes; otherwise it writes neither (the weight file's
// int8 data hardly compresses, and small files are not worth a variant).
func precompress(dir, name string) error {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(b) < 1024 {
		return nil
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if !pays(len(b), gz.Len()) {
		fmt.Printf("  %-40s %9d B  (compression does not pay)\n", name, len(b))
		return nil
	}
	level := brotli.BestCompression
	if len(b) > 8<<20 {
		level = 6 // quality 11 on tens of MB takes minutes on two cores
	}
	var br bytes.Buffer
	bw := brotli.NewWriterLevel(&br, level)
	bw.Write(b)
	bw.Close()
	if err := os.WriteFile(path+".gz", gz.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("  %-40s %9d B  gzip %9d B  ", name, len(b), gz.Len())
	if pays(gz.Len(), br.Len()) || br.Len() < gz.Len() {
		if err := os.WriteFile(path+".br", br.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Printf("brotli %9d B\n", br.Len())
	} else {
		fmt.Printf("(brotli not smaller)\n")
	}
	return nil
}

func pays(raw, packed int) bool { return packed < raw*9/10 && raw-packed >= 512 }

// PreloadMark is the place in index.html where preloads writes its links.
const PreloadMark = "<!--preload-->"

// preloads replaces PreloadMark in index.html with <link rel=preload>
// for the manifest and the two WebAssembly binaries (their hashed names
// are known only now): the browser fetches them while it parses the page,
// before boot.js runs and asks for them. as=fetch with crossorigin is what
// boot.js's fetch() calls match. The model is not preloaded: a warm start
// takes it from the Cache API and must not fetch it again.
func preloads(html []byte, m protocol.Manifest) []byte {
	var b strings.Builder
	for i, n := range []string{"manifest.json", m.UI, m.Worker} {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(`<link rel="preload" href="` + n + `" as="fetch" crossorigin>`)
	}
	return bytes.Replace(html, []byte(PreloadMark), []byte(b.String()), 1)
}
