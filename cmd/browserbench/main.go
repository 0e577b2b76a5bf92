// Command browserbench measures the web app in headless Chromium and sets
// it beside the peer runtimes (ONNX Runtime Web, TensorFlow.js) of the
// shared folder's bench/ (../shared from the repository root, or
// $ALEXNET_SHARED), run right after in the same Chromium:
//
//	go run ./cmd/browserbench            # or ./bench.sh (niced)
//	go run ./cmd/browserbench -h         # flags
//
// It builds the app (build.sh into a temporary folder), serves it with the
// app's own server behind a byte-counting proxy, and reports for the
// shipped model (weights/default, or ALEXNET_MODEL as build.sh takes it):
//
//   - ms per inference in the worker: the worker's own "ms" (preprocess +
//     forward + softmax) and the page's round trip, median/min/max of -runs
//     after -warmup, for a 224x224 frame posted with the worker's message
//     protocol;
//   - end to end, photo -> rendered result: the file input's change event to
//     the animation frame after the result shows its predictions;
//   - navigation -> model "ready" and -> first result for a photo chosen as
//     soon as it is ready, cold (fresh browser context: empty HTTP cache,
//     Cache Storage and service worker) and warm (the same context again);
//   - bytes transferred on a cold load (every response through the proxy,
//     the service worker's precaching included);
//   - the worker's memory (its WebAssembly memory, the Go heap's upper
//     bound, and its JS heap, read over the DevTools protocol from the
//     worker target) after load, after 100 and after -classifications;
//   - webcam FPS with Chromium's fake camera fed a .y4m of the photo, and
//     the page's animation-frame gaps meanwhile (responsiveness);
//
// then runs the shared bench/run.sh --models seed_alexnet and prints our
// worker median against each peer configuration. The JSON (-json) holds
// every raw time.
//
// With -layers it does only this instead (layers.go): each layer of the
// seed net timed alone, ours beside TF.js's XNNPACK on one thread, in one
// page, as a Markdown table.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"alexnet/internal/headless"
	"alexnet/internal/shared"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

