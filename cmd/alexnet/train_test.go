package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"alexnet/internal/shared"
	"alexnet/weights"
)

// TestTrainingPipeline is the training smoke test: train/train.py runs a few
// steps on a small subset of the flower photos, exports its checkpoint,
// calibration and labels, `alexnet convert` turns them into an int8 weight
// file, and `alexnet classify` runs it on a photo. It proves the path from
// PyTorch training to the Go engine end to end; the real training is not run
// here. It fails without PyTorch, like the other end-to-end tests.
func TestTrainingPipeline(t *testing.T) {
	dir := t.TempDir()
	data, err := shared.Photos()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "../../train/train.py", "--data", data, "--out", dir, "--cache", dir,
		"--limit", "60", "--epochs", "1", "--steps", "2", "--batch", "8", "--threads", "1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("train.py: %v\n%s\n(needs PyTorch 1.13 + torchvision at %s)", err, out, python)
	}
	model := filepath.Join(dir, "smoke.alexnet")
	mustCLI(t, "convert", "-quant", "int8", "-calib", filepath.Join(dir, "calib.json"),
		"-labels", filepath.Join(dir, "labels.json"), filepath.Join(dir, "best.pth"), model)

	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := weights.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Arch.Name != "seed" || len(m.Labels) != 5 || m.Labels[0] != "daisy" || m.Labels[4] != "tulips" {
		t.Fatalf("converted model: arch %q labels %q, want seed with the 5 flower labels", m.Arch.Name, m.Labels)
	}
	if m.Calib.Temperature <= 0 {
		t.Fatalf("calibration not carried over: %+v", m.Calib)
	}

	out := mustCLI(t, "classify", "-json", "-weights", model, filepath.Join(data, "roses", "12240303_80d87f77a3_n.jpg"))
	var r jsonResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(r.Logits) != 5 || len(r.Top) == 0 {
		t.Fatalf("classify: %d logits, %d top, want 5 and some", len(r.Logits), len(r.Top))
	}
	for _, l := range r.Logits {
		if math.IsNaN(float64(l)) || math.IsInf(float64(l), 0) {
			t.Fatalf("classify: logits %v", r.Logits)
		}
	}
}
