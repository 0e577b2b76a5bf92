package e2e

// Browser tests: build the app with build.sh, serve it with the real
// handler, and drive Debian's Chromium with chromedp. They fail (never
// skip) when Chromium is missing. Screenshots of every step go to
// $ALEXNET_SCREENSHOTS (default: a folder under the temp dir, printed).
//
// Tolerance browser vs native: Chromium decodes JPEG with libjpeg-turbo and
// Go with image/jpeg, whose IDCT and chroma upsampling differ by a level or
// two per pixel. After preprocessing and the network that moves
// probabilities by up to a few hundredths, so the tests require the same
// top-1 (unless the native top two are within ProbTol, a coin toss) and
// every top-5 probability within ProbTol.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"image/png"
	"log"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"alexnet/classifier"
	"alexnet/internal/fixture"
	"alexnet/internal/headless"
	"alexnet/internal/shared"
	"alexnet/prep"
	"alexnet/weights"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/image/draw"
)

const ProbTol = 0.05

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// root is the repository's root: build.sh, train/split.txt and the
// default weight file are found from it.
func root(t *testing.T) string {
	t.Helper()
	r, err := shared.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// builtApp runs build.sh once per test binary into a temporary folder.
func builtApp(t *testing.T) string {
	t.Helper()
	repo := root(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "alexnet-dist-")
		if err != nil {
			buildErr = err
			return
		}
		buildDir = dir
		start := time.Now()
		if _, buildErr = headless.Build(context.Background(), repo, dir); buildErr == nil {
			log.Printf("e2e: build.sh took %s", time.Since(start).Round(time.Millisecond))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// modelPath is the weight file build.sh ships (ALEXNET_MODEL overrides it,
// as in build.sh, relative to the repository root).
func modelPath(t *testing.T) string {
	p := os.Getenv("ALEXNET_MODEL")
	if p == "" {
		p = "weights/default/flowers.alexnet"
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(root(t), p)
	}
	return p
}

// servedApp is the built app (builtApp) and its server (startServer).
func servedApp(t *testing.T) (string, *headless.Server) {
	t.Helper()
	dist := builtApp(t)
	return dist, startServer(t, dist)
}

// navigate loads url in the page of ctx.
func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
}

// startServer serves dir with the app's own server (the repository's root
// package), which logs every request.
func startServer(t *testing.T, dir string) *headless.Server {
	t.Helper()
	s, err := headless.Serve(context.Background(), root(t), dir, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// screenshots is where the pictures of each step go.
func screenshots(t *testing.T) string {
	dir := os.Getenv("ALEXNET_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "alexnet-e2e-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(screenshots(t), name+".png")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("screenshot: %s", p)
}

// newBrowser starts a fresh headless Chromium in its own process group, with
// its own profile, HOME and TMPDIR, and kills the whole group at cleanup.
func newBrowser(t *testing.T, flags map[string]any) context.Context {
	t.Helper()
	bctx, stop, err := headless.Start(context.Background(), t.TempDir(), flags)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancelT := context.WithTimeout(bctx, 4*time.Minute)
	// The page's console and uncaught exceptions go to the test log.
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			log.Printf("browser console: %s", m)
		}
	}()
	t.Cleanup(func() {
		cancelT()
		stop()
	})
	return ctx
}

// recordNetwork records every URL the page and its workers request.
func recordNetwork(t *testing.T, ctx context.Context) *headless.Record[string] {
	t.Helper()
	n := &headless.Record[string]{}
	events := chromedp.Events(ctx, network.RequestWillBeSent)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			n.Add(ev.Request.URL)
		}
	}()
	return n
}

// checkPrivacy asserts that only the app's own static files were requested
// from origin (or blob:/data: made in the page), each a file of dist.
func checkPrivacy(t *testing.T, n *headless.Record[string], origin string, s *headless.Server, dist string) {
	t.Helper()
	for _, u := range n.All() {
		if strings.HasPrefix(u, "blob:"+origin) || strings.HasPrefix(u, "data:") {
			continue
		}
		if !strings.HasPrefix(u, origin+"/") {
			t.Errorf("privacy: the page requested %s, outside %s", u, origin)
			continue
		}
		pu, err := url.Parse(u)
		if err != nil {
			t.Errorf("privacy: bad URL %s", u)
			continue
		}
		name := strings.TrimPrefix(pu.Path, "/")
		if name == "" {
			name = "index.html"
		}
		if _, err := os.Stat(filepath.Join(dist, name)); err != nil {
			t.Errorf("privacy: the page requested %s, which is not a file of the app", u)
		}
	}
	for _, line := range s.Log() {
		if !strings.Contains(line, "GET ") && !strings.Contains(line, "HEAD ") {
			t.Errorf("privacy: server saw %s", line)
		}
		if strings.Contains(line, " 404 ") {
			t.Errorf("server answered 404: %s", line)
		}
	}
	if len(n.All()) == 0 {
		t.Error("privacy: the network log is empty; the recorder is broken")
	}
}

func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := headless.Eval[T](ctx, expr)
	if err != nil {
		t.Fatalf("evaluate %.80s: %v", expr, err)
	}
	return v
}

