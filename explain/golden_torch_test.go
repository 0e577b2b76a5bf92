//go:build !js && !wasip1

// These tests run PyTorch, so they exist only where a process can be
// started (not under GOOS=js or wasip1).

package explain

import (
	"bytes"
	"encoding/json"
	"flag"
	"image"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"alexnet/internal/shared"
)

// Refresh the fixtures with
//
//	go test ./explain -run Golden -update
var update = flag.Bool("update", false, "regenerate testdata/gradcam.* and photo.png with /usr/bin/python3 testdata/gradcam.py")

const python = "/usr/bin/python3" // Debian's python3-torch lives here, not on PATH's python3

func TestGoldenUpdate(t *testing.T) {
	if !*update {
		return
	}
	out, err := gradcamScript(t).CombinedOutput()
	if err != nil {
		t.Fatalf("gradcam.py: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// gradcamScript is testdata/gradcam.py with args, told where the shared
// folder is (internal/shared's search) through $ALEXNET_SHARED.
func gradcamScript(t *testing.T, args ...string) *exec.Cmd {
	d, err := shared.Dir()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, append([]string{"testdata/gradcam.py"}, args...)...)
	cmd.Env = append(os.Environ(), shared.Env+"="+d)
	return cmd
}

// TestGoldenScriptReproduces reruns testdata/gradcam.py into a temporary
// directory and checks that the committed fixtures (and photo.png's
// pixels) are what it writes, so the script and the fixtures cannot drift
// apart. It needs PyTorch at /usr/bin/python3 and the photos in
// ../shared/data; it fails (does not skip) without them.
func TestGoldenScriptReproduces(t *testing.T) {
	dir := t.TempDir()
	out, err := gradcamScript(t, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("%s testdata/gradcam.py (needs Debian's python3-torch): %v\n%s", python, err, out)
	}
	old, fresh := loadGolden(t, "testdata"), loadGolden(t, dir)
	a, _ := json.Marshal(old.Cases)
	b, _ := json.Marshal(fresh.Cases)
	c, _ := json.Marshal(old.Ops)
	d, _ := json.Marshal(fresh.Ops)
	e, _ := json.Marshal(old.Occlusion)
	f, _ := json.Marshal(fresh.Occlusion)
	if !bytes.Equal(a, b) || !bytes.Equal(c, d) || !bytes.Equal(e, f) || len(old.data) != len(fresh.data) {
		t.Fatalf("gradcam.json differs from what gradcam.py writes: run go test ./explain -run Golden -update")
	}
	for name := range old.Tensors {
		d, m := maxDiff(old.get(t, name), fresh.get(t, name))
		if d > 1e-5*math.Max(1, m) {
			t.Errorf("tensor %s: committed and regenerated differ by %.3g: run go test ./explain -run Golden -update", name, d)
		}
	}
	p0, p1 := decodePNG(t, filepath.Join("testdata", "photo.png")), decodePNG(t, filepath.Join(dir, "photo.png"))
	if p0.Bounds() != p1.Bounds() {
		t.Fatalf("photo.png is %v, gradcam.py writes %v", p0.Bounds(), p1.Bounds())
	}
	for y := p0.Bounds().Min.Y; y < p0.Bounds().Max.Y; y++ {
		for x := p0.Bounds().Min.X; x < p0.Bounds().Max.X; x++ {
			if p0.At(x, y) != p1.At(x, y) {
				t.Fatalf("photo.png pixel (%d,%d) differs from what gradcam.py writes", x, y)
			}
		}
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
