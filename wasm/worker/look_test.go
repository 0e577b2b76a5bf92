package main

import (
	"testing"

	"alexnet/explain"
	"alexnet/prep"
	defaultmodel "alexnet/weights/default"
)

// TestLookMatchesExplain checks the worker's Explain, Activations and
// Filters against package explain run directly, as the CLI runs it.
func TestLookMatchesExplain(t *testing.T) {
	var e Engine
	if _, err := e.Explain(make([]byte, 4), 1, 1, 1, 1, false, -1); err != ErrNoModel {
		t.Fatalf("before load: %v, want ErrNoModel", err)
	}
	if _, err := e.Load(defaultmodel.Bytes); err != nil {
		t.Fatal(err)
	}
	img := gradient(320, 240)
	m := e.c.Model()
	x, err := prep.Tensor(img, m.Prep)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.c.ClassifyTensor(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, class := range []int{-1, r.Top[1].Index} {
		l, err := e.Explain(img.Pix, 320, 240, 320, 240, false, class)
		if err != nil {
			t.Fatal(err)
		}
		want := class
		if class == -1 {
			want = r.Top[0].Index
		}
		ref, err := explain.GradCAM(e.c.Net(), x, want)
		if err != nil {
			t.Fatal(err)
		}
		if l.Map.Class != want || l.Label != m.Labels[want] || len(l.Map.Values) != len(ref.Values) {
			t.Fatalf("class %d: got class %d %q, %d values", class, l.Map.Class, l.Label, len(l.Map.Values))
		}
		for i, v := range ref.Values {
			if l.Map.Values[i] != v {
				t.Fatalf("class %d: value %d is %g, explain.GradCAM %g", class, i, l.Map.Values[i], v)
			}
		}
		f := explain.FrameOf(320, 240, m.Prep)
		if l.Frame != f || l.Map.Sentence(l.Frame) != ref.Sentence(f) {
			t.Errorf("frame %+v, want %+v", l.Frame, f)
		}
		if b := l.Heatmap.Rect; b.Dx() != m.Arch.InW || b.Dy() != m.Arch.InH || l.Input.Rect != b {
			t.Errorf("heatmap %v, input %v", b, l.Input.Rect)
		}
	}
	// The input picture is the tensor back: re-preprocessed (no resize,
	// the crop is the whole picture) it gives the tensor within rounding.
	l, _ := e.Explain(img.Pix, 320, 240, 320, 240, false, -1)
	p := m.Prep
	p.Resize = 0
	back, err := prep.Tensor(l.Input, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range back {
		if d := back[i] - x[i]; d > 0.01 || d < -0.01 {
			t.Fatalf("input picture value %d: %g, tensor %g", i, back[i], x[i])
		}
	}
	// A camera frame already cut to the crop is only normalised (as
	// classifier.ClassifyCrop), and framed by its cut of the source.
	cut := gradient(m.Prep.CropW, m.Prep.CropH)
	only := m.Prep
	only.Resize = 0
	xc, err := prep.Tensor(cut, only)
	if err != nil {
		t.Fatal(err)
	}
	lc, err := e.Explain(cut.Pix, m.Prep.CropW, m.Prep.CropH, 640, 480, true, r.Top[0].Index)
	if err != nil {
		t.Fatal(err)
	}
	refc, _ := explain.GradCAM(e.c.Net(), xc, r.Top[0].Index)
	for i, v := range refc.Values {
		if lc.Map.Values[i] != v {
			t.Fatalf("camera crop: value %d is %g, explain.GradCAM of the normalised crop %g", i, lc.Map.Values[i], v)
		}
	}
	if c := LiveCrop(640, 480, m.Prep); lc.Frame.W != 640 || lc.Frame.X0 != float64(c.Min.X) || lc.Frame.Y1 != float64(c.Max.Y) {
		t.Errorf("camera crop frame %+v, cut %v", lc.Frame, c)
	}
	if _, err := e.Explain(img.Pix, 320, 240, 320, 240, false, len(m.Labels)); err == nil {
		t.Error("class out of range: no error")
	}

	a, tiles, err := e.Activations(img.Pix, 320, 240, false, "conv1", 0)
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := explain.Layers(m.Arch)
	if len(a.Layers) != len(ls) || a.Layer != "conv1" || len(a.Channels) != min(MaxTiles, ls[0].Shape.C) || tiles.Rect.Dx() != a.TilesW {
		t.Errorf("activations: layer %q, %d layers, %d channels, tiles %dx%d", a.Layer, len(a.Layers), len(a.Channels), a.TilesW, a.TilesH)
	}
	var share float64
	for _, l := range a.Layers {
		share += l.TimeShare
	}
	if share < 0.99 || share > 1.01 {
		t.Errorf("time shares add up to %g", share)
	}
	if _, _, err := e.Activations(img.Pix, 320, 240, false, "conv9", 0); err == nil {
		t.Error("unknown layer: no error")
	}
	g, fimg, err := e.Filters()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Shape) != 4 || g.Shape[1] != 3 || fimg.Rect.Dx() != g.W {
		t.Errorf("filters %+v", g)
	}
}
