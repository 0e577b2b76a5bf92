package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"alexnet/explain"
	"alexnet/internal/headless"
	"alexnet/prep"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// explainJS runs the app's worker in a Worker of its own (appWorkerJS),
// sends it a file as the page sends a photo, and asks for the Grad-CAM map
// of the top class (-1) and of class other, for one layer's maps and for
// the filter grid. It returns the maps as base64 float32 and what the
// other answers say.
const explainJS = `(async (b64, other) => {
	const {w, call} = await ` + appWorkerJS + `;
	const s = atob(b64); const u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
	const file = new File([u], 'photo.png', {type: 'image/png'});
	const out = {maps: []};
	const enc = (f) => { const b = new Uint8Array(f.buffer); let bin = ''; for (let i = 0; i < b.length; i += 8192) bin += String.fromCharCode.apply(null, b.subarray(i, i + 8192)); return btoa(bin); };
	for (const [i, cls] of [-1, other].entries()) {
		const r = await call({type: 'explain', id: 2 + i, image: file, class: cls});
		if (r.type !== 'explanation') throw new Error(r.type + ': ' + r.message);
		out.maps.push({class: r.class, label: r.label, where: r.where, sentence: r.sentence, ms: r.ms, w: r.w, h: r.h,
			values: enc(r.values), heatmap: r.heatmap.type + ' ' + r.heatmap.size, input: r.input.type + ' ' + r.input.size});
	}
	const a = await call({type: 'activations', id: 5, image: file, layer: 'conv2'});
	if (a.type !== 'activation-maps') throw new Error(a.type + ': ' + a.message);
	out.act = {layer: a.layer, layers: a.layers.length, channels: a.channels, tiles: a.tiles.type, ms: a.ms};
	const bad = await call({type: 'activations', id: 6, image: file, layer: 'conv9'});
	out.bad = bad.type + ': ' + bad.message;
	const f = await call({type: 'filters', id: 7});
	if (f.type !== 'filter-grid') throw new Error(f.type + ': ' + f.message);
	out.filters = {shape: f.shape, w: f.w, h: f.h, image: f.image.type};
	w.terminate();
	return JSON.stringify(out);
})`

// MapTol is how far the page's Grad-CAM map may be from the CLI's (both
// in [0,1], the peak 1) on the same PNG: the pixels are identical (a PNG
// decodes alike everywhere; TestBrowserTensor), so only the float32
// rounding of the forward kernels differs (wasm vs amd64, scalar vs
// SIMD): explain's golden tests see up to 1.2e-5 against PyTorch.
const MapTol = 1e-4

