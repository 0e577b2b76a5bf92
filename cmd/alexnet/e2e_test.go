package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"alexnet/nn"
	"alexnet/npy"
)

// python is the interpreter with torch (Debian's python3-torch).
const python = "/usr/bin/python3"

var (
	ckptOnce sync.Once
	ckptDir  string
	ckptErr  error
)

// checkpoints runs testdata/checkpoints.py once per test binary. Without
// torch it fails the test: the end-to-end comparison is required, not optional.
func checkpoints(t *testing.T) string {
	t.Helper()
	ckptOnce.Do(func() {
		ckptDir, ckptErr = os.MkdirTemp("", "alexnet-e2e-")
		if ckptErr != nil {
			return
		}
		cmd := exec.Command(python, "testdata/checkpoints.py", ckptDir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			ckptErr = err
			ckptErr = &exec.Error{Name: python + " testdata/checkpoints.py: " + strings.TrimSpace(string(out)), Err: err}
		}
	})
	if ckptErr != nil {
		t.Fatalf("%v\n(the end-to-end test needs PyTorch 1.13 + torchvision at %s: apt-get install python3-torch python3-torchvision)", ckptErr, python)
	}
	return ckptDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if ckptDir != "" {
		os.RemoveAll(ckptDir)
	}
	os.Exit(code)
}