// waitFor polls a JS condition until it is true; on a timeout it takes a
// screenshot and fails.
func waitFor(t *testing.T, ctx context.Context, what, cond string, timeout time.Duration) {
	t.Helper()
	if err := headless.Wait(ctx, what, cond, timeout); err != nil {
		shot(t, ctx, "timeout-"+strings.ReplaceAll(what, " ", "-"))
		t.Fatal(err)
	}
}

type pagePred struct {
	Label string  `json:"label"`
	Prob  float64 `json:"prob"`
}

type pageResult struct {
	Name    string     `json:"name"`
	State   string     `json:"state"`
	Via     string     `json:"via"`
	NotSure string     `json:"notSure"`
	Preds   []pagePred `json:"preds"`
	Err     string     `json:"err"`
}

const readResults = `JSON.stringify([...document.querySelectorAll('[data-testid=result]')].map(r => ({
	name: r.dataset.name, state: r.dataset.state, via: r.dataset.via,
	notSure: (r.querySelector('[data-testid=verdict]') || {dataset: {}}).dataset.notsure || '',
	err: (r.querySelector('[data-testid=result-error]') || {}).textContent || '',
	preds: [...r.querySelectorAll('[data-testid=pred]')].map(p => ({label: p.dataset.label, prob: +p.dataset.prob}))})))`