// TestBrowserExplainParity checks that the worker's Grad-CAM map of a PNG
// equals package explain's (what `alexnet explain` draws) for the top
// class and another one, and that the other look-inside requests answer.
func TestBrowserExplainParity(t *testing.T) {
	_, s := servedApp(t)
	nat := loadNative(t)
	m := nat.c.Model()
	path := filepath.Join(root(t), "explain", "testdata", "photo.png")
	img := decodeFile(t, path)
	x, err := prep.Tensor(img, m.Prep)
	if err != nil {
		t.Fatal(err)
	}
	r, err := nat.c.ClassifyTensor(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	other := r.Top[1].Index
	ctx := newBrowser(t, nil)
	navigate(t, ctx, s.URL+"/")
	var got struct {
		Maps []struct {
			Class                          int
			Label, Where, Sentence, Values string
			Heatmap, Input                 string
			Ms                             float64
			W, H                           int
		}
		Act struct {
			Layer, Tiles string
			Layers       int
			Channels     []int
			Ms           float64
		}
		Bad     string
		Filters struct {
			Shape []int
			W, H  int
			Image string
		}
	}
	out := js[string](t, ctx, explainJS+fmt.Sprintf("(%q, %d)", base64.StdEncoding.EncodeToString(mustRead(t, path)), other))
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	frame := explain.FrameOf(b.Dx(), b.Dy(), m.Prep)
	for i, class := range []int{r.Top[0].Index, other} {
		g := got.Maps[i]
		want, err := explain.GradCAM(nat.c.Net(), x, class)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.StdEncoding.DecodeString(g.Values)
		if err != nil {
			t.Fatal(err)
		}
		if g.Class != class || g.Label != m.Labels[class] || len(raw) != 4*len(want.Values) || g.W != want.W || g.H != want.H {
			t.Fatalf("map %d: class %d %q, %d bytes %dx%d; want class %d, %d values", i, g.Class, g.Label, len(raw), g.W, g.H, class, len(want.Values))
		}
		var worst float64
		for k, v := range want.Values {
			u := math.Float32frombits(uint32(raw[4*k]) | uint32(raw[4*k+1])<<8 | uint32(raw[4*k+2])<<16 | uint32(raw[4*k+3])<<24)
			worst = math.Max(worst, math.Abs(float64(u-v)))
		}
		t.Logf("%s: page vs CLI Grad-CAM map: max |diff| %.2g (tolerance %g); %q; %.1f ms in the worker; heatmap %s, input %s",
			g.Label, worst, MapTol, g.Sentence, g.Ms, g.Heatmap, g.Input)
		if worst > MapTol {
			t.Errorf("%s: the page's map differs from the CLI's by %.3g", g.Label, worst)
		}
		if g.Sentence != want.Sentence(frame) || g.Where != want.Where(frame) || g.Where == "" {
			t.Errorf("%s: sentence %q (where %q), CLI %q", g.Label, g.Sentence, g.Where, want.Sentence(frame))
		}
	}
	t.Logf("activations: %+v; unknown layer: %s; filters: %+v", got.Act, got.Bad, got.Filters)
	if got.Act.Layer != "conv2" || got.Act.Layers != len(m.Arch.Layers) || len(got.Act.Channels) == 0 || got.Act.Tiles != "image/png" {
		t.Errorf("activations %+v", got.Act)
	}
	if got.Bad == "" || got.Bad[:6] != "error:" {
		t.Errorf("unknown layer answered %s", got.Bad)
	}
	if len(got.Filters.Shape) != 4 || got.Filters.Shape[1] != 3 || got.Filters.Image != "image/png" {
		t.Errorf("filters %+v", got.Filters)
	}
}

// pixelsJS returns every 16th value of an <img>'s RGBA pixels, once it
// has loaded.
const pixelsJS = `(async (sel) => {
	const img = document.querySelector(sel); await img.decode();
	const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight); const x = c.getContext('2d'); x.drawImage(img, 0, 0);
	const d = x.getImageData(0, 0, c.width, c.height).data; const out = [];
	for (let i = 0; i < d.length; i += 16) out.push(d[i]);
	return out;
})`

// loaded is a JS condition: the <img> sel is there and decoded.
func loaded(sel string) string {
	return `(() => { const i = document.querySelector('` + sel + `'); return !!i && i.complete && i.naturalWidth > 0; })()`
}

// setJS sets a form control's value and fires the event the page listens to.
func setJS(sel, value, event string) string {
	return fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event(%q, {bubbles: true})); return e.value; })()`, sel, value, event)
}

// TestBrowserLook drives the look-inside views on the real page: Why? on
// a photo's result (a heatmap over the picture, its text alternative
// naming a region, the CLI's sentence; another class changes the map;
// opacity), the inside view (filters, a layer's maps and the table, for
// the photo and for the fake camera, live), Why? on the camera, and the
// page at 360 px.
func TestBrowserLook(t *testing.T) {
	_, s := servedApp(t)
	nat := loadNative(t)
	m := nat.c.Model()
	path := filepath.Join(root(t), "explain", "testdata", "photo.png")
	img := decodeFile(t, path)
	y4m := filepath.Join(t.TempDir(), "flower.y4m")
	if _, err := headless.WriteY4M(img, y4m, 320, 240, 10); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t, map[string]any{
		"use-fake-ui-for-media-stream":     true,
		"use-fake-device-for-media-stream": true,
		"use-file-for-fake-video-capture":  y4m,
	})
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 1280, Height: 900, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	navigate(t, ctx, s.URL+"/")
	waitFor(t, ctx, "model ready", statusIs+`'ready'`, 90*time.Second)
	js[bool](t, ctx, dropJS(filePayload(t, path, "sunflower.png", "image/png")))
	waitFor(t, ctx, "result", `document.querySelector('[data-testid=result][data-state=done] [data-testid=why]')`, 60*time.Second)

	if js[bool](t, ctx, `!!document.querySelector('.camera-card [data-testid=why]')`) {
		t.Error("the camera offers Why? while it is off")
	}
	// Why? by keyboard: focus the button, press Enter.
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`[data-testid=result] [data-testid=why]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	const heat = `[data-testid=result] [data-testid=why-heatmap]`
	waitFor(t, ctx, "heatmap", loaded(heat), 30*time.Second)
	x, err := prep.Tensor(img, m.Prep)
	if err != nil {
		t.Fatal(err)
	}
	r, err := nat.c.ClassifyTensor(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, err := explain.GradCAM(nat.c.Net(), x, r.Top[0].Index)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	sentence := want.Sentence(explain.FrameOf(b.Dx(), b.Dy(), m.Prep))
	text := js[string](t, ctx, `document.querySelector('[data-testid=result] [data-testid=why-text]').textContent`)
	alt := js[string](t, ctx, `document.querySelector('`+heat+`').alt`)
	where := js[string](t, ctx, `document.querySelector('[data-testid=result] [data-testid=why-text]').dataset.where`)
	t.Logf("Why? %q; alt %q", text, alt)
	if where == "" || !strings.Contains(text, "strongest in the "+where) || !strings.Contains(alt, sentence) {
		t.Errorf("text %q, alt %q (where %q); the CLI says %q", text, alt, where, sentence)
	}
	first := js[[]int](t, ctx, pixelsJS+`('`+heat+`')`)
	// Under the heatmap, the picture the network saw: the photo's pixels.
	const input = `[data-testid=result] .why-input`
	waitFor(t, ctx, "input picture", loaded(input), 10*time.Second)
	var sum int
	inPix := js[[]int](t, ctx, pixelsJS+`('`+input+`')`)
	for _, v := range inPix {
		sum += v
	}
	if len(inPix) == 0 || sum/len(inPix) < 40 {
		t.Errorf("the picture under the heatmap is dark or missing: %d values, mean red %d", len(inPix), sum/max(len(inPix), 1))
	}

	// Another class changes the map.
	other := r.Top[1].Index
	js[string](t, ctx, setJS(`[data-testid=result] [data-testid=why-class]`, fmt.Sprint(other), "change"))
	waitFor(t, ctx, "other class", `document.querySelector('`+heat+`') && document.querySelector('`+heat+`').dataset.class === '`+fmt.Sprint(other)+`'`, 30*time.Second)
	waitFor(t, ctx, "other heatmap", loaded(heat), 30*time.Second)
	second := js[[]int](t, ctx, pixelsJS+`('`+heat+`')`)
	differ := 0
	for i := range min(len(first), len(second)) {
		if first[i] != second[i] {
			differ++
		}
	}
	t.Logf("%s vs %s: %d of %d sampled heatmap values differ", m.Labels[r.Top[0].Index], m.Labels[other], differ, len(first))
	if len(first) == 0 || len(first) != len(second) || differ < len(first)/10 {
		t.Errorf("choosing %s hardly changed the map: %d of %d values differ", m.Labels[other], differ, len(first))
	}
	js[string](t, ctx, setJS(`[data-testid=result] [data-testid=why-opacity]`, "100", "input"))
	waitFor(t, ctx, "opacity", `getComputedStyle(document.querySelector('`+heat+`')).opacity === '1'`, 10*time.Second)
	js[string](t, ctx, setJS(`[data-testid=result] [data-testid=why-opacity]`, "60", "input"))
	waitFor(t, ctx, "opacity 60%", `getComputedStyle(document.querySelector('`+heat+`')).opacity === '0.6'`, 10*time.Second)

	// Inside the network, for the photo.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=inside-toggle]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "filters", loaded(`[data-testid=filters]`), 30*time.Second)
	waitFor(t, ctx, "conv1 maps", loaded(`[data-testid=tiles][data-layer=conv1]`), 30*time.Second)
	js[string](t, ctx, setJS(`[data-testid=inside-layer]`, "conv2", "change"))
	waitFor(t, ctx, "conv2 maps", loaded(`[data-testid=tiles][data-layer=conv2]`), 30*time.Second)
	rows := js[int](t, ctx, `document.querySelectorAll('[data-testid=layer-table] tbody tr').length`)
	summary := js[string](t, ctx, `document.querySelector('[data-testid=inside-summary]').textContent`)
	t.Logf("inside, photo: %s (%d layers in the table)", summary, rows)
	if rows != len(m.Arch.Layers) || !strings.Contains(summary, "sunflower.png") || !strings.Contains(summary, "of the weights") && !strings.Contains(summary, "of the network's") {
		t.Errorf("inside view: %d rows, summary %q", rows, summary)
	}
	shot(t, ctx, "20-look-1280")

	// The fake camera: its maps, live, and Why? on it.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-start]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "live results", `document.querySelector('[data-testid=live-results] [data-testid=pred]')`, 60*time.Second)
	js[string](t, ctx, setJS(`[data-testid=inside-layer]`, "relu1", "change"))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=inside-camera]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "camera maps", `(() => { const s = document.querySelector('[data-testid=inside-summary]'); return s.dataset.layer === 'relu1' && +s.dataset.frames >= 3 && s.textContent.includes('the camera'); })()`, 60*time.Second)
	f0 := js[float64](t, ctx, `+document.querySelector('[data-testid=inside-summary]').dataset.frames`)
	t0 := time.Now()
	time.Sleep(4 * time.Second)
	f1 := js[float64](t, ctx, `+document.querySelector('[data-testid=inside-summary]').dataset.frames`)
	fps := js[float64](t, ctx, `+document.querySelector('[data-testid=inside-summary]').dataset.fps`)
	camFPS := js[float64](t, ctx, `+document.querySelector('[data-testid=fps]').dataset.fps`)
	t.Logf("inside, camera: %.1f maps a second over %s (page's own count %.1f); camera classification meanwhile %.1f FPS",
		(f1-f0)/time.Since(t0).Seconds(), time.Since(t0).Round(time.Millisecond), fps, camFPS)
	if f1 <= f0 {
		t.Errorf("the camera's maps did not move on: %v frames, then %v", f0, f1)
	}
	waitFor(t, ctx, "camera tiles", loaded(`[data-testid=tiles][data-layer=relu1]`), 30*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.camera-card [data-testid=why]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "camera heatmap", loaded(`.camera-card [data-testid=why-heatmap]`), 30*time.Second)
	camText := js[string](t, ctx, `document.querySelector('.camera-card [data-testid=why-text]').textContent`)
	t.Logf("camera Why? %q", camText)
	if !strings.Contains(camText, "strongest in the ") {
		t.Errorf("camera Why? says %q", camText)
	}
	shot(t, ctx, "21-look-camera-1280")

	// A phone: nothing wider than the screen.
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 360, Height: 800, DeviceScaleFactor: 2, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if w := js[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		wide := js[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ')`)
		t.Errorf("at 360 px the page is %d px wide: %s", w, wide)
	}
	shot(t, ctx, "22-look-360")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=camera-stop]`))); err != nil {
		t.Fatal(err)
	}
}
