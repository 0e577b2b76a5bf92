//go:build !js && !wasip1

// These tests run PyTorch, so they exist only where a process can be
// started (not under GOOS=js or wasip1).

package nn

import (
	"flag"
	"testing"

	"alexnet/internal/fixture"
)

// Refresh the fixtures with
//
//	go test ./nn -run Golden -update
var update = flag.Bool("update", false, "regenerate testdata/golden.* with /usr/bin/python3 testdata/golden.py")

func TestGoldenUpdate(t *testing.T) {
	if !*update {
		return
	}
	t.Logf("%s", fixture.Run(t, nil, "testdata/golden.py"))
}

// TestGoldenScriptReproduces reruns testdata/golden.py into a temporary
// directory and checks that the committed fixtures are what it writes, so
// the script and the fixtures cannot drift apart. It needs PyTorch at
// /usr/bin/python3 and fails (does not skip) without it.
func TestGoldenScriptReproduces(t *testing.T) {
	dir := t.TempDir()
	fixture.Run(t, nil, "testdata/golden.py", dir)
	fixture.Reproduces(t, loadGolden(t, "testdata").Data, loadGolden(t, dir).Data, "go test ./nn -run Golden -update")
}