func results(t *testing.T, ctx context.Context) []pageResult {
	t.Helper()
	var rs []pageResult
	if err := json.Unmarshal([]byte(js[string](t, ctx, readResults)), &rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

// photo is one validation photo with its class.
type photo struct {
	Class, Path string
}

// valPhotos returns up to perClass validation photos of each class, from
// the lead's train/split.txt (photos the training did not see).
func valPhotos(t *testing.T, perClass int) []photo {
	t.Helper()
	f, err := os.Open(filepath.Join(root(t), "train/split.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	photoRoot, err := shared.Photos()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	var out []photo
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 || fields[0] != "val" {
			continue
		}
		class, _, _ := strings.Cut(fields[1], "/")
		if count[class] >= perClass {
			continue
		}
		count[class]++
		out = append(out, photo{class, filepath.Join(photoRoot, fields[1])})
	}
	if len(out) == 0 {
		t.Fatal("no val photos in train/split.txt")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// native classifies a photo in-process, as the CLI does.
type native struct {
	c *classifier.Classifier
}

func loadNative(t *testing.T) *native {
	t.Helper()
	b, err := os.ReadFile(modelPath(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := classifier.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return &native{c}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeFile decodes a photo: fixture.Image, under the name these tests call.
func decodeFile(t *testing.T, path string) image.Image {
	t.Helper()
	return fixture.Image(t, path)
}

func (n *native) classify(t *testing.T, img image.Image) classifier.Result {
	t.Helper()
	r, err := n.c.Classify(img, 5)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// compare checks one browser result against the native one and returns the
// largest probability difference.
func compare(t *testing.T, name string, got pageResult, want classifier.Result, labels []string) float64 {
	t.Helper()
	if got.State != "done" || len(got.Preds) == 0 {
		t.Errorf("%s: state %q, error %q, no predictions", name, got.State, got.Err)
		return 0
	}
	nativeTie := len(want.Top) > 1 && float64(want.Top[0].Prob-want.Top[1].Prob) < ProbTol
	if got.Preds[0].Label != want.Top[0].Label && !nativeTie {
		t.Errorf("%s: browser top-1 %s (%.3f), native %s (%.3f)", name, got.Preds[0].Label, got.Preds[0].Prob, want.Top[0].Label, want.Top[0].Prob)
	}
	worst := 0.0
	for _, p := range got.Preds {
		idx := -1
		for i, l := range want.Top {
			if l.Label == p.Label {
				idx = i
			}
		}
		var np float64
		if idx >= 0 {
			np = float64(want.Top[idx].Prob)
		} else {
			for i, l := range labels {
				if l == p.Label && i < len(want.Probs) {
					np = float64(want.Probs[i])
				}
			}
		}
		if d := math.Abs(p.Prob - np); d > worst {
			worst = d
		}
	}
	if worst > ProbTol {
		t.Errorf("%s: probabilities differ by %.4f (> %.2f): browser %v native %v", name, worst, ProbTol, got.Preds, want.Top)
	}
	return worst
}

// filePayload builds JS that makes a File from bytes sent by the test
// (nothing is fetched over the network).
func filePayload(t *testing.T, path, name, typ string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileJS(b, name, typ)
}

func fileJS(b []byte, name, typ string) string {
	return fmt.Sprintf(`(() => { const s = atob(%q); const u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return new File([u], %q, {type: %q}); })()`,
		base64.StdEncoding.EncodeToString(b), name, typ)
}

// dropJS fires dragenter, dragover and drop with the files on the page body.
func dropJS(files ...string) string {
	return `(async () => { const dt = new DataTransfer(); for (const f of [` + strings.Join(files, ",") + `]) dt.items.add(await f);
		const opts = {dataTransfer: dt, bubbles: true, cancelable: true};
		document.body.dispatchEvent(new DragEvent('dragenter', opts));
		document.body.dispatchEvent(new DragEvent('dragover', opts));
		await new Promise(r => setTimeout(r, 150));
		const overlay = !!document.querySelector('[data-testid=drop-overlay]');
		document.body.dispatchEvent(new DragEvent('drop', opts));
		return overlay; })()`
}

func pasteJS(file string) string {
	return `(() => { const dt = new DataTransfer(); dt.items.add(` + file + `);
		document.body.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true})); return true; })()`
}

const statusIs = `document.querySelector('[data-testid=model-status]') && document.querySelector('[data-testid=model-status]').dataset.status === `

// servedModelSize is how many bytes the default model takes on the wire
// (its .br or .gz variant when build.sh wrote one; Chromium accepts both).
func servedModelSize(t *testing.T, dist string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dist, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Model string }
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{".br", ".gz", ""} {
		if fi, err := os.Stat(filepath.Join(dist, m.Model+suffix)); err == nil {
			return fi.Size()
		}
	}
	t.Fatalf("no %s in %s", m.Model, dist)
	return 0
}

func TestBrowserApp(t *testing.T) {
	dist, s := servedApp(t)
	nat := loadNative(t)
	labels := nat.c.Model().Labels
	ctx := newBrowser(t, nil)
	nl := recordNetwork(t, ctx)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: liveRecorder}); err != nil {
		t.Fatal(err)
	}

	// 1. The page loads, shows the download's progress (slowed so the
	// download takes about 3 s and can be seen) and the model becomes ready.
	// A screen reader hears a few steps of it, not every percent.
	proxy := newSlowModel(t, s.URL, servedModelSize(t, dist)/3)
	proxy.slow.Store(true)
	navigate(t, ctx, proxy.URL+"/")
	waitFor(t, ctx, "download progress", `(document.querySelector('.phase') || {textContent: ''}).textContent.startsWith('Downloading') && (document.querySelector('[data-testid=model-bytes]') || {}).textContent && document.querySelector('[data-testid=model-bytes]').textContent.includes('%') && +document.querySelector('[data-testid=model-progress]').value > 0`, 60*time.Second)
	if st := js[string](t, ctx, `document.querySelector('[data-testid=model-status]').dataset.status`); st != "loading" {
		t.Errorf("status during download %q, want loading", st)
	}
	shot(t, ctx, "00-loading")
	waitFor(t, ctx, "model ready", statusIs+`'ready'`, 90*time.Second)
	proxy.slow.Store(false)
	said := js[[]string](t, ctx, `window.uxSaid`)
	t.Logf("announced during the load: %q", said)
	if len(said) > 8 {
		t.Errorf("%d announcements during the model load, want at most 8 (25%% steps)", len(said))
	}
	if len(said) == 0 || said[len(said)-1] != "Ready" {
		t.Errorf("the load did not end with \"Ready\" announced: %q", said)
	}
	if !slices.ContainsFunc(said, func(a string) bool { return strings.HasPrefix(a, "Loading model, ") }) {
		t.Error("no loading step (\"Loading model, 25%\") was announced")
	}
	// A reload starts from the caches: no model download.
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "model ready", statusIs+`'ready'`, 90*time.Second)
	t.Logf("warm start (reload) to ready: %s", time.Since(start).Round(time.Millisecond))
	if !js[bool](t, ctx, `document.querySelector('[data-testid=model-facts]').textContent.includes('offline cache')`) {
		t.Error("a reload downloaded the model again instead of using the cache")
	}
	shot(t, ctx, "01-ready-desktop")

	// Accessibility basics: every control has a name, and Tab reaches the
	// photo picker first.
	unnamed := js[string](t, ctx, `[...document.querySelectorAll('button, input, select, summary')].filter(e => {
		const name = (e.getAttribute('aria-label') || e.textContent || (e.closest('label') || {}).textContent || '').trim();
		return name === '';
	}).map(e => e.outerHTML.slice(0, 80)).join('\n')`)
	if unnamed != "" {
		t.Errorf("controls without an accessible name:\n%s", unnamed)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	if f := js[string](t, ctx, `document.activeElement.dataset.testid || document.activeElement.tagName`); f != "file-input" {
		t.Errorf("first Tab stop is %s, want the photo picker", f)
	}
	shot(t, ctx, "01b-keyboard-focus")

	// 2. Validation photos through the file picker: a list of results.
	photos := valPhotos(t, 2)
	var paths []string
	for _, p := range photos {
		paths = append(paths, p.Path)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=file-input]`), paths)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "picked photos classified", fmt.Sprintf(`[...document.querySelectorAll('[data-testid=result]')].filter(r => r.dataset.state === 'done' || r.dataset.state === 'error').length === %d`, len(photos)), 120*time.Second)
	shot(t, ctx, "02-picker-results-desktop")
	got := results(t, ctx)
	byName := map[string]pageResult{}
	for _, r := range got {
		byName[r.Name] = r
	}
	worst, nativeRight, browserRight := 0.0, 0, 0
	for _, p := range photos {
		r, ok := byName[filepath.Base(p.Path)]
		if !ok {
			t.Errorf("no result for %s", p.Path)
			continue
		}
		if r.Via != "picker" {
			t.Errorf("%s: via %q, want picker", p.Path, r.Via)
		}
		want := nat.classify(t, decodeFile(t, p.Path))
		worst = math.Max(worst, compare(t, filepath.Base(p.Path), r, want, labels))
		if want.Top[0].Label == p.Class {
			nativeRight++
			if len(r.Preds) > 0 && r.Preds[0].Label == p.Class {
				browserRight++
			} else {
				t.Errorf("%s: native is right (%s), browser says %v", p.Path, p.Class, r.Preds)
			}
		}
	}
	t.Logf("picker: %d photos, native right on %d, browser right on %d of those; largest prob difference %.4f (tolerance %.2f)",
		len(photos), nativeRight, browserRight, worst, ProbTol)
	// Each result is announced: "name: Label, 97%" or "name: not sure, closest Label".
	spoken := js[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=result]')].map(r => { const p = r.querySelector('[data-testid=pred]');
		const pretty = p.querySelector('.pred-label').textContent;
		return r.querySelector('[data-testid=verdict]').dataset.notsure === 'true' ? r.dataset.name + ': not sure, closest ' + pretty
			: r.dataset.name + ': ' + pretty + ', ' + Math.round(100 * p.dataset.prob) + '%'; })`)
	said = js[[]string](t, ctx, `window.uxSaid`)
	for _, w := range spoken {
		if !slices.Contains(said, w) {
			t.Errorf("%q was not announced; the live region said %q", w, said)
		}
	}
	// After the first photo the worker splits each pass with its helper,
	// and the model panel says so.
	inferText := js[string](t, ctx, `document.querySelector('[data-testid=model-ms]').textContent`)
	if !strings.Contains(inferText, "per image on 2 cores") {
		t.Errorf("model panel inference time %q: the passes were not split over 2 cores", inferText)
	}

	// 3. A synthetic drop and a paste give the same results as the picker.
	ref := photos[0]
	refRes := byName[filepath.Base(ref.Path)]
	dropName := "dropped-" + filepath.Base(ref.Path)
	if !js[bool](t, ctx, dropJS(filePayload(t, ref.Path, dropName, "image/jpeg"))) {
		t.Error("no drop overlay while dragging a file")
	}
	waitFor(t, ctx, "dropped photo", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.name === '`+dropName+`' && r.dataset.state === 'done')`, 60*time.Second)
	pasteName := "pasted-" + filepath.Base(ref.Path)
	js[bool](t, ctx, pasteJS(filePayload(t, ref.Path, pasteName, "image/jpeg")))
	waitFor(t, ctx, "pasted photo", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.name === '`+pasteName+`' && r.dataset.state === 'done')`, 60*time.Second)
	shot(t, ctx, "03-drop-and-paste")
	for _, r := range results(t, ctx) {
		if r.Name != dropName && r.Name != pasteName {
			continue
		}
		if len(r.Preds) != len(refRes.Preds) {
			t.Errorf("%s: %d predictions, picker gave %d", r.Name, len(r.Preds), len(refRes.Preds))
			continue
		}
		for i := range r.Preds {
			if r.Preds[i].Label != refRes.Preds[i].Label || math.Abs(r.Preds[i].Prob-refRes.Preds[i].Prob) > 1e-6 {
				t.Errorf("%s: row %d %v, picker %v", r.Name, i, r.Preds[i], refRes.Preds[i])
			}
		}
	}

	// 4. Pasted text is not classified, and the page says so.
	js[bool](t, ctx, `(() => { const dt = new DataTransfer(); dt.setData('text/plain', 'roses');
		document.body.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true})); return true; })()`)
	waitFor(t, ctx, "message for pasted text", `(document.querySelector('[data-testid=error]') || {textContent: ''}).textContent.includes('Pasted text')`, 30*time.Second)
	// A text file dropped gives an error on its card; the next photo still works.
	js[bool](t, ctx, dropJS(fileJS([]byte("just some notes\n"), "notes.txt", "text/plain")))
	waitFor(t, ctx, "error for a text file", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.name === 'notes.txt' && r.dataset.state === 'error')`, 30*time.Second)
	shot(t, ctx, "04-text-file-error")
	corrupt := fileJS(append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{0x42}, 400)...), "broken.jpg", "image/jpeg")
	js[bool](t, ctx, dropJS(corrupt))
	waitFor(t, ctx, "error for a corrupt JPEG", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.name === 'broken.jpg' && r.dataset.state === 'error')`, 30*time.Second)
	after := "after-error-" + filepath.Base(photos[1].Path)
	js[bool](t, ctx, dropJS(filePayload(t, photos[1].Path, after, "image/jpeg")))
	waitFor(t, ctx, "photo after the errors", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.name === '`+after+`' && r.dataset.state === 'done')`, 60*time.Second)

	// A 10000x10000 photo is scaled by the browser: the worker gets 2048x2048.
	huge := `(async () => { const c = new OffscreenCanvas(10000, 10000); const g = c.getContext('2d');
		g.fillStyle = '#2a6'; g.fillRect(0, 0, 10000, 10000); g.fillStyle = '#fd3'; g.beginPath(); g.arc(5000, 5000, 3000, 0, 7); g.fill();
		const b = await c.convertToBlob({type: 'image/jpeg', quality: 0.7});
		return new File([b], 'huge.jpg', {type: 'image/jpeg'}); })()`
	js[bool](t, ctx, dropJS(huge))
	waitFor(t, ctx, "10000x10000 photo", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.name === 'huge.jpg' && r.dataset.state === 'done')`, 90*time.Second)
	if size := js[string](t, ctx, `document.querySelector('[data-testid=result][data-name="huge.jpg"]').dataset.size`); size != "2048x2048" {
		t.Errorf("a 10000x10000 photo reached the worker as %s, want 2048x2048", size)
	}

	// A solid blue square: if the model is not sure, the card says the
	// photo may be none of the flowers it knows.
	blue := `(async () => { const c = new OffscreenCanvas(256, 256); const g = c.getContext('2d');
		g.fillStyle = '#2456d0'; g.fillRect(0, 0, 256, 256);
		return new File([await c.convertToBlob({type: 'image/png'})], 'blue.png', {type: 'image/png'}); })()`
	js[bool](t, ctx, dropJS(blue))
	waitFor(t, ctx, "blue square classified", `(document.querySelector('[data-testid=result][data-name="blue.png"]') || {dataset: {}}).dataset.state === 'done'`, 60*time.Second)
	note := js[string](t, ctx, `document.querySelector('[data-testid=result][data-name="blue.png"] [data-testid=verdict]').textContent`)
	notSure := js[bool](t, ctx, `document.querySelector('[data-testid=result][data-name="blue.png"] [data-testid=verdict]').dataset.notsure === 'true'`)
	t.Logf("blue square: %q", note)
	if notSure && !strings.Contains(note, "may not be any of the 5 flowers it knows") || !notSure && !strings.Contains(note, "% sure") {
		t.Errorf("blue square (not sure: %v): the card says %q", notSure, note)
	}

	// 5. A bad weight file is refused and the current model stays.
	modelName := js[string](t, ctx, `document.querySelector('[data-testid=model-name]').textContent`)
	js[bool](t, ctx, dropJS(fileJS([]byte("ALXN this is not a real weight file"), "bad.alexnet", "")))
	waitFor(t, ctx, "bad model message", `document.querySelector('[data-testid=model-replace-error]')`, 30*time.Second)
	if !js[bool](t, ctx, statusIs+`'ready'`) {
		t.Error("a bad weight file took the model out of service")
	}
	if n := js[string](t, ctx, `document.querySelector('[data-testid=model-name]').textContent`); n != modelName {
		t.Errorf("model changed from %q to %q after a bad file", modelName, n)
	}
	shot(t, ctx, "05-bad-model-kept-current")

	// A valid weight file chosen in the model card replaces the model.
	mod, err := weights.Decode(mustRead(t, modelPath(t)))
	if err != nil {
		t.Fatal(err)
	}
	mod.Name = "my-own-flowers"
	own, err := weights.Encode(mod)
	if err != nil {
		t.Fatal(err)
	}
	ownPath := filepath.Join(t.TempDir(), "my-own.alexnet")
	if err := os.WriteFile(ownPath, own, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=model-input]`), []string{ownPath})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "own model in use", `(document.querySelector('[data-testid=model-name]') || {}).textContent === 'my-own-flowers'`, 60*time.Second)
	if !js[bool](t, ctx, statusIs+`'ready'`) {
		t.Error("not ready after loading a valid weight file")
	}

	// 6. Phone width.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 780), chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "ready at 360px", statusIs+`'ready'`, 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=file-input]`), paths[:2])); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "photos at 360px", `[...document.querySelectorAll('[data-testid=result]')].filter(r => r.dataset.state === 'done').length === 2`, 60*time.Second)
	if w := js[float64](t, ctx, `document.documentElement.scrollWidth`); w > 361 {
		t.Errorf("page is %v px wide at a 360 px viewport (horizontal scrolling)", w)
	}
	shot(t, ctx, "06-phone-360")
	checkPrivacy(t, nl, proxy.URL, s, dist)

	// 7. Offline: with the server gone, a reload still reaches ready (service
	// worker for the app, Cache API for the model).
	proxy.Close()
	s.Close()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "ready offline", statusIs+`'ready'`, 60*time.Second)
	if !js[bool](t, ctx, `document.querySelector('[data-testid=model-facts]').textContent.includes('offline cache')`) {
		t.Error("offline start did not say the model came from the cache")
	}
	shot(t, ctx, "07-offline-ready")
}

