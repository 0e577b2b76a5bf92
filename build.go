package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildInputs are the paths (files or folders, relative to the repository)
// whose contents end up in the build output.
var buildInputs = []string{
	"build.sh", "go.mod", "go.sum",
	"web", "wasm", "internal", "nn", "prep", "classifier", "weights",
}

// stampName is the file build.sh writes last; its mtime says when the output
// was complete.
const stampName = ".stamp"

// Stale reports whether dir needs a build: it has no stamp, or a build input
// under src is newer than the stamp. It also says why.
func Stale(src, dir string) (bool, string) {
	st, err := os.Stat(filepath.Join(dir, stampName))
	if err != nil {
		return true, "no complete build in " + dir
	}
	newest, which := latestInput(src)
	if newest.After(st.ModTime()) {
		return true, which + " changed since the last build"
	}
	return false, ""
}

// latestInput is the newest modification time among the build inputs.
func latestInput(src string) (time.Time, string) {
	var newest time.Time
	var which string
	for _, in := range buildInputs {
		_ = filepath.WalkDir(filepath.Join(src, in), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // a missing input is not an error here; the build reports it
			}
			if d.IsDir() {
				if n := d.Name(); n == "testdata" || (strings.HasPrefix(n, ".") && p != filepath.Join(src, in)) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, ".md") {
				return nil
			}
			if info, err := d.Info(); err == nil && info.ModTime().After(newest) {
				newest, which = info.ModTime(), p
			}
			return nil
		})
	}
	return newest, which
}

// EnsureBuilt runs build.sh (in src) to write dir when Stale says so.
func EnsureBuilt(src, dir string, logw io.Writer) error {
	stale, why := Stale(src, dir)
	if !stale {
		return nil
	}
	fmt.Fprintf(logw, "building %s: %s\n", dir, why)
	cmd := exec.Command("bash", filepath.Join(src, "build.sh"), dir)
	cmd.Dir = src
	cmd.Stdout, cmd.Stderr = logw, logw
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build.sh %s: %w", dir, err)
	}
	return nil
}
