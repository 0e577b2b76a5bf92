package e2e

// Browser tests of the page as a new user meets it (issue 14): the model
// panel, the messages, the order of things and their size. Same harness as
// browser_test.go, which also checks the live region (TestBrowserApp, during
// its slowed download) and a repeated camera denial (TestBrowserCameraDenied).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"alexnet/weights"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// uxOpen opens the app at width x height and waits until the model is ready.
func uxOpen(t *testing.T, ctx context.Context, url string, width, height int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "model ready", statusIs+`'ready'`, 90*time.Second)
}

func click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

func upload(t *testing.T, ctx context.Context, sel string, paths ...string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(sel), paths)); err != nil {
		t.Fatal(err)
	}
}

// doneCount is JS for the number of finished (done or failed) result cards.
const doneCount = `[...document.querySelectorAll('[data-testid=result]')].filter(r => r.dataset.state === 'done' || r.dataset.state === 'error').length`

// visibleCount is JS counting how often s is on screen (innerText skips
// hidden elements and closed <details>; the visually hidden live region,
// for screen readers, is left out).
func visibleCount(s string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('.app > :not(.visually-hidden)')].map(e => e.innerText).join('\n').split(%q).length - 1`, s)
}

const ownOpen = `document.querySelector('[data-testid=own-model]').open`

// TestUXModelPanel: "Use your own model" stays open across a result, live
// camera updates and a bad file; a file that is not a weight file says so
// plainly (detail behind Details), once, next to the chooser, with focus
// moved there; a per-photo error shows on its card only; a good file says
// "Now using ..." and marks the earlier cards, which can be run again;
// Capture puts the live frame into the results.
func TestUXModelPanel(t *testing.T) {
	dist := builtApp(t)
	s := startServer(t, dist)
	ctx := newBrowser(t, map[string]any{
		"use-fake-ui-for-media-stream":     true,
		"use-fake-device-for-media-stream": true,
	})
	uxOpen(t, ctx, s.URL+"/", 1280, 900)
	oldName := js[string](t, ctx, `document.querySelector('[data-testid=model-name]').textContent`)

	click(t, ctx, `[data-testid=own-model] summary`)
	waitFor(t, ctx, "own-model panel open", ownOpen, 5*time.Second)
	upload(t, ctx, `[data-testid=file-input]`, valPhotos(t, 1)[0].Path)
	waitFor(t, ctx, "a result", doneCount+` === 1`, 60*time.Second)
	if !js[bool](t, ctx, ownOpen) {
		t.Error("the own-model panel closed when a result arrived")
	}

	click(t, ctx, `[data-testid=camera-start]`)
	waitFor(t, ctx, "live results", `document.querySelector('[data-testid=live-results] [data-testid=pred]')`, 60*time.Second)
	time.Sleep(2 * time.Second) // about 20 live renders
	if !js[bool](t, ctx, ownOpen) {
		t.Error("the own-model panel closed during live camera updates")
	}
	click(t, ctx, `[data-testid=camera-capture]`)
	waitFor(t, ctx, "captured frame classified", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.via === 'camera' && r.dataset.state === 'done' && r.dataset.name.startsWith('camera-'))`, 60*time.Second)
	click(t, ctx, `[data-testid=camera-stop]`)

	// Files that are not weight files: one without the magic, and the
	// 35-byte text that starts with it (a version field of 1768453152).
	for _, bad := range []struct{ name, text, detail string }{
		{"notes.alexnet", "Shopping list: tulips, roses, soil.", "bad magic"},
		{"bad.alexnet", "ALXN this is not a real weight file", "version field is 1768453152"},
	} {
		js[bool](t, ctx, dropJS(fileJS([]byte(bad.text), bad.name, "")))
		waitFor(t, ctx, bad.name+" refused", `(document.querySelector('[data-testid=model-replace-error]') || {textContent: ''}).textContent.includes('`+bad.name+`')`, 30*time.Second)
		msg := js[string](t, ctx, `document.querySelector('[data-testid=model-replace-text]').textContent`)
		if msg != "This is not an AlexNet weight file." {
			t.Errorf("%s: says %q, want that it is not an AlexNet weight file", bad.name, msg)
		}
		if n := js[int](t, ctx, visibleCount("not an AlexNet weight file")); n != 1 {
			t.Errorf("%s: the message is on screen %d times, want once", bad.name, n)
		}
		if js[bool](t, ctx, `!!document.querySelector('[data-testid=error]')`) {
			t.Errorf("%s: a banner repeats the model-file error", bad.name)
		}
		if f := js[string](t, ctx, `document.activeElement.dataset.testid || document.activeElement.tagName`); f != "model-replace-error" {
			t.Errorf("%s: focus is on %s, want the model-file error", bad.name, f)
		}
		if !js[bool](t, ctx, ownOpen) {
			t.Errorf("%s: the own-model panel is closed after a bad file", bad.name)
		}
		if js[bool](t, ctx, `document.querySelector('[data-testid=model-error-detail]').open`) {
			t.Errorf("%s: the technical detail is shown before Details is opened", bad.name)
		}
		click(t, ctx, `[data-testid=model-error-detail] summary`)
		waitFor(t, ctx, "details open", `document.querySelector('[data-testid=model-error-detail]').open`, 5*time.Second)
		if d := js[string](t, ctx, `document.querySelector('[data-testid=model-error-detail]').innerText`); !strings.Contains(d, bad.detail) {
			t.Errorf("%s: details say %q, want %q", bad.name, d, bad.detail)
		}
	}
	shot(t, ctx, "ux-bad-model-file")

	// A photo that cannot be opened: its card says so, nothing else does.
	js[bool](t, ctx, dropJS(fileJS([]byte("just some notes\n"), "notes.txt", "text/plain")))
	waitFor(t, ctx, "text file refused", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.name === 'notes.txt' && r.dataset.state === 'error')`, 30*time.Second)
	cardErr := js[string](t, ctx, `document.querySelector('[data-testid=result][data-name="notes.txt"] [data-testid=result-error]').textContent`)
	if n := js[int](t, ctx, visibleCount(cardErr)); n != 1 || js[bool](t, ctx, `!!document.querySelector('[data-testid=error]')`) {
		t.Errorf("the photo error %q is on screen %d times (banner: %v), want once, on its card", cardErr, n, js[bool](t, ctx, `!!document.querySelector('[data-testid=error]')`))
	}

	// A good file: the swap is said, the bad-file error goes, the earlier
	// cards are marked with the model that made them.
	upload(t, ctx, `[data-testid=model-input]`, renamedModel(t, "my-garden-flowers"))
	waitFor(t, ctx, "own model in use", `(document.querySelector('[data-testid=model-name]') || {}).textContent === 'my-garden-flowers'`, 60*time.Second)
	if got, want := js[string](t, ctx, `(document.querySelector('[data-testid=model-swapped]') || {}).textContent`), fmt.Sprintf("Now using my-garden-flowers (%d classes)", len(loadNative(t).c.Model().Labels)); got != want {
		t.Errorf("after a swap the page says %q, want %q", got, want)
	}
	if js[bool](t, ctx, `!!document.querySelector('[data-testid=model-replace-error]')`) {
		t.Error("the bad file's error is still shown after a good file")
	}
	if said := js[string](t, ctx, `document.querySelector('[data-testid=announcer]').textContent`); !strings.HasPrefix(said, "Now using my-garden-flowers") {
		t.Errorf("the swap was not announced: the live region says %q", said)
	}
	if l := js[string](t, ctx, `document.querySelector('[data-testid=model-load]').textContent`); strings.Contains(l, "after opening") {
		t.Errorf("load time %q is the first model's figure", l)
	}
	marks := js[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=result][data-state=done]')].map(r => (r.querySelector('[data-testid=made-with]') || {textContent: 'unmarked'}).textContent.trim())`)
	if len(marks) != 2 {
		t.Fatalf("%d done cards, want 2 (photo and capture)", len(marks))
	}
	for _, m := range marks {
		if !strings.HasPrefix(m, "Made with "+oldName+".") {
			t.Errorf("an earlier card is marked %q, want %q", m, "Made with "+oldName+".")
		}
	}
	shot(t, ctx, "ux-model-swapped")
	click(t, ctx, `[data-testid=result][data-state=done] [data-testid=rerun]`)
	waitFor(t, ctx, "a card run again with the new model", `[...document.querySelectorAll('[data-testid=result]')].some(r => r.dataset.model === 'my-garden-flowers' && r.dataset.state === 'done' && !r.querySelector('[data-testid=made-with]'))`, 60*time.Second)
}