func TestBrowserWebcam(t *testing.T) {
	dist, s := servedApp(t)
	nat := loadNative(t)

	// A val photo the native classifier gets right with a clear margin, so
	// the camera's colour round trip (RGB -> YUV 4:2:0 -> RGB) cannot flip it.
	var pick photo
	var frame image.Image
	y4m := filepath.Join(t.TempDir(), "flower.y4m")
	for _, p := range valPhotos(t, 3) {
		fr, err := headless.WriteY4M(decodeFile(t, p.Path), y4m, 320, 240, 10)
		if err != nil {
			t.Fatal(err)
		}
		r := nat.classify(t, fr)
		if r.Top[0].Label == p.Class && len(r.Top) > 1 && r.Top[0].Prob-r.Top[1].Prob > 0.2 {
			pick, frame = p, fr
			break
		}
	}
	if frame == nil {
		t.Fatal("no val photo that the native classifier gets right by a margin of 0.2; is the model trained?")
	}
	t.Logf("fake camera shows %s (%s)", pick.Path, pick.Class)

	ctx := newBrowser(t, map[string]any{
		"use-fake-ui-for-media-stream":     true,
		"use-fake-device-for-media-stream": true,
		"use-file-for-fake-video-capture":  y4m,
	})
	nl := recordNetwork(t, ctx)
	start := time.Now()
	navigate(t, ctx, s.URL+"/")
	waitFor(t, ctx, "model ready", statusIs+`'ready'`, 90*time.Second)
	t.Logf("cold start (fresh profile) to ready: %s", time.Since(start).Round(time.Millisecond))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-start]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "live results", `document.querySelector('[data-testid=live-results] [data-testid=pred]')`, 60*time.Second)
	// Let it run for a few seconds, then read FPS and the top-1.
	time.Sleep(4 * time.Second)
	fps := js[float64](t, ctx, `+document.querySelector('[data-testid=fps]').dataset.fps`)
	top := js[string](t, ctx, `document.querySelector('[data-testid=live-results] [data-testid=pred]').dataset.label`)
	ms := js[string](t, ctx, `document.querySelector('[data-testid=camera-ms]').textContent`)
	shot(t, ctx, "08-webcam-live")
	t.Logf("webcam: %.1f FPS, %s per inference, top-1 %s", fps, ms, top)
	if fps <= 0 {
		t.Errorf("FPS %v, want > 0", fps)
	}
	if top != pick.Class {
		t.Errorf("webcam top-1 %s, want %s", top, pick.Class)
	}
	// The page stays responsive while frames are classified.
	if d := js[float64](t, ctx, `(async () => { const t0 = performance.now(); await new Promise(r => setTimeout(r, 0)); return performance.now() - t0; })()`); d > 200 {
		t.Errorf("the page's event loop stalled %v ms during live classification", d)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-stop]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "camera stopped", `document.querySelector('[data-testid=camera-start]') && !document.querySelector('[data-testid=live-results]') && !document.querySelector('[data-testid=camera-video]').srcObject`, 20*time.Second)
	shot(t, ctx, "09-webcam-stopped")
	checkPrivacy(t, nl, s.URL, s, dist)
}

