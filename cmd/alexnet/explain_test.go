package main

import (
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// photo is a real 224x224 photo (a sunflower, flower_photos), the one the
// explain package's PyTorch fixtures use.
var photo = filepath.Join("..", "..", "explain", "testdata", "photo.png")

func pngSize(t *testing.T, path string) (int, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c.Width, c.Height
}

func TestExplain(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "gc.png")
	got := mustCLI(t, "explain", "-out", out, photo)
	if !strings.Contains(got, "gradcam for sunflowers") || !strings.Contains(got, "the top class") || !strings.Contains(got, "strongest in the top-centre of the photo") {
		t.Errorf("explain: %q", got)
	}
	if w, h := pngSize(t, out); w != 224 || h != 224 {
		t.Errorf("overlay %dx%d, want the photo's 224x224", w, h)
	}
	got = mustCLI(t, "explain", "-class", "Roses", "-out", out, photo)
	if !strings.Contains(got, "gradcam for roses") || !strings.Contains(got, "the top class is sunflowers") {
		t.Errorf("explain -class Roses: %q", got)
	}
	got = mustCLI(t, "explain", "-method", "occlusion", "-patch", "56", "-stride", "56", "-out", out, photo)
	if !strings.Contains(got, "occlusion for sunflowers") || !strings.Contains(got, "17 forward pass(es)") {
		t.Errorf("explain -method occlusion: %q", got)
	}
	// A model of another shape (3x8x8, conv, linear) and a photo of another size.
	w := tinyWeights(t, dir, 0)
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, color.RGBA{200, 10, 10, 255}, 40, 30)
	got = mustCLI(t, "explain", "-weights", w, "-out", out, img)
	if !strings.Contains(got, "gradcam for") {
		t.Errorf("explain -weights tiny: %q", got)
	}
	if w, h := pngSize(t, out); w != 40 || h != 30 {
		t.Errorf("overlay %dx%d, want the photo's 40x30", w, h)
	}

	failCLI(t, 1, `unknown class "cat" (the model's classes are daisy, dandelion, roses, sunflowers, tulips)`, "explain", "-class", "cat", "-out", out, photo)
	failCLI(t, 2, `unknown method "lime"`, "explain", "-method", "lime", photo)
	failCLI(t, 2, "want one image", "explain")
	failCLI(t, 2, "opacity 2", "explain", "-opacity", "2", photo)
	failCLI(t, 1, "not a JPEG or PNG image", "explain", "-out", out, "main.go")
	failCLI(t, 1, "no such file", "explain", "-out", out, filepath.Join(dir, "none.png"))
	failCLI(t, 1, "occlusion patch 500", "explain", "-method", "occlusion", "-patch", "500", "-out", out, photo)
}

func TestFilters(t *testing.T) {
	out := filepath.Join(t.TempDir(), "f.png")
	got := mustCLI(t, "filters", "-out", out)
	if !strings.Contains(got, "48 filters 3x11x11 of features.0.weight") {
		t.Errorf("filters: %q", got)
	}
	// 16 columns of 44+2 pixels, 3 rows (the paper's layout of 48 filters).
	if w, h := pngSize(t, out); w != 16*46+2 || h != 3*46+2 {
		t.Errorf("filter grid %dx%d", w, h)
	}
	failCLI(t, 2, "-out FILE.png is required", "filters")
	failCLI(t, 2, "scale 0", "filters", "-scale", "0", "-out", out)
}

func TestActivations(t *testing.T) {
	out := filepath.Join(t.TempDir(), "a.png")
	got := mustCLI(t, "activations", "-layer", "pool2", "-out", out, photo)
	if !strings.Contains(got, "pool2 (maxpool), output 128x13x13") || !strings.Contains(got, "128 channel tiles, strongest first") {
		t.Errorf("activations: %q", got)
	}
	got = mustCLI(t, "activations", "-layer", "fc1", "-max", "10", "-same-scale", "-out", out, photo)
	if !strings.Contains(got, "fc1 (linear), output 2048x1x1") || !strings.Contains(got, "of the weights") || !strings.Contains(got, "10 channel tiles") {
		t.Errorf("activations fc1: %q", got)
	}
	failCLI(t, 1, `no such layer: "features.0" (the layers are conv1, relu1, pool1`, "activations", "-layer", "features.0", "-out", out, photo)
	failCLI(t, 2, "-layer is required (the layers are conv1, relu1", "activations", "-out", out, photo)
	failCLI(t, 2, "-out FILE.png is required", "activations", "-layer", "conv1", photo)
	failCLI(t, 1, "not a JPEG or PNG image", "activations", "-layer", "conv1", "-out", out, "main.go")
}
