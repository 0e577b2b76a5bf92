package main

// browserbench -layers: where the time goes. One page in headless
// Chromium times each layer of the seed AlexNet alone, this engine (the
// shipped model as the worker builds it for one thread: the program in
// ./layers, Go 1.27 SIMD) beside TensorFlow.js 4.22's wasm backend
// (XNNPACK, the non-threaded SIMD binary, the peer harness's tfjs-wasm-1t)
// on tensors of the same shapes, interleaved, and both whole passes. TF.js
// comes from npm at the versions the peer harness's package-lock.json pins,
// installed once into the user's cache folder.

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"alexnet/internal/headless"
	"alexnet/internal/shared"

	"github.com/chromedp/chromedp"
)

//go:embed layers.html
var layersHTML []byte

// layerRow is one row of the page's result: the row's description from
// ./layers (Rows) and every timed call, in ms.
type layerRow struct {
	Name    string    `json:"name"`
	Shape   string    `json:"shape"`
	Op      string    `json:"op"`
	ReLU    int       `json:"relu"`
	Weight  string    `json:"weight"`
	FLOPs   int64     `json:"flops"`
	Ours    []float64 `json:"ours"`    // our layers of the row (conv or linear + ReLU), one call each
	TFJS    []float64 `json:"tfjs"`    // TF.js's op (ReLU fused)
	OurReLU []float64 `json:"relu_ms"` // our ReLU alone (part of Ours)
}

// layerResult is what the page's layersBench returns.
type layerResult struct {
	Info  map[string]any `json:"info"`
	Rows  []layerRow     `json:"rows"`
	Whole struct {
		Ours []float64 `json:"ours"`
		TFJS []float64 `json:"tfjs"`
		Call []float64 `json:"call"` // an empty call into our engine: part of every row of ours
	} `json:"whole"`
}

// layerReport is the JSON -layers writes.
type layerReport struct {
	When     string      `json:"when"`
	Host     string      `json:"host"`
	Load     string      `json:"loadavg_start"`
	LoadEnd  string      `json:"loadavg_end"`
	Browser  string      `json:"browser"`
	Packages []string    `json:"packages"`
	Rounds   int         `json:"rounds"`
	Reps     int         `json:"reps"`
	Result   layerResult `json:"result"`
}

// layerReps is how many calls of each row a round times on each side.
const layerReps = 5