func TestBrowserModelErrors(t *testing.T) {
	_, s := servedApp(t)
	ctx := newBrowser(t, nil)
	nl := recordNetwork(t, ctx)

	// A ?model= that does not download: an error with a retry button.
	navigate(t, ctx, s.URL+"/?model=/missing.alexnet")
	waitFor(t, ctx, "model error", statusIs+`'error'`, 60*time.Second)
	msg := js[string](t, ctx, `document.querySelector('[data-testid=model-error]').textContent`)
	if !strings.Contains(msg, "404") {
		t.Errorf("download error says %q, want the HTTP status", msg)
	}
	if !js[bool](t, ctx, `!!document.querySelector('[data-testid=retry-model]')`) {
		t.Fatal("no retry button")
	}
	shot(t, ctx, "11-model-download-error")
	// Retry asks again (and fails again: still an error, not a hang).
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=retry-model]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "error after retry", statusIs+`'error'`, 30*time.Second)

	// A ?model= on another origin is refused; the default model loads.
	navigate(t, ctx, s.URL+"/?model=https://example.com/evil.alexnet")
	waitFor(t, ctx, "default model despite a foreign ?model=", statusIs+`'ready'`, 60*time.Second)
	if n := js[string](t, ctx, `(document.querySelector('[data-testid=error]') || {}).textContent || ''`); !strings.Contains(n, "this site") {
		t.Errorf("no message about the refused ?model=, alert says %q", n)
	}

	// ?model= naming the shipped file by URL works like the default.
	m := js[string](t, ctx, `fetch('manifest.json').then(r => r.json()).then(m => m.model)`)
	navigate(t, ctx, s.URL+"/?model=/"+m)
	waitFor(t, ctx, "model from ?model=", statusIs+`'ready'`, 60*time.Second)
	shot(t, ctx, "12-model-from-url")
	for _, u := range nl.All() {
		if strings.HasPrefix(u, "https://example.com") {
			t.Errorf("the page fetched a foreign model: %s", u)
		}
	}
}