func readNpy(t *testing.T, path string) *npy.Array {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := npy.Read(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return a
}

// classifyLogits converts nothing: it runs `classify -json` on an input
// tensor and returns the logits.
func classifyLogits(t *testing.T, weightsPath, input string) []float32 {
	t.Helper()
	out := mustCLI(t, "classify", "-json", "-weights", weightsPath, input)
	var r jsonResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return r.Logits
}

// compare returns the largest |got-want| and the largest |want|.
func compare(got, want []float32) (maxDiff, maxAbs float64) {
	for i := range want {
		maxDiff = math.Max(maxDiff, math.Abs(float64(got[i])-float64(want[i])))
		maxAbs = math.Max(maxAbs, math.Abs(float64(want[i])))
	}
	return maxDiff, maxAbs
}

// TestEndToEndSeed converts a full-size seed checkpoint written by PyTorch
// (random init, fixed seed) without -arch, and compares the logits of
// `alexnet classify` on PyTorch's input with PyTorch's:
//
//   - f32: within 1e-4 of the largest |logit| (float32 summation order
//     only; measured 5e-7);
//   - f16: within 1e-3 (weights rounded to 11-bit mantissas; measured 2.3e-4);
//   - int8: same top-1, within 2% of the largest |logit| (per-channel int8
//     weights keep ~7 bits per weight; measured 0.23%). The script picks an
//     input whose top-1 margin is wide, so top-1 tests the weights, not luck;
//   - mixed (int4 fc1 and fc2 in groups of 64, int8 the rest): same top-1,
//     within 10% (measured 4.6%; random-init logits are small, 0.024).
func TestEndToEndSeed(t *testing.T) {
	dir := checkpoints(t)
	labels := filepath.Join(dir, "labels.json")
	os.WriteFile(labels, []byte(`{"0": "daisy", "1": "dandelion", "2": "roses", "3": "sunflowers", "4": "tulips"}`), 0o644)
	input := filepath.Join(dir, "seed-input.npy")
	want := readNpy(t, filepath.Join(dir, "seed-logits.npy")).Data
	if len(want) != 5 {
		t.Fatalf("PyTorch logits: %d values", len(want))
	}
	for _, c := range []struct {
		quant string
		tol   float64
	}{{"f32", 1e-4}, {"f16", 1e-3}, {"int8", 2e-2}, {"mixed", 0.1}} {
		out := filepath.Join(dir, "seed-"+c.quant+".alexnet")
		msg := mustCLI(t, "convert", "-quant", c.quant, "-labels", labels, filepath.Join(dir, "seed.pth"), out)
		if !strings.Contains(msg, "seed, 5 classes") {
			t.Errorf("convert inferred: %s", msg)
		}
		got := classifyLogits(t, out, input)
		d, m := compare(got, want)
		t.Logf("%s: max |logit diff| %.3g = %.3g of max |logit| %.3g", c.quant, d, d/m, m)
		if d > c.tol*m {
			t.Errorf("%s: logits %v, PyTorch %v: max diff %.3g > %g × %.3g", c.quant, got, want, d, c.tol, m)
		}
		if nn.Argmax(got) != nn.Argmax(want) {
			t.Errorf("%s: top-1 %d, PyTorch %d", c.quant, nn.Argmax(got), nn.Argmax(want))
		}
	}
	// mixed stores fc1 and fc2 as int4, the rest as int8, and is 40% smaller.
	info := mustCLI(t, "inspect", filepath.Join(dir, "seed-mixed.alexnet"))
	for _, s := range []string{"classifier.1  linear 4608->2048       2048x1x1   weight int4 [2048 4608]", "weight int4 [2048 2048]",
		"weight int8 [5 2048]", "weight int8 [48 3 11 11]", "(8.6 MB of tensor data; 58.4 MB as float32)"} {
		if !strings.Contains(info, s) {
			t.Errorf("inspect lacks %q:\n%s", s, info)
		}
	}
	// The header says what convert was told.
	info = mustCLI(t, "inspect", filepath.Join(dir, "seed-int8.alexnet"))
	for _, s := range []string{"name:         seed-int8", "daisy, dandelion, roses, sunflowers, tulips", "shorter side to 224", "temperature 1"} {
		if !strings.Contains(info, s) {
			t.Errorf("inspect lacks %q:\n%s", s, info)
		}
	}
	// Flags: calibration, name, preprocessing overrides.
	calib := filepath.Join(dir, "calib.json")
	os.WriteFile(calib, []byte(`{"temperature": 1.7, "threshold": 0.55}`), 0o644)
	out := filepath.Join(dir, "seed-flags.alexnet")
	mustCLI(t, "convert", "-arch", "seed", "-name", "flowers", "-calib", calib, "-resize", "256", "-mean", "0.5,0.5,0.5", "-std", "0.25, 0.25, 0.25",
		"-labels", labels, filepath.Join(dir, "seed.pth"), out)
	info = mustCLI(t, "inspect", out)
	for _, s := range []string{"name:         flowers", "temperature 1.7, not sure below 0.55", "shorter side to 256", "mean [0.5 0.5 0.5], std [0.25 0.25 0.25]"} {
		if !strings.Contains(info, s) {
			t.Errorf("inspect lacks %q:\n%s", s, info)
		}
	}
}

// TestEndToEndTorchvision converts torchvision.models.alexnet(weights=None)
// by inference (1000 classes from classifier.6) and checks its f32 logits
// against PyTorch's, same tolerance as the seed.
func TestEndToEndTorchvision(t *testing.T) {
	dir := checkpoints(t)
	var lines []string
	for i := range 1000 {
		lines = append(lines, "class"+strconv.Itoa(i))
	}
	labels := filepath.Join(dir, "imagenet.txt")
	os.WriteFile(labels, []byte(strings.Join(lines, "\n")), 0o644)
	out := filepath.Join(dir, "tv.alexnet")
	msg := mustCLI(t, "convert", "-quant", "f32", "-labels", labels, filepath.Join(dir, "torchvision.pth"), out)
	if !strings.Contains(msg, "torchvision, 1000 classes") {
		t.Errorf("convert inferred: %s", msg)
	}
	if info := mustCLI(t, "inspect", out); !strings.Contains(info, "shorter side to 256 (bilinear, antialiased), centre crop 224x224") || !strings.Contains(info, "adaptiveavgpool 6x6") {
		t.Errorf("inspect:\n%s", info)
	}
	got := classifyLogits(t, out, filepath.Join(dir, "torchvision-input.npy"))
	want := readNpy(t, filepath.Join(dir, "torchvision-logits.npy")).Data
	if len(got) != 1000 || len(want) != 1000 {
		t.Fatalf("%d logits, PyTorch %d", len(got), len(want))
	}
	d, m := compare(got, want)
	t.Logf("f32: max |logit diff| %.3g = %.3g of max |logit| %.3g", d, d/m, m)
	if d > 1e-4*m || nn.Argmax(got) != nn.Argmax(want) {
		t.Errorf("max diff %.3g > 1e-4 × %.3g, or top-1 %d != %d", d, m, nn.Argmax(got), nn.Argmax(want))
	}
	os.Remove(out)
}

// TestConvertRefuses checks the messages for checkpoints that fit no
// architecture: they name the first mismatching tensor.
func TestConvertRefuses(t *testing.T) {
	dir := checkpoints(t)
	labels := filepath.Join(dir, "five.txt")
	os.WriteFile(labels, []byte("a\nb\nc\nd\ne\n"), 0o644)
	out := filepath.Join(dir, "x.alexnet")
	failCLI(t, 1, "fits no known architecture (seed: features.3.weight is [100 48 5 5], want [128 48 5 5]; torchvision: features.0.weight is [48 3 11 11], want [64 3 11 11]",
		"convert", "-labels", labels, filepath.Join(dir, "bad.pth"), out)
	failCLI(t, 1, "does not fit -arch paper: features.0.weight is [48 3 11 11], want [96 3 11 11]",
		"convert", "-arch", "paper", "-labels", labels, filepath.Join(dir, "seed.pth"), out)
	four := filepath.Join(dir, "four.txt")
	os.WriteFile(four, []byte("a\nb\nc\nd\n"), 0o644)
	failCLI(t, 1, "has 4 labels, the checkpoint has 5 classes", "convert", "-labels", four, filepath.Join(dir, "seed.pth"), out)
	calib := filepath.Join(dir, "badcalib.json")
	os.WriteFile(calib, []byte(`{"temperature": 0}`), 0o644)
	failCLI(t, 1, "temperature 0 (want > 0)", "convert", "-calib", calib, "-labels", labels, filepath.Join(dir, "seed.pth"), out)
	failCLI(t, 2, "-arch \"vgg\"", "convert", "-arch", "vgg", "-labels", labels, filepath.Join(dir, "seed.pth"), out)
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused conversion wrote its output")
	}
}
