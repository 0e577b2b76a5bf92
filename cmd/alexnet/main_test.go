package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexnet/nn"
	"alexnet/npy"
	"alexnet/weights"
)

// cli runs the command in-process and returns its exit status and output.
func cli(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// mustCLI runs a command that must succeed.
func mustCLI(t testing.TB, args ...string) string {
	t.Helper()
	code, out, errOut := cli(t, args...)
	if code != 0 {
		t.Fatalf("alexnet %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// failCLI runs a command that must fail with one line on stderr, no stack
// trace, containing want.
func failCLI(t testing.TB, wantCode int, want string, args ...string) {
	t.Helper()
	code, _, errOut := cli(t, args...)
	if code != wantCode {
		t.Errorf("alexnet %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), code, wantCode, errOut)
	}
	oneLineErr(t, errOut, want)
}

func oneLineErr(t testing.TB, errOut, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(errOut, want) || strings.Contains(errOut, "goroutine") {
		t.Errorf("stderr %q: want one line containing %q", errOut, want)
	}
}

// tinyWeights writes a small model (3x8x8 input, conv + linear, 3 classes)
// and returns its path.
func tinyWeights(t testing.TB, dir string, threshold float32) string {
	t.Helper()
	a := nn.Arch{Name: "tiny", InC: 3, InH: 8, InW: 8, Layers: []nn.Layer{
		{Op: nn.OpConv, Name: "features.0", InC: 3, OutC: 4, Kernel: 3, Stride: 1, Pad: 1, Groups: 1},
		{Op: nn.OpReLU},
		{Op: nn.OpFlatten},
		{Op: nn.OpLinear, Name: "classifier.0", In: 256, Out: 3},
	}}
	m := &weights.Model{Name: "tiny", Arch: a, Labels: []string{"red", "green", "blue"},
		Prep:  weights.Preprocess{Resize: 8, CropH: 8, CropW: 8, Mean: weights.ImageNetMean, Std: weights.ImageNetStd},
		Calib: weights.Calibration{Temperature: 1, Threshold: threshold}}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, p := range a.Params() {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(rng.NormFloat64()) * 0.3
		}
		m.Tensors = append(m.Tensors, weights.Quantize(p.Name, p.Shape, data, weights.Q8))
	}
	b, err := weights.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tiny.alexnet")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writePNG(t testing.TB, path string, c color.RGBA, w, h int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			cc := c
			cc.R += uint8(x * 3)
			img.SetRGBA(x, y, cc)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUsage(t *testing.T) {
	if code, _, errOut := cli(t); code != 2 || !strings.Contains(errOut, "usage") {
		t.Errorf("no args: exit %d, %q", code, errOut)
	}
	if code, _, _ := cli(t, "help"); code != 0 {
		t.Errorf("help: exit %d", code)
	}
	failCLI(t, 2, `unknown command "frobnicate"`, "frobnicate")
	failCLI(t, 2, "flag provided but not defined: -bogus", "classify", "-bogus", "x.jpg")
	failCLI(t, 2, "no inputs", "classify")
	failCLI(t, 2, "want IN.pth and OUT", "convert", "-labels", "l.txt", "only-one.pth")
	failCLI(t, 2, "-labels is required", "convert", "a.pth", "b.alexnet")
	failCLI(t, 2, "-quant", "convert", "-quant", "int4", "-labels", "l", "a.pth", "b")
	failCLI(t, 2, "want one weight file", "inspect")
	failCLI(t, 2, "want one directory", "eval")
	failCLI(t, 2, "-n 0", "bench", "-n", "0")
	for _, c := range commands {
		code, _, errOut := cli(t, c.name, "-h")
		if code != 0 || !strings.Contains(errOut, "usage: alexnet "+c.name) {
			t.Errorf("%s -h: exit %d, %q", c.name, code, errOut)
		}
	}
}

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	w := tinyWeights(t, dir, 0.5)
	out := mustCLI(t, "inspect", w)
	for _, want := range []string{"name:         tiny", "tiny, input 3x8x8, 4 layers, 3 classes", "red, green, blue",
		"shorter side to 8", "temperature 1, not sure below 0.5", "weight int8 [4 3 3 3], bias int8 [4]", "CRC-32C"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
	// The default model's header is readable too.
	if out := mustCLI(t, "inspect", filepath.Join("..", "..", "weights", "default", "flowers.alexnet")); !strings.Contains(out, "seed, input 3x224x224") {
		t.Errorf("default model: %s", out)
	}
	b, _ := os.ReadFile(w)
	bad := filepath.Join(dir, "bad.alexnet")
	b[len(b)/2] ^= 1
	os.WriteFile(bad, b, 0o644)
	failCLI(t, 1, "checksum mismatch", "inspect", bad)
	os.WriteFile(bad, b[:100], 0o644)
	failCLI(t, 1, "truncated", "inspect", bad)
	failCLI(t, 1, "no such file", "inspect", filepath.Join(dir, "missing"))
	failCLI(t, 1, "bad magic", "inspect", "main.go")
}

func TestClassify(t *testing.T) {
	dir := t.TempDir()
	w := tinyWeights(t, dir, 0)
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, color.RGBA{200, 10, 10, 255}, 20, 13)
	x := make([]float32, 3*8*8)
	for i := range x {
		x[i] = float32(i%5) - 2
	}
	tensor := filepath.Join(dir, "x.npy")
	b, _ := npy.Write([]int{1, 3, 8, 8}, x)
	os.WriteFile(tensor, b, 0o644)

	out := mustCLI(t, "classify", "-weights", w, "-json", "-top", "2", img, tensor)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %q", out)
	}
	for i, l := range lines {
		var r jsonResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
		if r.File != []string{img, tensor}[i] || len(r.Top) != 2 || len(r.Logits) != 3 || r.NotSure {
			t.Errorf("line %d: %+v", i, r)
		}
		if r.Top[0].Prob < r.Top[1].Prob || r.Top[0].Label != []string{"red", "green", "blue"}[r.Top[0].Index] {
			t.Errorf("line %d: top %+v", i, r.Top)
		}
		// logits and top agree
		best := 0
		for j, v := range r.Logits {
			if v > r.Logits[best] {
				best = j
			}
		}
		if best != r.Top[0].Index {
			t.Errorf("line %d: top %d but largest logit %d", i, r.Top[0].Index, best)
		}
	}
	// Text output; threshold 1 marks "not sure".
	out = mustCLI(t, "classify", "-weights", tinyWeights(t, t.TempDir(), 1), img)
	if !strings.HasPrefix(out, img+": not sure: ") {
		t.Errorf("text output %q", out)
	}
	// Bad inputs: one line each, the good one still classified, exit 1.
	bad := filepath.Join(dir, "bad.npy")
	b, _ = npy.Write([]int{1, 3, 4, 4}, make([]float32, 48))
	os.WriteFile(bad, b, 0o644)
	garbage := filepath.Join(dir, "garbage.jpg")
	os.WriteFile(garbage, []byte("\xff\xd8\xff garbage"), 0o644)
	code, out, errOut := cli(t, "classify", "-weights", w, bad, img, garbage, filepath.Join(dir, "none.png"), "main.go")
	if code != 1 || strings.Count(out, "\n") != 1 {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	errLines := strings.Split(strings.TrimSpace(errOut), "\n")
	for i, want := range []string{"tensor shape [1 3 4 4], the network takes (1,3,8,8)", "decoding image", "no such file", "not a JPEG, PNG or .npy", "4 of 5 inputs failed"} {
		if i >= len(errLines) || !strings.Contains(errLines[i], want) {
			t.Errorf("stderr line %d: want %q in %q", i, want, errOut)
		}
	}
	if strings.Contains(errOut, "goroutine") {
		t.Error("stack trace on stderr")
	}
	failCLI(t, 1, "bad magic", "classify", "-weights", img, img)
	// The default model runs without -weights.
	if out := mustCLI(t, "classify", "-top", "1", img); !strings.Contains(out, img+": ") {
		t.Errorf("default model: %q", out)
	}
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	w := tinyWeights(t, dir, 0)
	data := filepath.Join(dir, "data")
	cols := map[string]color.RGBA{"red": {220, 20, 20, 255}, "green": {20, 220, 20, 255}, "blue": {20, 20, 220, 255}}
	var split []string
	n := 0
	for label, c := range cols {
		for i := range 3 {
			name := label + "/" + string(rune('a'+i)) + ".png"
			c.G += uint8(i * 20)
			writePNG(t, filepath.Join(data, name), c, 9+i, 10)
			kind := "train"
			if i == 0 {
				kind = "val"
			}
			split = append(split, kind+" "+name)
			n++
		}
	}
	os.WriteFile(filepath.Join(data, "README.txt"), []byte("not an image"), 0o644)
	splitFile := filepath.Join(dir, "split.txt")
	os.WriteFile(splitFile, []byte(strings.Join(split, "\n")+"\n"), 0o644)

	check := func(args []string, want int) {
		t.Helper()
		var rep evalReport
		out := mustCLI(t, append([]string{"eval", "-weights", w, "-json"}, args...)...)
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		total, diag := 0, 0
		for i, row := range rep.Confusion {
			for j, v := range row {
				total += v
				if i == j {
					diag += v
				}
			}
		}
		if rep.Images != want || total != want || math.Abs(rep.Top1-float64(diag)/float64(want)) > 1e-9 || rep.Top5 != 1 || rep.TopK != 3 {
			t.Errorf("%v: images %d (want %d), confusion total %d, top1 %g (diag %d), top5 %g k %d", args, rep.Images, want, total, rep.Top1, diag, rep.Top5, rep.TopK)
		}
		perClass := 0
		for _, c := range rep.PerClass {
			perClass += c.Images
		}
		if perClass != want {
			t.Errorf("per-class images sum to %d", perClass)
		}
	}
	check([]string{data}, n)
	check([]string{"-split", splitFile, data}, 3)
	out := mustCLI(t, "eval", "-weights", w, data)
	for _, want := range []string{"images: 9", "top-1:", "top-3:", "confusion matrix", "not sure: 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval text lacks %q:\n%s", want, out)
		}
	}
	os.WriteFile(splitFile, []byte("val purple/x.png\n"), 0o644)
	failCLI(t, 1, `"purple/x.png" is not <label>/<file>`, "eval", "-weights", w, "-split", splitFile, data)
	os.WriteFile(splitFile, []byte("test red/a.png\n"), 0o644)
	failCLI(t, 1, "split.txt:1: want `val <class>/<file>`", "eval", "-weights", w, "-split", splitFile, data)
	failCLI(t, 1, "no images", "eval", "-weights", w, dir)
}

func TestBench(t *testing.T) {
	out := mustCLI(t, "bench", "-weights", tinyWeights(t, t.TempDir(), 0), "-n", "3")
	for _, want := range []string{"conv", "linear", "total", "ms/image", "GFLOP/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench output lacks %q:\n%s", want, out)
		}
	}
}