func TestBrowserCameraDenied(t *testing.T) {
	_, s := servedApp(t)
	ctx := newBrowser(t, map[string]any{"use-fake-device-for-media-stream": true})
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "camera"},
		Setting:    browser.PermissionSettingDenied,
		Origin:     s.URL,
	}); err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, s.URL+"/")
	waitFor(t, ctx, "page rendered", `document.querySelector('[data-testid=camera-start]')`, 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-start]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "denied message", `(document.querySelector('[data-testid=camera-error]') || {}).textContent && document.querySelector('[data-testid=camera-error]').textContent.includes('denied')`, 30*time.Second)
	// Pressing Start camera again visibly tries again.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-start]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "second denied message", `document.querySelector('[data-testid=camera-error]').textContent.includes('tried 2 times')`, 30*time.Second)
	shot(t, ctx, "10-camera-denied")
	if !js[bool](t, ctx, `!!document.querySelector('[data-testid=camera-start]')`) {
		t.Error("after a denied camera the start button is gone")
	}
}

func TestBrowserNoCamera(t *testing.T) {
	_, s := servedApp(t)
	// Permission granted, but the machine has no camera and no fake one.
	ctx := newBrowser(t, map[string]any{"use-fake-ui-for-media-stream": true})
	navigate(t, ctx, s.URL+"/")
	waitFor(t, ctx, "page rendered", `document.querySelector('[data-testid=camera-start]')`, 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-start]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "no-camera message", `(document.querySelector('[data-testid=camera-error]') || {}).textContent`, 30*time.Second)
	msg := js[string](t, ctx, `document.querySelector('[data-testid=camera-error]').textContent`)
	if !strings.Contains(msg, "No camera") {
		t.Errorf("missing camera says %q, want it to say no camera was found", msg)
	}
	shot(t, ctx, "13-no-camera")
}

