//go:build !js && !wasip1

// These tests run PyTorch, so they exist only where a process can be
// started (not under GOOS=js or wasip1).

package nn

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os/exec"
	"testing"
)

// Refresh the fixtures with
//
//	go test ./nn -run Golden -update
var update = flag.Bool("update", false, "regenerate testdata/golden.* with /usr/bin/python3 testdata/golden.py")

const python = "/usr/bin/python3" // Debian's python3-torch lives here, not on PATH's python3

func TestGoldenUpdate(t *testing.T) {
	if !*update {
		return
	}
	out, err := exec.Command(python, "testdata/golden.py").CombinedOutput()
	if err != nil {
		t.Fatalf("golden.py: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// TestGoldenScriptReproduces reruns testdata/golden.py into a temporary
// directory and checks that the committed fixtures are what it writes, so
// the script and the fixtures cannot drift apart. It needs PyTorch at
// /usr/bin/python3 and fails (does not skip) without it.
func TestGoldenScriptReproduces(t *testing.T) {
	dir := t.TempDir()
	out, err := exec.Command(python, "testdata/golden.py", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("%s testdata/golden.py (needs Debian's python3-torch): %v\n%s", python, err, out)
	}
	old, fresh := loadGolden(t, "testdata"), loadGolden(t, dir)
	a, _ := json.Marshal(old.Cases)
	b, _ := json.Marshal(fresh.Cases)
	if !bytes.Equal(a, b) || len(old.data) != len(fresh.data) {
		t.Fatalf("golden.json differs from what golden.py writes: run go test ./nn -run Golden -update")
	}
	for name := range old.Tensors {
		d, m := maxDiff(old.get(t, name), f64(fresh.get(t, name)))
		if d > 1e-5*math.Max(1, m) {
			t.Errorf("tensor %s: committed and regenerated differ by %.3g: %s", name, d, "run go test ./nn -run Golden -update")
		}
	}
}
