package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"alexnet/internal/protocol"

	"github.com/andybalholm/brotli"
)

func write(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	text := bytes.Repeat([]byte("compressible wasm-ish text "), 2000)
	noise := make([]byte, 64<<10)
	rand.New(rand.NewSource(1)).Read(noise)
	ui := write(t, filepath.Join(in, "ui.wasm"), text)
	wk := write(t, filepath.Join(in, "worker.wasm"), append([]byte("w"), text...))
	model := write(t, filepath.Join(in, "flowers.alexnet"), noise)
	static := filepath.Join(in, "static")
	write(t, filepath.Join(static, "index.html"), []byte("<!doctype html><head>"+PreloadMark+"</head>"))
	write(t, filepath.Join(static, "sw.js"), []byte("const VERSION = '__VERSION__';"))
	exec := write(t, filepath.Join(in, "wasm_exec.js"), []byte("// go"))
	write(t, filepath.Join(out, "ui.0000000000000000.wasm"), []byte("old build")) // must go

	if err := run(out, static, ui, wk, model, []string{"wasm_exec.js=" + exec}); err != nil {
		t.Fatal(err)
	}
	var m protocol.Manifest
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	hashed := regexp.MustCompile(`^[a-z]+\.[0-9a-f]{16}\.(wasm|alexnet)$`)
	for _, n := range []string{m.UI, m.Worker, m.Model} {
		if !hashed.MatchString(n) {
			t.Errorf("name %q is not content-hashed", n)
		}
		if _, err := os.Stat(filepath.Join(out, n)); err != nil {
			t.Error(err)
		}
	}
	if m.ModelSize != int64(len(noise)) || m.WasmExec != "wasm_exec.js" || len(m.Version) != 16 {
		t.Errorf("manifest %+v", m)
	}
	// index.html preloads the manifest and both binaries by their hashed
	// names, and not the model.
	html, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"manifest.json", m.UI, m.Worker} {
		if want := `<link rel="preload" href="` + n + `" as="fetch" crossorigin>`; !strings.Contains(string(html), want) {
			t.Errorf("index.html lacks %s:\n%s", want, html)
		}
	}
	if strings.Contains(string(html), PreloadMark) || strings.Contains(string(html), m.Model) {
		t.Errorf("index.html still has the mark, or preloads the model:\n%s", html)
	}
	// Precompressed where it pays, and the variants decode to the original.
	for _, n := range []string{m.UI, m.Worker} {
		gz, err := os.Open(filepath.Join(out, n+".gz"))
		if err != nil {
			t.Fatalf("%s: no .gz: %v", n, err)
		}
		zr, err := gzip.NewReader(gz)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(zr)
		gz.Close()
		raw, _ := os.ReadFile(filepath.Join(out, n))
		if !bytes.Equal(got, raw) {
			t.Errorf("%s.gz does not decode to %s", n, n)
		}
		br, err := os.ReadFile(filepath.Join(out, n+".br"))
		if err != nil {
			t.Fatalf("%s: no .br: %v", n, err)
		}
		got, _ = io.ReadAll(brotli.NewReader(bytes.NewReader(br)))
		if !bytes.Equal(got, raw) {
			t.Errorf("%s.br does not decode to %s", n, n)
		}
	}
	for _, n := range []string{m.Model + ".gz", m.Model + ".br", "index.html.gz", "ui.0000000000000000.wasm"} {
		if _, err := os.Stat(filepath.Join(out, n)); err == nil {
			t.Errorf("%s exists: incompressible, too small or stale", n)
		}
	}
	sw, _ := os.ReadFile(filepath.Join(out, "sw.js"))
	if !strings.Contains(string(sw), m.Version) || strings.Contains(string(sw), "__VERSION__") {
		t.Errorf("sw.js not stamped: %s", sw)
	}
	if st, err := os.ReadFile(filepath.Join(out, ".stamp")); err != nil || strings.TrimSpace(string(st)) != m.Version {
		t.Errorf(".stamp %q, %v", st, err)
	}
	// The same inputs give the same names (the hash is of the content).
	out2 := t.TempDir()
	if err := run(out2, static, ui, wk, model, []string{"wasm_exec.js=" + exec}); err != nil {
		t.Fatal(err)
	}
	b2, _ := os.ReadFile(filepath.Join(out2, "manifest.json"))
	var m2 protocol.Manifest
	json.Unmarshal(b2, &m2)
	if m2.UI != m.UI || m2.Model != m.Model || m2.Version != m.Version {
		t.Errorf("rebuild changed names: %+v vs %+v", m2, m)
	}
}

func TestRunErrors(t *testing.T) {
	out := t.TempDir()
	if err := run(out, "nope", "", "", "", nil); err == nil {
		t.Error("missing inputs accepted")
	}
	in := t.TempDir()
	f := write(t, filepath.Join(in, "x"), []byte("x"))
	if err := run(out, in, f, f, f, []string{"no-equals-sign"}); err == nil {
		t.Error("bad -copy accepted")
	}
	if _, err := os.Stat(filepath.Join(out, ".stamp")); err == nil {
		t.Error("a failed run left a stamp")
	}
}

func TestHelperScript(t *testing.T) {
	dir := t.TempDir()
	p := write(t, filepath.Join(dir, "s.go"), []byte("package domrender\n\nconst jsHelperScript = \"(function(){if(window.vuguRender)return;\\\"x\\\"})()\"\n"))
	got, err := helperScript(p)
	if err != nil || got != `(function(){if(window.vuguRender)return;"x"})()` {
		t.Errorf("helperScript = %q, %v", got, err)
	}
	q := write(t, filepath.Join(dir, "t.go"), []byte("package x\n\nconst other = \"\"\n"))
	if _, err := helperScript(q); err == nil {
		t.Error("no constant: no error")
	}
}