func TestReadLabels(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		text string
		want []string
		err  string
	}{
		{`{"0": "daisy", "1": "dandelion", "2": "roses"}`, []string{"daisy", "dandelion", "roses"}, ""},
		{`{"1": "b", "0": "a"}`, []string{"a", "b"}, ""},
		{`["a", "b"]`, []string{"a", "b"}, ""},
		{"a\nb\r\nc\n", []string{"a", "b", "c"}, ""},
		{`{"0": "a", "2": "c"}`, nil, "want the indices 0..1"},
		{`{"x": "a"}`, nil, "want the indices"},
		{`{"0": 5}`, nil, "cannot unmarshal"},
		{"\n\n", nil, "no labels"},
	} {
		p := filepath.Join(dir, "labels")
		os.WriteFile(p, []byte(c.text), 0o644)
		got, err := readLabels(p)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.text, err, c.err)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: %q %v, want %q", c.text, got, err, c.want)
		}
	}
}

func TestConvertBadInputs(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.txt")
	os.WriteFile(labels, []byte("a\nb\n"), 0o644)
	junk := filepath.Join(dir, "junk.pth")
	os.WriteFile(junk, []byte("PK\x03\x04 this is not a zip"), 0o644)
	failCLI(t, 1, "not a PyTorch checkpoint", "convert", "-labels", labels, junk, filepath.Join(dir, "out"))
	os.WriteFile(junk, bytes.Repeat([]byte{0x80, 0x02, 0xff}, 50), 0o644)
	failCLI(t, 1, "not a PyTorch checkpoint", "convert", "-labels", labels, junk, filepath.Join(dir, "out"))
	failCLI(t, 1, "no such file", "convert", "-labels", labels, filepath.Join(dir, "missing.pth"), filepath.Join(dir, "out"))
}
