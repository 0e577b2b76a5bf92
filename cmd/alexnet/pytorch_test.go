package main

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"alexnet/internal/shared"
	"alexnet/nn"
)

// probTolerance bounds |PyTorch prob - Go prob| for the same photo and model.
// The two sides decode the JPEG with different decoders (libjpeg-turbo in PIL,
// image/jpeg in Go: IDCT rounding and chroma upsampling differ) and resample
// with different arithmetic (PIL rounds to 8 bits between its passes), so the
// input tensors differ by a few levels of 255 (prep's tests measure it); the
// weights are the same int8 values on both sides.
const probTolerance = 0.03

// TestMatchesPyTorch classifies validation photos with the shipped model in
// PyTorch (train/classify.py: torchvision's preprocessing, the weight file
// dequantised into the seed's model.py) and with `alexnet classify`, and
// requires the same top-1 and probabilities within probTolerance.
func TestMatchesPyTorch(t *testing.T) {
	data, err := shared.Photos()
	if err != nil {
		t.Fatal(err)
	}
	model := "../../weights/default/flowers.alexnet"
	photos := valPhotos(t, data, 3)
	out, err := exec.Command(python, append([]string{"../../train/classify.py", model}, photos...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("train/classify.py: %v\n%s\n(needs PyTorch 1.13 at %s)", err, out, python)
	}
	var torch []jsonResult
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r jsonResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		torch = append(torch, r)
	}
	goOut := mustCLI(t, append([]string{"classify", "-json", "-weights", model}, photos...)...)
	dec := json.NewDecoder(strings.NewReader(goOut))
	worst := 0.0
	for i, p := range photos {
		var g jsonResult
		if err := dec.Decode(&g); err != nil {
			t.Fatalf("classify output %d: %v", i, err)
		}
		if len(g.Probs) != len(torch[i].Probs) {
			t.Fatalf("%s: %d probs in Go, %d in PyTorch", p, len(g.Probs), len(torch[i].Probs))
		}
		if nn.Argmax(g.Probs) != nn.Argmax(torch[i].Probs) {
			t.Errorf("%s: top-1 %d in Go, %d in PyTorch (Go %v, PyTorch %v)", p, nn.Argmax(g.Probs), nn.Argmax(torch[i].Probs), g.Probs, torch[i].Probs)
		}
		for j := range g.Probs {
			worst = math.Max(worst, math.Abs(float64(g.Probs[j]-torch[i].Probs[j])))
		}
	}
	t.Logf("%d photos: largest |prob difference| %.4f (tolerance %.2f)", len(photos), worst, probTolerance)
	if worst > probTolerance {
		t.Errorf("largest |prob difference| %.4f > %.2f", worst, probTolerance)
	}
}

// valPhotos returns the first n validation photos of each class of train/split.txt.
func valPhotos(t *testing.T, data string, n int) []string {
	t.Helper()
	f, err := os.Open("../../train/split.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]int{}
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		split, rel, ok := strings.Cut(sc.Text(), " ")
		class := strings.Split(rel, "/")[0]
		if ok && split == "val" && seen[class] < n {
			seen[class]++
			out = append(out, filepath.Join(data, rel))
		}
	}
	if len(out) == 0 {
		t.Fatal("no validation photos in train/split.txt")
	}
	return out
}