// runLayers measures and prints the table. fc is the linear layers' weight
// type for our side ("" as shipped, int8, f32).
func runLayers(ctx context.Context, repo, tmp string, rounds int, fc, jsonOut string) error {
	rep := &layerReport{When: time.Now().UTC().Format(time.RFC3339), Load: loadavg(), Rounds: rounds, Reps: layerReps}
	rep.Host, _ = os.Hostname()
	modules, err := tfjsModules(ctx)
	if err != nil {
		return err
	}
	for _, p := range []string{"tfjs", "tfjs-backend-wasm"} {
		rep.Packages = append(rep.Packages, "@tensorflow/"+p+"@"+packageVersion(filepath.Join(modules, "@tensorflow", p)))
	}
	goDir := filepath.Join(tmp, "layers")
	if err := buildWasm(ctx, repo, goDir, "./cmd/browserbench/layers", "layers.wasm"); err != nil {
		return fmt.Errorf("build ./cmd/browserbench/layers: %w", err)
	}

	// COOP/COEP: cross-origin isolated, so performance.now() has 5 us
	// steps rather than 100 us.
	mux := http.NewServeMux()
	mux.Handle("/go/", http.StripPrefix("/go/", http.FileServer(http.Dir(goDir))))
	mux.Handle("/tfjs/", http.StripPrefix("/tfjs/", http.FileServer(http.Dir(filepath.Join(modules, "@tensorflow")))))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(layersHTML)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	defer srv.Close()

	b, err := newBrowser(ctx, filepath.Join(tmp, "chromium-layers"), map[string]any{})
	if err != nil {
		return err
	}
	defer b.close()
	rep.Browser = b.version
	u := "http://" + ln.Addr().String() + "/"
	if fc != "" {
		u += "?fc=" + url.QueryEscape(fc)
	}
	if err := chromedp.Do(b.ctx, chromedp.Navigate(u)); err != nil {
		return err
	}
	if err := headless.Wait(b.ctx, "layers page ready", `window.layersReady || window.layersError`, 2*time.Minute); err != nil {
		return err
	}
	if msg, _ := eval[string](b.ctx, `window.layersError || ''`); msg != "" {
		return fmt.Errorf("layers page: %s", msg)
	}
	log.Printf("layers: %d rounds of %d calls a side, load %s", rounds, layerReps, rep.Load)
	t := time.Now()
	rep.Result, err = eval[layerResult](b.ctx, fmt.Sprintf("layersBench(%d, %d)", rounds, layerReps))
	if err != nil {
		return fmt.Errorf("layersBench: %w", err)
	}
	log.Printf("layers: measured in %s", time.Since(t).Round(time.Second))
	rep.LoadEnd = loadavg()
	fmt.Print(layerTable(rep))
	j, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(jsonOut, append(j, '\n'), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s", jsonOut)
	return nil
}

// layerTable is the report as Markdown: per row, our median (and our
// ReLU's alone), TF.js's, and ours over theirs; then the sums of the
// medians and the medians of whole passes.
func layerTable(rep *layerReport) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	r := rep.Result
	p("")
	p("browserbench -layers %s  host %s  load %s -> %s", rep.When, rep.Host, rep.Load, rep.LoadEnd)
	p("%s; %s; %v", rep.Browser, strings.Join(rep.Packages, ", "), r.Info)
	p("ms: median of %d single calls a side (%d rounds x %d, 5 us clock steps), each layer alone; ReLU fused into TF.js's conv and matMul;", rep.Rounds*rep.Reps, rep.Rounds, rep.Reps)
	p("our convs run in f32 whatever the stored type; an empty call into our engine takes %.3f ms", summarize(r.Whole.Call, false).Median)
	p("")
	p("| layer | shape | ours ms | (our ReLU) | XNNPACK ms | ours/XNNPACK |")
	p("|---|---|---:|---:|---:|---:|")
	ratio := func(a, b float64) string {
		if b <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2fx", a/b)
	}
	var sumOurs, sumTF float64
	for _, row := range r.Rows {
		ours, tf := summarize(row.Ours, false).Median, summarize(row.TFJS, false).Median
		sumOurs += ours
		sumTF += tf
		name, relu := row.Name, "-"
		if row.ReLU >= 0 {
			name += "+relu"
			relu = fmt.Sprintf("%.3f", summarize(row.OurReLU, false).Median)
		}
		if row.Op == "dense" && row.Weight != "" {
			name += " (" + row.Weight + ")"
		}
		p("| %s | %s | %.3f | %s | %.3f | %s |", name, row.Shape, ours, relu, tf, ratio(ours, tf))
	}
	p("| sum of the layers | | %.2f | | %.2f | %s |", sumOurs, sumTF, ratio(sumOurs, sumTF))
	wo, wt := summarize(r.Whole.Ours, false), summarize(r.Whole.TFJS, false)
	p("| whole pass | | %.2f | | %.2f | %s |", wo.Median, wt.Median, ratio(wo.Median, wt.Median))
	return b.String()
}

// tfjsModules returns a node_modules folder holding TF.js at the versions
// of the peer harness's package-lock.json (bench/ of the shared folder):
// the user's cache folder's alexnet-browserbench/tfjs, where `npm ci`
// installs them the first time.
func tfjsModules(ctx context.Context) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "alexnet-browserbench", "tfjs")
	modules := filepath.Join(dir, "node_modules")
	lock, err := shared.Path("bench", "package-lock.json")
	if err != nil {
		return "", err
	}
	want, err := os.ReadFile(lock)
	if err != nil {
		return "", err
	}
	if have, err := os.ReadFile(filepath.Join(dir, "package-lock.json")); err == nil && string(have) == string(want) {
		if _, err := os.Stat(filepath.Join(modules, "@tensorflow", "tfjs-backend-wasm", "dist", "tfjs-backend-wasm-simd.wasm")); err == nil {
			return modules, nil
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, f := range []string{"package.json", "package-lock.json"} {
		if err := copyFile(filepath.Join(filepath.Dir(lock), f), filepath.Join(dir, f)); err != nil {
			return "", err
		}
	}
	log.Printf("npm ci in %s (the peer harness's pinned TF.js)", dir)
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm ci in %s: %w", dir, err)
	}
	return modules, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// packageVersion is the version in dir/package.json, or "?".
func packageVersion(dir string) string {
	var p struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil || json.Unmarshal(b, &p) != nil || p.Version == "" {
		return "?"
	}
	return p.Version
}
