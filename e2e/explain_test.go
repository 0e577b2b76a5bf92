package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"alexnet/explain"
	"alexnet/prep"
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