// liveRecorder, run before the page's scripts, records every text that
// appears in a live region (aria-live, or role status, alert or log) in
// window.uxSaid, as a screen reader would hear them.
const liveRecorder = `window.uxSaid = [];
(() => {
	const last = new WeakMap();
	const check = () => {
		for (const el of document.querySelectorAll('[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]')) {
			const t = el.textContent.trim();
			if (t && last.get(el) !== t) { last.set(el, t); window.uxSaid.push(t); }
		}
	};
	new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
})();`

// tabStops presses Tab until focus comes back round and returns, for each
// stop, where it is: its band (a child of .app), its region (a child of
// the .layout grid, or the band) and boxes. A visually hidden file input is
// placed where its label is.
const tabStop = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return null;
	const seen = e.closest('label') && e.classList.contains('visually-hidden') ? e.closest('label') : e;
	let band = e; while (band.parentElement && !band.parentElement.matches('.app')) band = band.parentElement;
	let region = e; while (region.parentElement && !region.parentElement.matches('.grid, .app')) region = region.parentElement;
	const r = seen.getBoundingClientRect(), g = region.getBoundingClientRect();
	return {id: (e.dataset.testid || e.tagName) + ':' + (e.textContent || '').trim().slice(0, 30),
		band: [...document.querySelector('.app').children].indexOf(band), region: region.className,
		rl: Math.round(g.left), rt: Math.round(g.top + scrollY), l: r.left, t: r.top + scrollY, r: r.right, b: r.bottom + scrollY};
})()`

type stop struct {
	ID         string
	Band       int
	Region     string
	RL, RT     float64
	L, T, R, B float64
}

// before reports whether b comes before a in reading order as seen: bands
// top to bottom; in the grid, columns left to right, each top to bottom;
// within a region, lines top to bottom, each left to right.
func before(b, a stop) bool {
	if b.Band != a.Band {
		return b.Band < a.Band
	}
	if b.Region != a.Region {
		if b.RL != a.RL {
			return b.RL < a.RL
		}
		return b.RT < a.RT
	}
	if b.B <= a.T+1 {
		return true
	}
	overlap := !(b.B <= a.T || b.T >= a.B)
	return overlap && b.R <= a.L+1
}

func tabOrder(t *testing.T, ctx context.Context) []stop {
	t.Helper()
	// Focus the body, so the first Tab goes to the first control of the page.
	js[bool](t, ctx, `(document.body.tabIndex = -1, document.body.focus(), document.body.removeAttribute('tabindex'), window.scrollTo(0, 0), true)`)
	var stops []stop
	seen := map[string]bool{}
	for range 60 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		s := js[*stop](t, ctx, tabStop)
		if s == nil || seen[s.ID] {
			break
		}
		seen[s.ID] = true
		stops = append(stops, *s)
	}
	return stops
}

// overlaps lists pairs of visible text lines or controls whose boxes
// intersect (neither inside the other), as clipped by overflow.
const overlaps = `(() => {
	const boxes = [];
	const clip = (e, r) => {
		let [x1, y1, x2, y2] = [r.left, r.top, r.right, r.bottom];
		for (let a = e; a; a = a.parentElement) {
			const cs = getComputedStyle(a);
			if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
				const q = a.getBoundingClientRect();
				x1 = Math.max(x1, q.left); y1 = Math.max(y1, q.top); x2 = Math.min(x2, q.right); y2 = Math.min(y2, q.bottom);
			}
		}
		return [x1, y1, x2, y2];
	};
	for (const e of document.querySelectorAll('.app *')) {
		if (e.closest('.visually-hidden, svg, .drop-overlay') || !e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
		if (e.matches('button, select, progress, img, label.btn, .chip')) boxes.push({e, b: clip(e, e.getBoundingClientRect())});
		for (const n of e.childNodes) {
			if (n.nodeType !== 3 || !n.textContent.trim()) continue;
			const rg = document.createRange(); rg.selectNodeContents(n);
			for (const r of rg.getClientRects()) boxes.push({e, b: clip(e, r)});
		}
	}
	const out = [];
	for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
		const A = boxes[i], B = boxes[j];
		if (A.e === B.e || A.e.contains(B.e) || B.e.contains(A.e)) continue;
		const w = Math.min(A.b[2], B.b[2]) - Math.max(A.b[0], B.b[0]), h = Math.min(A.b[3], B.b[3]) - Math.max(A.b[1], B.b[1]);
		if (w > 1 && h > 1) out.push(A.e.className + ' "' + A.e.textContent.trim().slice(0, 25) + '" / ' + B.e.className + ' "' + B.e.textContent.trim().slice(0, 25) + '"');
	}
	return [...new Set(out)];
})()`

// axeInstall installs the pinned axe-core (e2e/testdata/axe) with npm into
// a temporary folder and returns its source.
func axeInstall(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json"} {
		if err := os.WriteFile(filepath.Join(dir, f), mustRead(t, filepath.Join("testdata", "axe", f)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci (axe-core): %v\n%s", err, out)
	}
	return string(mustRead(t, filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")))
}

func axeViolations(t *testing.T, ctx context.Context, src string) []string {
	t.Helper()
	return js[[]string](t, ctx, `(async () => { if (!window.axe) { `+src+` }
		const r = await axe.run(document, {resultTypes: ['violations']});
		return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 4).join(', ')); })()`)
}

// TestUXLayout, at 1280 and 360 px wide with two results, the model's
// technical details open and a refused weight file shown: tab order and
// reading order follow what is seen, axe-core finds nothing (light and
// dark), nothing overlaps at 200% text, and on a phone the copy is for
// touch, the camera is near the top and older cards are one row.
func TestUXLayout(t *testing.T) {
	dist := builtApp(t)
	s := startServer(t, dist)
	axe := axeInstall(t)
	ctx := newBrowser(t, nil)
	photos := valPhotos(t, 1)[:2]
	for _, vp := range []struct{ w, h int64 }{{1280, 900}, {360, 740}} {
		name := fmt.Sprintf("ux-%d", vp.w)
		uxOpen(t, ctx, s.URL+"/", vp.w, vp.h)
		upload(t, ctx, `[data-testid=file-input]`, photos[0].Path, photos[1].Path)
		waitFor(t, ctx, "two results", doneCount+` === 2`, 60*time.Second)
		if top := js[float64](t, ctx, `document.querySelector('[data-testid=result]').getBoundingClientRect().top`); top < 0 || top > float64(vp.h)-50 {
			t.Errorf("%d px: the new result is at y=%.0f of the window, out of view", vp.w, top)
		}
		click(t, ctx, `[data-testid=tech-details] summary`)
		waitFor(t, ctx, "technical details open", `document.querySelector('[data-testid=tech-details]').open`, 5*time.Second)
		// A refused weight file, so its message and Details are checked too.
		js[bool](t, ctx, dropJS(fileJS([]byte("Shopping list: tulips, roses, soil."), "notes.alexnet", "")))
		waitFor(t, ctx, "model-file error", `document.querySelector('[data-testid=model-error-detail]')`, 30*time.Second)
		click(t, ctx, `[data-testid=model-error-detail] summary`)
		waitFor(t, ctx, "details open", `document.querySelector('[data-testid=model-error-detail]').open`, 5*time.Second)
		shot(t, ctx, name)

		stops := tabOrder(t, ctx)
		var ids []string
		for _, s := range stops {
			ids = append(ids, s.ID)
		}
		t.Logf("%d px: tab order %q", vp.w, ids)
		if len(stops) < 6 {
			t.Errorf("%d px: only %d tab stops", vp.w, len(stops))
		}
		for i := 1; i < len(stops); i++ {
			if before(stops[i], stops[i-1]) {
				t.Errorf("%d px: Tab goes from %s to %s, which is before it on screen", vp.w, stops[i-1].ID, stops[i].ID)
			}
		}
		// Reading order: the grid's regions in page order are in visual order.
		regions := js[[]stop](t, ctx, `[...document.querySelector('.grid').children].map(e => { const r = e.getBoundingClientRect();
			return {ID: e.className, Band: 0, Region: e.className, RL: Math.round(r.left), RT: Math.round(r.top + scrollY)}; })`)
		for i := 1; i < len(regions); i++ {
			if before(regions[i], regions[i-1]) {
				t.Errorf("%d px: %s comes after %s in the page but before it on screen", vp.w, regions[i].ID, regions[i-1].ID)
			}
		}

		for _, scheme := range []string{"light", "dark"} {
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond) // the drop zone's background transition
			if v := axeViolations(t, ctx, axe); len(v) > 0 {
				t.Errorf("%d px, %s: axe-core violations:\n%s", vp.w, scheme, strings.Join(v, "\n"))
			}
		}
		shot(t, ctx, name+"-dark")
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}

		if vp.w == 360 {
			text := js[string](t, ctx, `document.body.innerText`)
			for _, w := range []string{"Drop", "Ctrl+V"} {
				if strings.Contains(text, w) {
					t.Errorf("360 px: the page says %q", w)
				}
			}
			if !strings.Contains(text, "Take or choose a photo") {
				t.Error("360 px: no \"Take or choose a photo\"")
			}
			if y := js[float64](t, ctx, `document.querySelector('[data-testid=camera-start]').getBoundingClientRect().bottom + scrollY`); y > float64(vp.h) {
				t.Errorf("360 px: Start camera is at y=%.0f, below the first screen (%d)", y, vp.h)
			}
			if h := js[float64](t, ctx, `document.querySelectorAll('[data-testid=result]')[1].getBoundingClientRect().height`); h > 100 {
				t.Errorf("360 px: an older result card is %.0f px tall, want one compact row", h)
			}
		}

		js[bool](t, ctx, `(document.documentElement.style.fontSize = '200%', true)`)
		time.Sleep(300 * time.Millisecond)
		if o := js[[]string](t, ctx, overlaps); len(o) > 0 {
			t.Errorf("%d px at 200%% text: overlapping boxes:\n%s", vp.w, strings.Join(o, "\n"))
		}
		if w := js[float64](t, ctx, `document.documentElement.scrollWidth`); w > float64(vp.w)+1 {
			wide := js[[]string](t, ctx, `[...document.querySelectorAll('.app *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 1)).slice(0, 5).map(e => e.className + ' "' + e.textContent.trim().slice(0, 25) + '" ' + Math.round(e.getBoundingClientRect().right))`)
			t.Errorf("%d px at 200%% text: the page is %.0f px wide: %q", vp.w, w, wide)
		}
		shot(t, ctx, name+"-200pct")
	}
}

// renamedModel writes the default weight file under another model name
// and returns its path: a good file of the user's own to choose.
func renamedModel(t *testing.T, name string) string {
	t.Helper()
	mod, err := weights.Decode(mustRead(t, modelPath(t)))
	if err != nil {
		t.Fatal(err)
	}
	mod.Name = name
	own, err := weights.Encode(mod)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".alexnet")
	if err := os.WriteFile(path, own, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
