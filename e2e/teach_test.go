package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"alexnet/classifier"
	"alexnet/internal/headless"
	"alexnet/internal/shared"
)

// The Teach view (issue 11) in real Chromium.

// novelPhotos is the first n photos (sorted names) of a class of
// oxford17_novel, species the shipped model never saw.
func novelPhotos(t *testing.T, class string, n int) []string {
	t.Helper()
	dir, err := shared.Path("data", "oxford17_novel", class)
	if err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil || len(names) < n {
		t.Fatalf("%s: %d photos (%v), want %d", dir, len(names), err, n)
	}
	sort.Strings(names)
	return names[:n]
}

// teachBrowser starts Chromium with home as its profile's folder, so
// browsers started one after the other share IndexedDB; extra flags as
// newBrowser's. It returns the browser's context and a function that
// closes it (also run at cleanup).
func teachBrowser(t *testing.T, home string, flags map[string]any) (context.Context, func()) {
	t.Helper()
	bctx, stop, err := headless.Start(context.Background(), home, flags)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bctx, 4*time.Minute)
	closed := false
	end := func() {
		if !closed {
			closed = true
			cancel()
			stop()
		}
	}
	t.Cleanup(end)
	return ctx, end
}

// teachOpen opens the Teach view once the model is ready.
func teachOpen(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, "model ready", statusIs+`'ready'`, 90*time.Second)
	if js[bool](t, ctx, `!document.querySelector('#teach-body')`) {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=teach-toggle]`))); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, ctx, "teach view open", `document.querySelectorAll('[data-testid=teach-class]').length >= 2`, 20*time.Second)
}

// classSel is the CSS selector of the i-th class (1-based).
func classSel(i int) string {
	return fmt.Sprintf(`[data-testid=teach-class]:nth-child(%d)`, i)
}

// renameClass types a name into the i-th class's name field and leaves it.
func renameClass(t *testing.T, ctx context.Context, i int, name string) {
	t.Helper()
	sel := classSel(i) + ` [data-testid=teach-name]`
	js[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.select(); return true; })()`, sel))
	if err := chromedp.Do(ctx, chromedp.KeyEvent(name), chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "class renamed "+name, fmt.Sprintf(`document.querySelector(%q).dataset.name === %q`, classSel(i), name), 10*time.Second)
}

// waitTrue polls an expression that may be a promise until it gives true.
func waitTrue(t *testing.T, ctx context.Context, what, expr string, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(100 * time.Millisecond) {
		if v, err := headless.Eval[bool](ctx, expr); err == nil && v {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
	}
}

// key sends a key's down or up event to the focused element.
func key(t *testing.T, ctx context.Context, typ input.DispatchKeyEventType, k, code string, vk int64) {
	t.Helper()
	if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: k, Code: code, WindowsVirtualKeyCode: vk}); err != nil {
		t.Fatal(err)
	}
}

// count is the number of examples of the i-th class.
func count(t *testing.T, ctx context.Context, i int) int {
	return js[int](t, ctx, fmt.Sprintf(`+document.querySelector(%q).dataset.count`, classSel(i)))
}

// storedExamples counts the examples kept in IndexedDB.
const storedExamples = `new Promise(res => { const r = indexedDB.open('flowerscope-teach'); r.onsuccess = () => {
	const q = r.result.transaction('examples').objectStore('examples').count(); q.onsuccess = () => { res(q.result); r.result.close(); }; }; })`

// liveTop is the live camera's top-1 label and probability.
const liveTop = `(() => { const p = document.querySelector('[data-testid=live-results] [data-testid=pred]'); return p ? {label: p.dataset.label, prob: +p.dataset.prob} : null; })()`