type stats struct {
	N      int       `json:"n"`
	Median float64   `json:"median"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Mean   float64   `json:"mean"`
	All    []float64 `json:"all,omitempty"`
}

func summarize(v []float64, keep bool) stats {
	if len(v) == 0 {
		return stats{}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	st := stats{N: len(s), Median: med, Min: s[0], Max: s[len(s)-1], Mean: sum / float64(len(s))}
	if keep {
		st.All = v
	}
	return st
}

type load struct {
	Kind          string    `json:"kind"` // cold or warm
	ReadyMs       float64   `json:"ready_ms"`
	FirstResultMs float64   `json:"first_result_ms"` // result in the DOM
	FirstPaintMs  float64   `json:"first_paint_ms"`  // next animation frame
	Bytes         int64     `json:"bytes"`
	Requests      []request `json:"requests,omitempty"`
	// Phases: when each step of the load ended, ms from navigation: the
	// page's and the worker's wasm and the model received (resource
	// timing), the worker's first download, verify and loaded messages.
	Phases map[string]float64 `json:"phases,omitempty"`
}

type memory struct {
	After         string  `json:"after"`
	WasmBytes     int64   `json:"wasm_bytes"`
	JSHeapUsed    float64 `json:"js_heap_used"`
	JSHeapTotal   float64 `json:"js_heap_total"`
	Classified    int     `json:"classified"`
	WorkerTargetO bool    `json:"worker_target_ok"`
}

type peer struct {
	Config   string  `json:"config"`
	Median   float64 `json:"median_ms"`
	Min      float64 `json:"min_ms"`
	InitMs   float64 `json:"init_ms"`
	FirstMs  float64 `json:"first_ms"`
	Ratio    float64 `json:"ours_over_peer"`            // the app's worker median / peer median
	RatioQ8  float64 `json:"in_harness_int8_over_peer"` // go-nn-int8-1t median / peer median, same rounds
	MaxDiff  float64 `json:"max_abs_diff"`
	RefAbs   float64 `json:"ref_abs_max"`
	OK       bool    `json:"ok"`
	ErrorMsg string  `json:"error,omitempty"`
}

type report struct {
	When       string   `json:"when"`
	Host       string   `json:"host"`
	Load       string   `json:"loadavg_start"`
	LoadEnd    string   `json:"loadavg_end"`
	Browser    string   `json:"browser"`
	Model      string   `json:"model"`
	Photo      string   `json:"photo"`
	Frame      string   `json:"frame"`
	WorkerMs   stats    `json:"worker_ms"`
	RoundTrip  stats    `json:"worker_roundtrip_ms"`
	Top1       string   `json:"top1"`
	Workers    int      `json:"workers"` // 2 when each pass was split with the helper worker
	EndToEnd   stats    `json:"end_to_end_ms"`
	Loads      []load   `json:"loads"`
	ColdReady  stats    `json:"cold_ready_ms"`
	ColdFirst  stats    `json:"cold_first_result_ms"`
	WarmReady  stats    `json:"warm_ready_ms"`
	WarmFirst  stats    `json:"warm_first_result_ms"`
	ColdBytes  int64    `json:"cold_bytes"`
	Memory     []memory `json:"worker_memory"`
	MemGrowth  float64  `json:"wasm_growth_100_to_last"` // relative
	WebcamFPS  stats    `json:"webcam_fps"`
	FrameGaps  stats    `json:"webcam_frame_gaps_ms"`
	WebcamTop1 string   `json:"webcam_top1"`
	Peers      []peer   `json:"peers,omitempty"`
	PeersJSON  string   `json:"peers_json,omitempty"`
	Errors     []string `json:"errors,omitempty"`
}

func main() {
	var (
		jsonOut   = flag.String("json", "browserbench.json", "write the full report here")
		runs      = flag.Int("runs", 30, "timed worker inferences (after -warmup)")
		warmup    = flag.Int("warmup", 5, "untimed worker inferences first")
		e2eRuns   = flag.Int("e2e", 20, "end-to-end photo -> rendered result runs")
		loads     = flag.Int("loads", 3, "cold and warm page loads each")
		classify  = flag.Int("classifications", 1000, "classifications before the last memory reading")
		camSecs   = flag.Int("webcam", 10, "seconds of webcam")
		photoPath = flag.String("photo", "", "JPEG to classify (default: the first val photo of train/split.txt)")
		peers     = flag.Bool("peers", true, "run the shared folder's bench/run.sh --models seed_alexnet afterwards")
		peersCmd  = flag.String("peers-cmd", "", "the peer harness (default: bench/run.sh of the shared folder)")
		dist      = flag.String("dist", "", "serve this already built folder instead of running build.sh")
		appBench  = flag.Bool("app", true, "measure the app (false: only the peer harness)")
		layers    = flag.Bool("layers", false, "instead: time each layer alone, ours beside TF.js wasm (XNNPACK) 1 thread, in one page (writes browserbench-layers.json unless -json)")
		rounds    = flag.Int("layer-rounds", 40, "-layers: interleaved rounds of 5 calls a layer a side")
		layerFC   = flag.String("layer-fc", "", "-layers: our linear layers' weights as int8 or f32 (default: as shipped)")
		traceOut  = flag.String("trace", "", "write a Chrome trace of the first cold load here (open it in Perfetto or chrome://tracing)")
		jsFlags   = flag.String("js-flags", "", "V8 flags for the app's Chromium (e.g. --no-wasm-dynamic-tiering: every function compiled by TurboFan up front, to tell V8's tier-up from the engine)")
	)
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("browserbench: ")

	repo, err := os.Getwd()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(repo, "build.sh")); err != nil {
		log.Fatal("run from the repository root (where build.sh is)")
	}
	tmp, err := os.MkdirTemp("", "browserbench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)

	if *layers {
		out := *jsonOut
		if !flagSet("json") {
			out = "browserbench-layers.json"
		}
		ctx, stop := context.WithTimeout(context.Background(), 15*time.Minute)
		err := runLayers(ctx, repo, tmp, *rounds, *layerFC, out)
		stop()
		if err != nil {
			os.RemoveAll(tmp)
			log.Fatalf("error: %v", err)
		}
		return
	}

	rep := &report{When: time.Now().UTC().Format(time.RFC3339), Load: loadavg()}
	rep.Host, _ = os.Hostname()
	rep.Model = os.Getenv("ALEXNET_MODEL")
	if rep.Model == "" {
		rep.Model = "weights/default/flowers.alexnet"
	}
	if *photoPath == "" {
		*photoPath, err = firstValPhoto(repo)
		if err != nil {
			log.Fatal(err)
		}
	}
	rep.Photo = *photoPath
	if *peers && *peersCmd == "" {
		if *peersCmd, err = shared.Path("bench", "run.sh"); err != nil {
			log.Fatal(err)
		}
	}
	photo, err := os.ReadFile(*photoPath)
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := context.WithTimeout(context.Background(), 30*time.Minute)
	defer stop()

	if *appBench {
		// The browser and the app's server end before the peers start.
		if err := measureApp(ctx, repo, tmp, *dist, *traceOut, *jsFlags, rep, photo, *photoPath, *runs, *warmup, *e2eRuns, *loads, *classify, *camSecs); err != nil {
			rep.Errors = append(rep.Errors, err.Error())
			log.Printf("error: %v", err)
		}
	}

	if *peers {
		out := filepath.Join(tmp, "peers.json")
		args := []string{"--models", "seed_alexnet", "--out", out}
		// This engine in the harness too (cmd/browserbench/anchors), so that
		// it is timed in the same interleaved rounds as the peers, on the
		// harness's weights and input, checked against PyTorch.
		if eng, err := buildAnchors(ctx, repo, filepath.Join(tmp, "engine")); err != nil {
			rep.Errors = append(rep.Errors, "anchors engine: "+err.Error())
			log.Printf("anchors engine: %v", err)
		} else {
			args = append(args, "--serve", "/engine/="+eng,
				"--config", "name="+inHarnessF32+",runner=gowasm,wasm=/engine/engine.wasm,weights=tfjs",
				"--config", "name="+inHarnessQ8+",runner=gowasm,wasm=/engine/engine.wasm,weights=tfjs,q8=1")
		}
		log.Printf("peers: %s %s", *peersCmd, strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, *peersCmd, args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			rep.Errors = append(rep.Errors, "peers: "+err.Error())
			log.Printf("peers: %v", err)
		}
		if raw, err := os.ReadFile(out); err == nil {
			rep.PeersJSON = *jsonOut + ".peers.json"
			os.WriteFile(rep.PeersJSON, raw, 0o644)
			rep.Peers = readPeers(raw, rep.WorkerMs.Median)
		}
	}
	rep.LoadEnd = loadavg()
	printReport(os.Stdout, rep)
	j, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(*jsonOut, append(j, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s", *jsonOut)
	if len(rep.Errors) > 0 {
		os.Exit(1)
	}
}

// The names of this engine's configurations in the peer harness.
const (
	inHarnessF32 = "go-nn-f32-1t"
	inHarnessQ8  = "go-nn-int8-1t"
)

// buildAnchors builds cmd/browserbench/anchors for the harness's gowasm
// runner into dir as engine.wasm.
func buildAnchors(ctx context.Context, repo, dir string) (string, error) {
	return dir, buildWasm(ctx, repo, dir, "./cmd/browserbench/anchors", "engine.wasm")
}

// buildWasm builds the js/wasm program pkg into dir/out with Go 1.27 SIMD,
// as build.sh builds the app's worker, and puts its wasm_exec.js beside it.
func buildWasm(ctx context.Context, repo, dir, pkg, out string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	env := append(os.Environ(), "GOTOOLCHAIN=go1.27.3", "GOEXPERIMENT=simd", "GOOS=js", "GOARCH=wasm")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, out), pkg)
	build.Dir, build.Env = repo, env
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return err
	}
	root := exec.CommandContext(ctx, "go", "env", "GOROOT")
	root.Dir, root.Env = repo, env
	r, err := root.Output()
	if err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(r)), "lib/wasm/wasm_exec.js"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "wasm_exec.js"), b, 0o644)
}

// measureApp builds (unless dist is given) and serves the app, and measures it.
func measureApp(ctx context.Context, repo, tmp, dist, traceOut, jsFlags string, rep *report, photo []byte, photoPath string, runs, warmup, e2eRuns, loads, classify, camSecs int) error {
	dir := dist
	if dir == "" {
		dir = filepath.Join(tmp, "dist")
		log.Printf("build.sh %s", dir)
		t := time.Now()
		out, err := headless.Build(ctx, repo, dir)
		os.Stderr.WriteString(out)
		if err != nil {
			return err
		}
		log.Printf("built in %s", time.Since(t).Round(time.Millisecond))
	}
	app, err := startApp(ctx, repo, dir, tmp)
	if err != nil {
		return err
	}
	defer app.close()
	log.Printf("serving %s at %s", dir, app.URL)

	y4m := filepath.Join(tmp, "camera.y4m")
	img, _, err := image.Decode(bytes.NewReader(photo))
	if err != nil {
		return fmt.Errorf("decode the photo: %w", err)
	}
	if _, err := headless.WriteY4M(img, y4m, 320, 240, 30); err != nil {
		return err
	}
	flags := map[string]any{
		"use-fake-ui-for-media-stream":     true,
		"use-fake-device-for-media-stream": true,
		"use-file-for-fake-video-capture":  y4m,
	}
	if jsFlags != "" {
		flags["js-flags"] = jsFlags
	}
	b, err := newBrowser(ctx, filepath.Join(tmp, "chromium"), flags)
	if err != nil {
		return err
	}
	defer b.close()
	rep.Browser = b.version
	return measure(b.ctx, app, traceOut, rep, photo, filepath.Base(photoPath), runs, warmup, e2eRuns, loads, classify, camSecs)
}

// flagSet reports whether the flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
}

func firstValPhoto(repo string) (string, error) {
	f, err := os.Open(filepath.Join(repo, "train/split.txt"))
	if err != nil {
		return "", fmt.Errorf("no -photo and %v", err)
	}
	defer f.Close()
	photos, err := shared.Photos()
	if err != nil {
		return "", fmt.Errorf("no -photo and %v", err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) == 2 && fs[0] == "val" {
			return filepath.Join(photos, fs[1]), nil
		}
	}
	return "", fmt.Errorf("no val photo in train/split.txt; pass -photo")
}

// browser is one headless Chromium in its own process group, with its own
// profile, HOME and TMPDIR.
type browser struct {
	ctx     context.Context
	close   func() // ends the browser and kills its whole process group
	version string
}

func newBrowser(parent context.Context, home string, flags map[string]any) (*browser, error) {
	// As the peer harness: no throttling of a page that is not in front.
	for _, f := range []string{"disable-background-timer-throttling", "disable-renderer-backgrounding", "disable-backgrounding-occluded-windows"} {
		flags[f] = true
	}
	ctx, stop, err := headless.Start(parent, home, flags)
	if err != nil {
		return nil, err
	}
	b := &browser{ctx: ctx, close: stop}
	b.version, _ = chromedp.Run(ctx, chromedp.Evaluate[string]("navigator.userAgent"))
	return b, nil
}

func eval[T any](ctx context.Context, expr string) (T, error) { return headless.Eval[T](ctx, expr) }

type timeline struct {
	ReadyAt       float64 `json:"readyAt"`
	FirstResultAt float64 `json:"firstResultAt"`
	FirstPaintAt  float64 `json:"firstPaintAt"`
}

// pageLoad navigates the tab of ctx to the app with the photo chosen on
// ready, and returns the times from navigation start.
func pageLoad(ctx context.Context, app *appServer, kind string) (load, error) {
	app.count.Take()
	if err := chromedp.Do(ctx, chromedp.Navigate(app.URL+"/?benchauto")); err != nil {
		return load{}, err
	}
	if err := headless.Wait(ctx, "first result", `window.__bench && window.__bench.firstPaintAt !== null`, 3*time.Minute); err != nil {
		return load{}, err
	}
	tl, err := eval[timeline](ctx, `({readyAt: __bench.readyAt, firstResultAt: __bench.firstResultAt, firstPaintAt: __bench.firstPaintAt})`)
	if err != nil {
		return load{}, err
	}
	// Let the service worker finish precaching before counting bytes.
	time.Sleep(3 * time.Second)
	l := load{Kind: kind, ReadyMs: tl.ReadyAt, FirstResultMs: tl.FirstResultAt, FirstPaintMs: tl.FirstPaintAt}
	l.Phases, err = eval[map[string]float64](ctx, phasesJS)
	if err != nil {
		return load{}, err
	}
	l.Requests = app.count.Take()
	for _, r := range l.Requests {
		l.Bytes += r.Bytes
	}
	return l, nil
}

// phaseLine is load.Phases in time order, "name at ms".
func phaseLine(ph map[string]float64) string {
	names := make([]string, 0, len(ph))
	for k := range ph {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return ph[names[i]] < ph[names[j]] })
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %.0f", k, ph[k])
	}
	return strings.Join(parts, ", ")
}

// phasesJS collects load.Phases: resource timing's responseEnd of the
// page's wasm (ui.*.wasm), the worker's (worker.*.wasm) and the model
// (*.alexnet), and the worker's marks (instrumentJS).
const phasesJS = `(() => {
  const p = {};
  for (const e of performance.getEntriesByType('resource')) {
    const f = e.name.split('/').pop().split('?')[0];
    const k = /^ui\..*\.wasm$/.test(f) ? 'ui.wasm received' : /^worker\..*\.wasm$/.test(f) ? 'worker.wasm received' : /\.alexnet$/.test(f) ? 'model received' : '';
    if (k && !(k in p)) p[k] = e.responseEnd;
  }
  for (const [k, v] of Object.entries(__bench.marks)) p['worker: ' + k] = v;
  p['ready'] = __bench.readyAt;
  return p;
})()`

// tab opens a new tab in a fresh browser context (its own cache, storage
// and service workers) with the instrumentation installed.
func tab(parent context.Context, instrument string) (context.Context, func(), error) {
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, nil, err
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: instrument}); err != nil {
		cancel()
		return nil, nil, err
	}
	return ctx, cancel, nil
}

func measure(ctx context.Context, app *appServer, traceOut string, rep *report, photo []byte, photoName string, runs, warmup, e2eRuns, loads, classify, camSecs int) error {
	instrument := instrumentJS(photo, photoName)

	// Cold and warm loads: each cold load in a fresh browser context, then
	// `loads` warm ones in the last context.
	var tctx context.Context
	var closeTab func()
	var coldR, coldF, warmR, warmF []float64
	one := func(kind string, i int) (load, error) {
		l, err := pageLoad(tctx, app, kind)
		if err != nil {
			return l, fmt.Errorf("%s load: %w", kind, err)
		}
		log.Printf("%s load %d: ready %.0f ms, first result %.0f ms, %d bytes; %s", kind, i+1, l.ReadyMs, l.FirstPaintMs, l.Bytes, phaseLine(l.Phases))
		rep.Loads = append(rep.Loads, l)
		return l, nil
	}
	for i := 0; i < loads; i++ {
		if closeTab != nil {
			closeTab()
		}
		var err error
		if tctx, closeTab, err = tab(ctx, instrument); err != nil {
			return err
		}
		var tr *tracer
		if i == 0 && traceOut != "" {
			if tr, err = startTrace(tctx); err != nil {
				return fmt.Errorf("trace: %w", err)
			}
		}
		l, err := one("cold", i)
		if err != nil {
			return err
		}
		if tr != nil {
			if err := tr.stop(tctx, traceOut); err != nil {
				return fmt.Errorf("trace: %w", err)
			}
			log.Printf("wrote the trace of cold load 1 to %s", traceOut)
		}
		coldR, coldF = append(coldR, l.ReadyMs), append(coldF, l.FirstPaintMs)
		if i == 0 {
			rep.ColdBytes = l.Bytes
		}
	}
	defer closeTab()
	for i := 0; i < loads; i++ {
		l, err := one("warm", i)
		if err != nil {
			return err
		}
		warmR, warmF = append(warmR, l.ReadyMs), append(warmF, l.FirstPaintMs)
	}
	rep.ColdReady, rep.ColdFirst = summarize(coldR, true), summarize(coldF, true)
	rep.WarmReady, rep.WarmFirst = summarize(warmR, true), summarize(warmF, true)

	// A last warm load without the automatic photo, for the rest.
	if err := chromedp.Do(tctx, chromedp.Navigate(app.URL+"/")); err != nil {
		return err
	}
	if err := headless.Wait(tctx, "model ready", `window.__bench && window.__bench.readyAt !== null && __bench.workers.length > 0`, 3*time.Minute); err != nil {
		return err
	}
	wm := newWorkerMem(ctx)
	defer wm.close()
	rep.Memory = append(rep.Memory, wm.read(tctx, "load", 0))

	// Worker inference.
	const fw, fh = 224, 224
	rep.Frame = fmt.Sprintf("%dx%d RGBA, the photo scaled", fw, fh)
	type wres struct {
		Ms      []float64 `json:"ms"`
		RT      []float64 `json:"rt"`
		Top     string    `json:"top"`
		Workers int       `json:"workers"`
	}
	w, err := eval[wres](tctx, fmt.Sprintf("%s(%d, %d, %d, %d)", workerTimesJS, runs, warmup, fw, fh))
	if err != nil {
		return fmt.Errorf("worker timing: %w", err)
	}
	rep.WorkerMs, rep.RoundTrip, rep.Top1, rep.Workers = summarize(w.Ms, true), summarize(w.RT, true), w.Top, w.Workers
	rep.Frame += fmt.Sprintf(", %d worker(s)", w.Workers)
	log.Printf("worker: median %.1f ms (min %.1f, max %.1f), round trip %.1f ms, top-1 %s, %d worker(s)", rep.WorkerMs.Median, rep.WorkerMs.Min, rep.WorkerMs.Max, rep.RoundTrip.Median, w.Top, w.Workers)
	done := runs + warmup

	// Memory after 100 and after `classify` classifications.
	if done < 100 {
		if _, err := eval[wres](tctx, fmt.Sprintf("%s(%d, 0, %d, %d)", workerTimesJS, 100-done, fw, fh)); err != nil {
			return err
		}
		done = 100
	}
	rep.Memory = append(rep.Memory, wm.read(tctx, "100", done))
	if classify > done {
		t := time.Now()
		if _, err := eval[wres](tctx, fmt.Sprintf("%s(%d, 0, %d, %d)", workerTimesJS, classify-done, fw, fh)); err != nil {
			return err
		}
		log.Printf("%d more classifications in %s", classify-done, time.Since(t).Round(time.Millisecond))
		done = classify
	}
	rep.Memory = append(rep.Memory, wm.read(tctx, fmt.Sprint(done), done))
	if m := rep.Memory; len(m) >= 3 && m[1].WasmBytes > 0 {
		rep.MemGrowth = float64(m[len(m)-1].WasmBytes-m[1].WasmBytes) / float64(m[1].WasmBytes)
	}

	// End to end through the file input.
	e2e, err := eval[[]float64](tctx, fmt.Sprintf("%s(%d)", endToEndJS, e2eRuns))
	if err != nil {
		return fmt.Errorf("end to end: %w", err)
	}
	rep.EndToEnd = summarize(e2e, true)
	log.Printf("end to end: median %.1f ms", rep.EndToEnd.Median)

	// Webcam.
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-start]`))); err != nil {
		return fmt.Errorf("webcam: %w", err)
	}
	if err := headless.Wait(tctx, "live results", `document.querySelector('[data-testid=live-results] [data-testid=pred]')`, time.Minute); err != nil {
		return err
	}
	time.Sleep(2 * time.Second) // let the FPS average settle
	gapsCh := make(chan []float64, 1)
	go func() {
		g, err := eval[[]float64](tctx, fmt.Sprintf("%s(%d)", frameGapsJS, camSecs*1000))
		if err != nil {
			log.Printf("frame gaps: %v", err)
		}
		gapsCh <- g
	}()
	var fps []float64
	for i := 0; i < camSecs; i++ {
		time.Sleep(time.Second)
		f, err := eval[float64](tctx, `+document.querySelector('[data-testid=fps]').dataset.fps`)
		if err == nil {
			fps = append(fps, f)
		}
	}
	rep.FrameGaps = summarize(<-gapsCh, false)
	rep.WebcamFPS = summarize(fps, true)
	rep.WebcamTop1, _ = eval[string](tctx, `document.querySelector('[data-testid=live-results] [data-testid=pred]').dataset.label`)
	log.Printf("webcam: %.1f FPS (median of %d readings), longest frame gap %.0f ms", rep.WebcamFPS.Median, len(fps), rep.FrameGaps.Max)
	chromedp.Do(tctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-stop]`)))
	return nil
}

// workerMem reads the classifier worker's memory over the DevTools
// protocol: its target is attached (detached again at close, never
// closed), WebAssembly.Memory objects are found with Runtime.queryObjects
// (no hook in the app), and Runtime.getHeapUsage gives its JS heap.
type workerMem struct {
	ctx    context.Context
	cancel func()
	err    error
}

func newWorkerMem(parent context.Context) *workerMem {
	wm := &workerMem{}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ts, err := chromedp.Targets(parent)
		if err != nil {
			wm.err = err
			return wm
		}
		for _, t := range ts {
			if t.Type == "worker" && strings.Contains(t.URL, "worker.js") {
				wm.ctx, wm.cancel = chromedp.NewContext(parent, chromedp.WithTargetID(t.TargetID), chromedp.WithDetachOnCancel())
				if err := chromedp.Do(wm.ctx); err != nil {
					wm.err = err
				}
				return wm
			}
		}
		if time.Now().After(deadline) {
			wm.err = fmt.Errorf("no worker target")
			return wm
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (wm *workerMem) close() {
	if wm.cancel != nil {
		wm.cancel()
	}
}

func (wm *workerMem) read(_ context.Context, after string, classified int) memory {
	m := memory{After: after, Classified: classified}
	if wm.err != nil || wm.ctx == nil {
		log.Printf("worker memory: %v", wm.err)
		return m
	}
	proto, err := chromedp.Call(wm.ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: "WebAssembly.Memory.prototype"})
	if err != nil || proto.Result == nil {
		log.Printf("worker memory: %v", err)
		return m
	}
	objs, err := chromedp.Call(wm.ctx, runtime.QueryObjects, runtime.QueryObjectsParams{PrototypeObjectID: proto.Result.ObjectID, ObjectGroup: "bench"})
	if err != nil || objs.Objects == nil {
		log.Printf("worker memory: queryObjects: %v", err)
		return m
	}
	res, err := chromedp.Call(wm.ctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: `function() { return this.reduce((s, m) => s + m.buffer.byteLength, 0); }`,
		ObjectID:            objs.Objects.ObjectID, ReturnByValue: new(true),
	})
	if err == nil && res.Result != nil {
		var n float64
		if json.Unmarshal(res.Result.Value, &n) == nil {
			m.WasmBytes = int64(n)
		}
	}
	chromedp.Call(wm.ctx, runtime.ReleaseObjectGroup, runtime.ReleaseObjectGroupParams{ObjectGroup: "bench"})
	if h, err := chromedp.Call(wm.ctx, runtime.GetHeapUsage, cdp.Empty{}); err == nil {
		m.JSHeapUsed, m.JSHeapTotal = h.UsedSize, h.TotalSize
	}
	m.WorkerTargetO = true
	log.Printf("worker memory after %s: wasm %.1f MB, JS heap %.1f MB", after, float64(m.WasmBytes)/1e6, m.JSHeapUsed/1e6)
	return m
}

// readPeers takes the peer harness's JSON and sets each configuration's
// median beside ours.
func readPeers(raw []byte, ours float64) []peer {
	var pj struct {
		Results []struct {
			Config   string  `json:"config"`
			Model    string  `json:"model"`
			OK       *bool   `json:"ok"`
			Error    string  `json:"error"`
			Median   float64 `json:"median_ms"`
			Min      float64 `json:"min_ms"`
			Init     float64 `json:"init_ms"`
			First    float64 `json:"first_ms"`
			MaxDiff  float64 `json:"max_abs_diff"`
			RefAbsMx float64 `json:"ref_abs_max"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &pj); err != nil {
		log.Printf("peers JSON: %v", err)
		return nil
	}
	var out []peer
	for _, r := range pj.Results {
		p := peer{Config: r.Config, Median: r.Median, Min: r.Min, InitMs: r.Init, FirstMs: r.First,
			MaxDiff: r.MaxDiff, RefAbs: r.RefAbsMx, OK: r.OK == nil || *r.OK, ErrorMsg: r.Error}
		if r.Median > 0 {
			p.Ratio = ours / r.Median
		}
		out = append(out, p)
	}
	for _, q := range out {
		if q.Config != inHarnessQ8 || q.Median <= 0 {
			continue
		}
		for i := range out {
			if out[i].Median > 0 {
				out[i].RatioQ8 = q.Median / out[i].Median
			}
		}
	}
	return out
}

