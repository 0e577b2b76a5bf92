//go:build !js && !wasip1

// These tests run PyTorch, so they exist only where a process can be
// started (not under GOOS=js or wasip1).

package explain

import (
	"flag"
	"path/filepath"
	"testing"

	"alexnet/internal/fixture"
	"alexnet/internal/shared"
)

// Refresh the fixtures with
//
//	go test ./explain -run Golden -update
var update = flag.Bool("update", false, "regenerate testdata/gradcam.* and photo.png with /usr/bin/python3 testdata/gradcam.py")

func TestGoldenUpdate(t *testing.T) {
	if !*update {
		return
	}
	t.Logf("%s", runGradcam(t))
}

// runGradcam runs testdata/gradcam.py with args, told where the shared
// folder is (internal/shared's search) through $ALEXNET_SHARED.
func runGradcam(t *testing.T, args ...string) string {
	d, err := shared.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return fixture.Run(t, []string{shared.Env + "=" + d}, "testdata/gradcam.py", args...)
}

// TestGoldenScriptReproduces reruns testdata/gradcam.py into a temporary
// directory and checks that the committed fixtures (and photo.png's
// pixels) are what it writes, so the script and the fixtures cannot drift
// apart. It needs PyTorch at /usr/bin/python3 and the photos in
// ../shared/data; it fails (does not skip) without them.
func TestGoldenScriptReproduces(t *testing.T) {
	dir := t.TempDir()
	runGradcam(t, dir)
	fixture.Reproduces(t, loadGolden(t, "testdata").Data, loadGolden(t, dir).Data, "go test ./explain -run Golden -update")
	p0, p1 := fixture.Image(t, filepath.Join("testdata", "photo.png")), fixture.Image(t, filepath.Join(dir, "photo.png"))
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