// TestTeachCamera teaches two classes by holding a class's capture button
// with the fake camera showing one photo per browser launch (Chromium
// takes one fake-capture file per launch; the launches share a profile, so
// this also checks what IndexedDB keeps): class "alpha" with the mouse in
// launch 1, class "beta" with Space held in launch 2, then trains there;
// launch 3 shows alpha's photo again and finds the taught model restored.
// The downloaded file, run natively, agrees with the page's live results.
func TestTeachCamera(t *testing.T) {
	_, s := servedApp(t)
	home := t.TempDir()
	photoA := novelPhotos(t, "daffodil", 1)[0]
	photoB := novelPhotos(t, "bluebell", 1)[0]
	frames := map[string]*image.RGBA{}
	y4m := map[string]string{}
	for name, p := range map[string]string{"alpha": photoA, "beta": photoB} {
		y4m[name] = filepath.Join(t.TempDir(), name+".y4m")
		fr, err := headless.WriteY4M(decodeFile(t, p), y4m[name], 320, 240, 10)
		if err != nil {
			t.Fatal(err)
		}
		frames[name] = fr
	}
	camera := func(name string) map[string]any {
		return map[string]any{
			"use-fake-ui-for-media-stream":     true,
			"use-fake-device-for-media-stream": true,
			"use-file-for-fake-video-capture":  y4m[name],
		}
	}
	const perClass = 8

	// Launch 1: name the classes, hold alpha's button with the mouse.
	ctx, end := teachBrowser(t, home, camera("alpha"))
	navigate(t, ctx, s.URL+"/")
	teachOpen(t, ctx)
	renameClass(t, ctx, 1, "alpha")
	renameClass(t, ctx, 2, "beta")
	hold := classSel(1) + ` [data-testid=teach-hold]`
	box := js[[]float64](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); return [r.x + r.width/2, r.y + r.height/2]; })()`, hold))
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, box[0], box[1], chromedp.ButtonLeft, chromedp.ClickCount(1))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "alpha frames captured", fmt.Sprintf(`+document.querySelector(%q).dataset.count >= %d`, classSel(1), perClass), 60*time.Second)
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, box[0], box[1], chromedp.ButtonLeft, chromedp.ClickCount(1))); err != nil {
		t.Fatal(err)
	}
	held := time.Since(start)
	time.Sleep(300 * time.Millisecond)
	nA := count(t, ctx, 1)
	t.Logf("alpha: %d frames in %s held (camera start included); last embedding in the worker: %s ms", nA, held.Round(time.Millisecond),
		js[string](t, ctx, `document.querySelector('[data-testid=teach]').dataset.embedMs`))
	if say := js[string](t, ctx, `document.querySelector('[data-testid=teach-say]').textContent`); !strings.Contains(say, "alpha") {
		t.Errorf("after the hold the live region says %q, want the count for alpha", say)
	}
	time.Sleep(time.Second)
	if c := count(t, ctx, 1); c != nA {
		t.Errorf("frames still added after the release: %d, then %d", nA, c)
	}
	waitTrue(t, ctx, "examples stored", fmt.Sprintf(`(%s).then(n => n === %d)`, storedExamples, nA), 20*time.Second)
	shot(t, ctx, "teach-01-alpha-captured")
	end()

	// Launch 2: the examples are back; hold beta's button with Space; train.
	ctx, end = teachBrowser(t, home, camera("beta"))
	navigate(t, ctx, s.URL+"/")
	teachOpen(t, ctx)
	if n, name := count(t, ctx, 1), js[string](t, ctx, `document.querySelector('`+classSel(1)+`').dataset.name`); n != nA || name != "alpha" {
		t.Fatalf("after a new launch the first class is %q with %d examples, want alpha with %d", name, n, nA)
	}
	js[bool](t, ctx, `(() => { const e = document.querySelector('`+classSel(2)+` [data-testid=teach-hold]'); e.scrollIntoView({block: 'center'}); e.focus(); return true; })()`)
	key(t, ctx, input.DispatchKeyEventTypeKeyDown, " ", "Space", 32)
	waitFor(t, ctx, "beta frames captured", fmt.Sprintf(`+document.querySelector(%q).dataset.count >= %d`, classSel(2), perClass), 60*time.Second)
	key(t, ctx, input.DispatchKeyEventTypeKeyUp, " ", "Space", 32)
	nB := count(t, ctx, 2)
	t.Logf("beta: %d frames (Space held)", nB)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=teach-train]`))); err != nil {
		t.Fatal(err)
	}
	trainStart := time.Now()
	waitFor(t, ctx, "trained", `document.querySelector('[data-testid=teach-accuracy]') && document.querySelector('[data-testid=teach]').dataset.using === 'taught'`, 120*time.Second)
	t.Logf("train click to report: %s; page says %q", time.Since(trainStart).Round(time.Millisecond),
		js[string](t, ctx, `document.querySelector('[data-testid=teach-accuracy]').textContent + ' ' + document.querySelector('.teach-report .small').textContent`))
	waitFor(t, ctx, "live result beta", liveTop+` && `+liveTop+`.label === 'beta'`, 30*time.Second)
	shot(t, ctx, "teach-02-trained-beta-live")
	liveB := js[livePred](t, ctx, liveTop)

	// Download the model and run it natively on the camera's frames.
	dl := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dl}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=teach-download]`))); err != nil {
		t.Fatal(err)
	}
	var file string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && file == ""; time.Sleep(200 * time.Millisecond) {
		m, _ := filepath.Glob(filepath.Join(dl, "*.alexnet"))
		if len(m) == 1 {
			file = m[0]
		}
	}
	if file == "" {
		t.Fatal("no .alexnet file downloaded")
	}
	time.Sleep(500 * time.Millisecond) // the download's last bytes
	taught, err := classifier.Load(mustRead(t, file))
	if err != nil {
		t.Fatalf("downloaded %s: %v", file, err)
	}
	t.Logf("downloaded %s: %d bytes, labels %v", filepath.Base(file), len(mustRead(t, file)), taught.Model().Labels)
	nativeTop := func(name string) classifier.Pred {
		r, err := taught.Classify(frames[name], 2)
		if err != nil {
			t.Fatal(err)
		}
		return r.Top[0]
	}
	for _, name := range []string{"alpha", "beta"} {
		if p := nativeTop(name); p.Label != name {
			t.Errorf("the downloaded model, natively, calls %s's frame %s (%.3f)", name, p.Label, p.Prob)
		}
	}
	if p := nativeTop("beta"); liveB.Label != p.Label || abs(liveB.Prob-float64(p.Prob)) > ProbTol {
		t.Errorf("live result %s %.4f, native %s %.4f (tolerance %.2f)", liveB.Label, liveB.Prob, p.Label, p.Prob, ProbTol)
	} else {
		t.Logf("beta: live %.4f, native %.4f", liveB.Prob, p.Prob)
	}
	waitTrue(t, ctx, "model stored", `new Promise(res => { const r = indexedDB.open('flowerscope-teach'); r.onsuccess = () => {
		const q = r.result.transaction('state').objectStore('state').get('model'); q.onsuccess = () => { res(!!q.result); r.result.close(); }; }; })`, 20*time.Second)
	end()

	// Launch 3: alpha's photo again; the taught model is restored and in use.
	ctx, _ = teachBrowser(t, home, camera("alpha"))
	navigate(t, ctx, s.URL+"/")
	waitFor(t, ctx, "taught model restored", `document.querySelector('[data-testid=teach]') && document.querySelector('[data-testid=teach]').dataset.using === 'taught'`, 90*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-start]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "live result alpha", liveTop+` && `+liveTop+`.label === 'alpha'`, 60*time.Second)
	liveA := js[livePred](t, ctx, liveTop)
	if p := nativeTop("alpha"); abs(liveA.Prob-float64(p.Prob)) > ProbTol {
		t.Errorf("after a reload: live alpha %.4f, native %.4f (tolerance %.2f)", liveA.Prob, p.Prob, ProbTol)
	} else {
		t.Logf("alpha after a reload: live %.4f, native %.4f", liveA.Prob, p.Prob)
	}
	shot(t, ctx, "teach-03-restored-alpha-live")
	// One click back to the base model.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=teach-use-base]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "base model in use", `document.querySelector('[data-testid=teach]').dataset.using === 'base' && document.querySelector('[data-testid=model-name]').textContent.indexOf('taught') < 0`, 30*time.Second)
}

// livePred is the live camera's top-1.
type livePred struct {
	Label string  `json:"label"`
	Prob  float64 `json:"prob"`
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestTeachFolder teaches three classes of oxford17_novel from a folder
// given to the directory picker (sub-folders are the classes), shows the
// held-out accuracy, and checks the bad inputs: a corrupt photo among
// them, and training with an empty class.
func TestTeachFolder(t *testing.T) {
	_, s := servedApp(t)
	const perClass = 10
	dir := filepath.Join(t.TempDir(), "my-flowers")
	classes := []string{"daffodil", "pansy", "snowdrop"} // the view lists a folder's classes by name
	for _, c := range classes {
		if err := os.MkdirAll(filepath.Join(dir, c), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range novelPhotos(t, c, perClass) {
			if err := os.WriteFile(filepath.Join(dir, c, filepath.Base(p)), mustRead(t, p), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A corrupt photo among the good ones, and a loose file at the top.
	if err := os.WriteFile(filepath.Join(dir, "pansy", "broken.jpg"), []byte("not a jpeg at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("three species"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, nil)
	navigate(t, ctx, s.URL+"/")
	teachOpen(t, ctx)

	// Training with the two empty starting classes says why it cannot.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=teach-train]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "empty class refused", `(document.querySelector('[data-testid=teach-error]') || {}).textContent && document.querySelector('[data-testid=teach-error]').textContent.includes('no examples')`, 20*time.Second)

	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=teach-folder-input]`), []string{dir})); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitFor(t, ctx, "folder added", fmt.Sprintf(`document.querySelectorAll('[data-testid=teach-class]').length === 3 && [...document.querySelectorAll('[data-testid=teach-class]')].every(c => +c.dataset.count === %d) && document.querySelector('[data-testid=teach]').dataset.busy === ''`, perClass), 180*time.Second)
	addMs := time.Since(start)
	names := js[string](t, ctx, `[...document.querySelectorAll('[data-testid=teach-class]')].map(c => c.dataset.name).join(',')`)
	if names != strings.Join(classes, ",") {
		t.Errorf("classes %q, want %q", names, strings.Join(classes, ","))
	}
	if e := js[string](t, ctx, `(document.querySelector('[data-testid=teach-error]') || {}).textContent || ''`); !strings.Contains(e, "broken.jpg") {
		t.Errorf("the corrupt photo is not named: error %q", e)
	}
	t.Logf("%d photos added in %s (%.0f ms a photo, decoding and embedding in the worker)", 3*perClass, addMs.Round(time.Millisecond), float64(addMs.Milliseconds())/float64(3*perClass))
	shot(t, ctx, "teach-10-folder-added")
	// Every control of the open view has a name.
	unnamed := js[string](t, ctx, `[...document.querySelectorAll('[data-testid=teach] button, [data-testid=teach] input')].filter(e => {
		const name = (e.getAttribute('aria-label') || e.textContent || (e.closest('label') || {}).textContent || '').trim();
		return name === '';
	}).map(e => e.outerHTML.slice(0, 80)).join('\n')`)
	if unnamed != "" {
		t.Errorf("Teach controls without an accessible name:\n%s", unnamed)
	}

	// A photo dropped on a class, one pasted with the focus in another
	// class, that bad example removed: the page-wide drop and paste leave them alone
	// (no photo result, no overlay left).
	extra := novelPhotos(t, "daffodil", perClass+2)[perClass:]
	js[bool](t, ctx, `(async () => { const dt = new DataTransfer(); dt.items.add(`+filePayload(t, extra[0], "dropped.jpg", "image/jpeg")+`);
		const opts = {dataTransfer: dt, bubbles: true, cancelable: true};
		const c = document.querySelector('`+classSel(1)+`');
		c.dispatchEvent(new DragEvent('dragenter', opts)); c.dispatchEvent(new DragEvent('dragover', opts)); c.dispatchEvent(new DragEvent('drop', opts)); return true; })()`)
	waitFor(t, ctx, "dropped photo added", fmt.Sprintf(`+document.querySelector(%q).dataset.count === %d`, classSel(1), perClass+1), 30*time.Second)
	js[bool](t, ctx, `(() => { const n = document.querySelector('`+classSel(2)+` [data-testid=teach-name]'); n.focus(); const dt = new DataTransfer(); dt.items.add(`+filePayload(t, extra[1], "pasted.jpg", "image/jpeg")+`);
		n.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true})); return true; })()`)
	waitFor(t, ctx, "pasted photo added", fmt.Sprintf(`+document.querySelector(%q).dataset.count === %d`, classSel(2), perClass+1), 30*time.Second)
	// The pasted photo is a daffodil in the pansy class: the bad example to
	// remove (the newest, last thumbnail).
	js[bool](t, ctx, `(() => { [...document.querySelectorAll('`+classSel(2)+` [data-testid=teach-remove]')].pop().click(); return true; })()`)
	waitFor(t, ctx, "example removed", fmt.Sprintf(`+document.querySelector(%q).dataset.count === %d`, classSel(2), perClass), 10*time.Second)
	if n := js[int](t, ctx, `document.querySelectorAll('[data-testid=result]').length + document.querySelectorAll('[data-testid=drop-overlay]').length`); n != 0 {
		t.Errorf("the drop or paste on a class also reached the page: %d results or overlays", n)
	}
	waitTrue(t, ctx, "stored examples follow", fmt.Sprintf(`(%s).then(n => n === %d)`, storedExamples, 3*perClass+1), 20*time.Second)

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=teach-train]`))); err != nil {
		t.Fatal(err)
	}
	// The page stays responsive while the worker trains.
	waitFor(t, ctx, "training started", `document.querySelector('[data-testid=teach]').dataset.busy === 'Training'`, 20*time.Second)
	if d := js[float64](t, ctx, `(async () => { const t0 = performance.now(); await new Promise(r => setTimeout(r, 0)); return performance.now() - t0; })()`); d > 200 {
		t.Errorf("the page's event loop stalled %v ms during training", d)
	}
	waitFor(t, ctx, "trained", `document.querySelector('[data-testid=teach-accuracy]') && document.querySelector('[data-testid=teach]').dataset.using === 'taught'`, 120*time.Second)
	acc := js[string](t, ctx, `document.querySelector('[data-testid=teach-accuracy]').textContent`)
	rows := js[string](t, ctx, `[...document.querySelectorAll('[data-testid=teach-row]')].map(r => r.textContent).join(' | ')`)
	t.Logf("%s; %s; %s", acc, rows, js[string](t, ctx, `document.querySelector('.teach-report .small').textContent`))
	if !strings.Contains(acc, "Held-out accuracy:") || !strings.Contains(acc, "of 6 photos") {
		t.Errorf("accuracy line %q, want the held-out accuracy of 6 photos (2 of each class)", acc)
	}
	if !strings.Contains(rows, "of 2 \u201cdaffodil\u201d photos right") {
		t.Errorf("per-class rows %q, want plain words per class", rows)
	}
	var report struct {
		Say string `json:"say"`
	}
	if err := json.Unmarshal([]byte(js[string](t, ctx, `JSON.stringify({say: document.querySelector('[data-testid=teach-say]').textContent})`)), &report); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(report.Say, "Training done") {
		t.Errorf("live region %q, want training done announced", report.Say)
	}
	shot(t, ctx, "teach-11-trained-1280")
	// A photo classified by the taught model, in the usual results.
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=file-input]`), novelPhotos(t, "snowdrop", perClass+1)[perClass:])); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "photo classified", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.state === 'done')`, 60*time.Second)
	top := results(t, ctx)[0].Preds
	if len(top) != 3 {
		t.Errorf("taught model's result has %d classes, want 3", len(top))
	}
	t.Logf("an unseen snowdrop: %v", top)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	shot(t, ctx, "teach-12-trained-360")

	// Storage full: the page says so and keeps the example in memory.
	js[bool](t, ctx, `(() => { IDBObjectStore.prototype.put = function () { throw new DOMException('the quota is used up', 'QuotaExceededError'); }; return true; })()`)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(classSel(3)+` [data-testid=teach-files]`), novelPhotos(t, "snowdrop", perClass+2)[perClass+1:])); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "storage full said", `(document.querySelector('[data-testid=teach-error]') || {}).textContent && document.querySelector('[data-testid=teach-error]').textContent.includes('storage for the page is full')`, 30*time.Second)
	if n := count(t, ctx, 3); n != perClass+1 {
		t.Errorf("with storage full the class has %d examples, want %d (kept in memory)", n, perClass+1)
	}
	t.Logf("storage full: %q", js[string](t, ctx, `document.querySelector('[data-testid=teach-error]').textContent`))

	// Forget: storage and view emptied, the base model back.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=teach-forget]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "forgotten", `document.querySelector('[data-testid=teach]').dataset.using === 'base' && [...document.querySelectorAll('[data-testid=teach-class]')].every(c => c.dataset.count === '0')`, 30*time.Second)
	waitTrue(t, ctx, "storage emptied", `(`+storedExamples+`).then(n => n === 0)`, 20*time.Second)
}
