// Package shared finds the team's shared folder: the data sets, the seed
// tutorial and the peer benchmark harness, which live beside the
// repository, at ../shared from its root (see README.md), not in it. The
// environment variable ALEXNET_SHARED names another place.
package shared

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Env is the environment variable that overrides where the shared folder is.
const Env = "ALEXNET_SHARED"

// Dir returns the shared folder: $ALEXNET_SHARED when set, else the
// folder named shared beside the root of the module that holds the working
// directory (../shared; the root is the folder with go.mod, found by
// walking up), or failing that beside one of the root's parents (a clone
// one level deeper, /x/ci/repo with the data at /x/shared). The error says
// where it looked.
func Dir() (string, error) {
	if d := os.Getenv(Env); d != "" {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("shared folder: $%s is %s, which is not a folder", Env, d)
		}
		return d, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	var tried []string
	for d := filepath.Dir(root); ; d = filepath.Dir(d) {
		s := filepath.Join(d, "shared")
		if fi, err := os.Stat(s); err == nil && fi.IsDir() {
			return s, nil
		}
		tried = append(tried, s)
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("shared folder: no folder at %s (../shared from the repository root %s, then beside its parents: %s); set $%s to where it is",
		tried[0], root, strings.Join(tried[1:], ", "), Env)
}

// Path is Dir joined with elem, which must exist; the error says where it
// looked.
func Path(elem ...string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("shared folder: %s is missing (shared folder %s; set $%s to use another)", p, d, Env)
	}
	return p, nil
}

// Photos is the flower photos data set (5 classes, one folder each).
func Photos() (string, error) { return Path("data", "flower_photos") }

// RepoRoot is the root of the repository that holds the working
// directory: the nearest folder at or above it with a go.mod (tests run in
// their package's folder).
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("repository root: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("repository root: no go.mod in " + wd + " or above it; set $" + Env + " for the shared folder")
		}
	}
}