func mb(b int64) string { return fmt.Sprintf("%.2f MB", float64(b)/1e6) }

func printReport(w *os.File, r *report) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	st := func(s stats) string {
		return fmt.Sprintf("%8.1f %8.1f %8.1f %4d", s.Median, s.Min, s.Max, s.N)
	}
	p("")
	p("browserbench %s  host %s  load %s -> %s", r.When, r.Host, r.Load, r.LoadEnd)
	p("model %s, photo %s", r.Model, filepath.Base(r.Photo))
	p("%s", r.Browser)
	if r.WorkerMs.N > 0 {
		p("")
		p("%-44s %8s %8s %8s %4s", "measure (ms unless stated)", "median", "min", "max", "n")
		p("%-44s %s", "worker inference ("+r.Frame+")", st(r.WorkerMs))
		p("%-44s %s", "worker round trip from the page", st(r.RoundTrip))
		p("%-44s %s", "end to end: photo -> rendered result", st(r.EndToEnd))
		p("%-44s %s", "cold: navigation -> ready", st(r.ColdReady))
		p("%-44s %s", "cold: navigation -> first result", st(r.ColdFirst))
		p("%-44s %s", "warm: navigation -> ready", st(r.WarmReady))
		p("%-44s %s", "warm: navigation -> first result", st(r.WarmFirst))
		p("%-44s %s", "webcam FPS (page's reading, 1/s)", st(r.WebcamFPS))
		p("%-44s %s", "webcam: page animation-frame gaps", st(r.FrameGaps))
		p("")
		p("top-1 of the photo: %s; webcam top-1: %s", r.Top1, r.WebcamTop1)
		p("bytes transferred on the first cold load: %d (%s)", r.ColdBytes, mb(r.ColdBytes))
		if len(r.Loads) > 0 {
			for _, q := range r.Loads[0].Requests {
				p("    %8d  %3d %-4s %s", q.Bytes, q.Status, q.Encoding, q.Path)
			}
		}
		for _, m := range r.Memory {
			p("worker memory after %-5s: wasm %s, JS heap %s used / %s", m.After, mb(m.WasmBytes), mb(int64(m.JSHeapUsed)), mb(int64(m.JSHeapTotal)))
		}
		p("worker wasm memory growth from the 100th classification to the last: %+.2f%%", 100*r.MemGrowth)
	}
	if len(r.Peers) > 0 {
		p("")
		p("peer harness (%s), same Chromium, right after the app; %s/%s = this engine inside the", r.PeersJSON, inHarnessF32, inHarnessQ8)
		p("harness, timed in the same interleaved rounds on its weights and input.")
		p("app/peer = the app's worker median (%.1f ms) over the peer's; int8/peer = %s over the peer, same rounds", r.WorkerMs.Median, inHarnessQ8)
		p("%-16s %9s %9s %9s %9s %10s %9s %12s", "config", "median", "min", "init", "first", "max|diff|", "app/peer", "int8/peer")
		for _, q := range r.Peers {
			if !q.OK {
				p("%-16s failed: %s", q.Config, q.ErrorMsg)
				continue
			}
			app := "-"
			if q.Ratio > 0 {
				app = fmt.Sprintf("%.2fx", q.Ratio)
			}
			p("%-16s %9.1f %9.1f %9.0f %9.0f %10.1e %9s %11.2fx", q.Config, q.Median, q.Min, q.InitMs, q.FirstMs, q.MaxDiff, app, q.RatioQ8)
		}
	}
	for _, e := range r.Errors {
		p("ERROR: %s", e)
	}

}