func TestBrowserCameraChooser(t *testing.T) {
	_, s := servedApp(t)
	// Two of Chromium's generated fake cameras (a file allows only one).
	ctx := newBrowser(t, map[string]any{
		"use-fake-ui-for-media-stream":     true,
		"use-fake-device-for-media-stream": "device-count=2",
	})
	navigate(t, ctx, s.URL+"/")
	waitFor(t, ctx, "model ready", statusIs+`'ready'`, 90*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-start]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "camera chooser with two cameras", `document.querySelectorAll('[data-testid=camera-select] option').length === 2`, 30*time.Second)
	before := js[string](t, ctx, `document.querySelector('[data-testid=camera-select]').value`)
	js[bool](t, ctx, `(() => { const s = document.querySelector('[data-testid=camera-select]'); s.selectedIndex = 1 - s.selectedIndex; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	waitFor(t, ctx, "the other camera live", `document.querySelector('[data-testid=camera-video]').srcObject && document.querySelector('[data-testid=camera-video]').srcObject.getVideoTracks()[0].getSettings().deviceId !== '`+before+`' && document.querySelector('[data-testid=live-results] [data-testid=pred]')`, 30*time.Second)
	shot(t, ctx, "14-camera-chooser")
}

// appWorkerJS starts the app's worker binary in a Worker of its own, as the
// page does (compiled module, then the served model's bytes), and resolves to
// {w, call}: the worker and a function that posts a message and resolves to
// the answer with the same id (skipping Progress).
const appWorkerJS = `(async () => {
	const m = await (await fetch('manifest.json')).json();
	const w = new Worker('worker.js?exec=' + encodeURIComponent(m.wasmExec));
	const call = (msg, tr) => new Promise((res) => {
		const h = (e) => { if (e.data.id === msg.id && e.data.type !== 'progress') { w.removeEventListener('message', h); res(e.data); } };
		w.addEventListener('message', h);
		w.postMessage(msg, tr || []);
	});
	w.postMessage({type: 'module', module: await WebAssembly.compileStreaming(fetch(m.worker))});
	const mb = new Uint8Array(await (await fetch(m.model)).arrayBuffer());
	const l = await call({type: 'load', id: 1, bytes: mb}, [mb.buffer]);
	if (l.type !== 'loaded') throw new Error(l.message);
	return {w, call};
})()`

// tensorJS runs the app's worker binary in a Worker of its own (as the page
// does: compiled module, model bytes), sends it a file as the page sends a
// photo (the worker decodes it), and returns the worker's preprocessed
// input tensor as base64 little-endian float32.
const tensorJS = `(async (b64, type) => {
	const {w, call} = await ` + appWorkerJS + `;
	const s = atob(b64); const u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
	const r = await call({type: 'tensor', id: 2, image: new File([u], 'x', {type})});
	w.terminate();
	if (r.type !== 'tensor-data') throw new Error(r.message);
	const bytes = new Uint8Array(r.data.buffer); let bin = '';
	for (let i = 0; i < bytes.length; i += 8192) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
	return btoa(bin);
})`

// TestBrowserTensor checks that the worker in the browser makes the same
// input tensor as the native code: exactly (1e-5) for a PNG, which every
// decoder decodes alike, and within JPEG decoder differences for a JPEG.
func TestBrowserTensor(t *testing.T) {
	_, s := servedApp(t)
	nat := loadNative(t)
	p := nat.c.Model().Prep
	ctx := newBrowser(t, nil)
	navigate(t, ctx, s.URL+"/")
	photo := valPhotos(t, 1)[0].Path
	jpg := mustRead(t, photo)
	img := decodeFile(t, photo)
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, typ    string
		data         []byte
		maxTol, mean float64
	}{
		{"png", "image/png", pngBuf.Bytes(), 1e-5, 1e-6},
		{"jpeg", "image/jpeg", jpg, 0.2, 0.01}, // measured: max 0.035, mean 0.0024
	} {
		b64 := js[string](t, ctx, tensorJS+fmt.Sprintf("(%q, %q)", base64.StdEncoding.EncodeToString(tc.data), tc.typ))
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float32, len(raw)/4)
		for i := range got {
			got[i] = math.Float32frombits(uint32(raw[4*i]) | uint32(raw[4*i+1])<<8 | uint32(raw[4*i+2])<<16 | uint32(raw[4*i+3])<<24)
		}
		want, err := prep.Tensor(img, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: browser tensor has %d values, native %d", tc.name, len(got), len(want))
		}
		var worst, sum float64
		for i := range got {
			d := math.Abs(float64(got[i] - want[i]))
			sum += d
			worst = math.Max(worst, d)
		}
		mean := sum / float64(len(got))
		t.Logf("%s: browser vs native input tensor: max |diff| %.2g, mean %.2g (%d values)", tc.name, worst, mean, len(got))
		if worst > tc.maxTol || mean > tc.mean {
			t.Errorf("%s: tensors differ: max %.3g (tolerance %.g), mean %.3g (tolerance %.g)", tc.name, worst, tc.maxTol, mean, tc.mean)
		}
	}
}

// splitJS starts the app's worker (appWorkerJS), classifies the same RGBA frame until the worker says the pass was split
// with its helper (the page is cross-origin isolated), and returns that
// answer: {workers, probs by label, tries}.
const splitJS = `(async (b64, w, h) => {
	if (!self.crossOriginIsolated) throw new Error('the page is not cross-origin isolated');
	const {w: wk, call} = await ` + appWorkerJS + `;
	const s = atob(b64); const px = new Uint8ClampedArray(s.length); for (let i = 0; i < s.length; i++) px[i] = s.charCodeAt(i);
	let r = null;
	for (let i = 0; i < 100; i++) {
		r = await call({type: 'classify', id: 2 + i, image: new ImageData(px.slice(), w, h)});
		if (r.type !== 'result') throw new Error(r.type + ': ' + r.message);
		if (r.workers === 2) { r.tries = i + 1; break; }
		await new Promise((res) => setTimeout(res, 50));
	}
	wk.terminate();
	const probs = {};
	for (const p of r.top) probs[p.label] = p.prob;
	return {workers: r.workers, probs, tries: r.tries || 0};
})`

// TestBrowserSplit checks that on the served (cross-origin isolated) page
// the worker splits each pass with a helper worker, and that the split
// pass gives the native classifier's probabilities for the same pixels.
func TestBrowserSplit(t *testing.T) {
	_, s := servedApp(t)
	nat := loadNative(t)
	ctx := newBrowser(t, nil)
	navigate(t, ctx, s.URL+"/")
	for _, ph := range valPhotos(t, 1)[:2] {
		src := decodeFile(t, ph.Path)
		img := image.NewRGBA(image.Rect(0, 0, 240, 200))
		draw.ApproxBiLinear.Scale(img, img.Bounds(), src, src.Bounds(), draw.Src, nil)
		want, err := nat.c.Classify(img, 0)
		if err != nil {
			t.Fatal(err)
		}
		type answer struct {
			Workers int                `json:"workers"`
			Probs   map[string]float64 `json:"probs"`
			Tries   int                `json:"tries"`
		}
		got := js[answer](t, ctx, splitJS+fmt.Sprintf("(%q, 240, 200)", base64.StdEncoding.EncodeToString(img.Pix)))
		if got.Workers != 2 {
			t.Fatalf("%s: the worker never split a pass (workers %d)", ph.Path, got.Workers)
		}
		worst := 0.0
		for _, p := range want.Top {
			worst = math.Max(worst, math.Abs(got.Probs[p.Label]-float64(p.Prob)))
		}
		t.Logf("%s: split after %d tries; largest prob diff from native %.2g", filepath.Base(ph.Path), got.Tries, worst)
		// Same pixels, same preprocessing: only float rounding differs
		// (SIMD wasm kernels against native ones).
		if worst > 1e-3 || len(got.Probs) != len(want.Top) {
			t.Errorf("%s: split probs %v, native %v", ph.Path, got.Probs, want.Top)
		}
	}
}
