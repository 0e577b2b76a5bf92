package main

import (
	"bytes"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexnet/npy"
)

// teachDir writes n photos of each colour class (plus extra files) into a
// new directory and returns it.
func teachDir(t *testing.T, n int, classes map[string]color.RGBA) string {
	t.Helper()
	dir := t.TempDir()
	for name, c := range classes {
		for i := range n {
			cc := c
			cc.G += uint8(9 * i) // a little variety within a class
			writePNG(t, filepath.Join(dir, name, string(rune('a'+i))+".png"), cc, 12+i, 10)
		}
	}
	return dir
}

var rgb = map[string]color.RGBA{
	"red":   {200, 20, 20, 255},
	"green": {20, 160, 20, 255},
	"blue":  {20, 20, 200, 255},
}

func TestTeach(t *testing.T) {
	tmp := t.TempDir()
	base := tinyWeights(t, tmp, 0)
	dir := teachDir(t, 5, rgb)
	bad := filepath.Join(dir, "green", "broken.jpg")
	if err := os.WriteFile(bad, []byte("\xff\xd8\xff\xe0 not really a jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "taught.alexnet")
	code, stdout, stderr := cli(t, "teach", "-weights", base, "-out", out, "-seed", "3", "-holdout", "0.4", dir)
	if code != 0 {
		t.Fatalf("teach: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"taught 3 classes from 15 photos (1 skipped)", "held out 6 photos", "of 2 'red' photos right", "of 2 'green' photos right", "confusion (rows: true class", "calibration: temperature", "wrote " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "skipping "+bad) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q: want one line naming %s", stderr, bad)
	}

	// The written file runs unchanged in inspect, classify and eval.
	ins := mustCLI(t, "inspect", out)
	for _, want := range []string{"format version 2", "labels:       blue, green, red", "globalpool (mean, max) of [1]", "l2norm", "head"} {
		if !strings.Contains(ins, want) {
			t.Errorf("inspect lacks %q:\n%s", want, ins)
		}
	}
	cls := mustCLI(t, "classify", "-weights", out, "-top", "1", filepath.Join(dir, "red", "a.png"), filepath.Join(dir, "blue", "b.png"))
	if !strings.Contains(cls, "a.png: red") || !strings.Contains(cls, "b.png: blue") {
		t.Errorf("classify:\n%s", cls)
	}
	os.Remove(bad)
	ev := mustCLI(t, "eval", "-weights", out, dir)
	if !strings.Contains(ev, "images: 15\ntop-1:  100.00%") {
		t.Errorf("eval:\n%s", ev)
	}

	// The same seed writes the same bytes.
	out2 := filepath.Join(tmp, "again.alexnet")
	mustCLI(t, "teach", "-weights", base, "-out", out2, "-seed", "3", "-holdout", "0.4", dir)
	mustCLI(t, "teach", "-weights", base, "-out", out, "-seed", "3", "-holdout", "0.4", dir)
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(out2)
	if !bytes.Equal(a, b) {
		t.Error("two runs with the same seed wrote different files")
	}
}

func TestTeachBadInputs(t *testing.T) {
	tmp := t.TempDir()
	base := tinyWeights(t, tmp, 0)
	out := filepath.Join(tmp, "t.alexnet")
	one := teachDir(t, 3, map[string]color.RGBA{"red": rgb["red"]})
	empty := teachDir(t, 3, rgb)
	if err := os.Mkdir(filepath.Join(empty, "yellow"), 0o755); err != nil {
		t.Fatal(err)
	}
	allBad := teachDir(t, 3, map[string]color.RGBA{"red": rgb["red"]})
	os.MkdirAll(filepath.Join(allBad, "junk"), 0o755)
	os.WriteFile(filepath.Join(allBad, "junk", "x.png"), []byte("not a png"), 0o644)
	for _, c := range []struct {
		name string
		code int
		want string
		args []string
	}{
		{"no directory", 2, "want one directory", []string{"teach", "-weights", base}},
		{"missing directory", 1, "no such file", []string{"teach", "-weights", base, "-out", out, filepath.Join(tmp, "nope")}},
		{"one class", 1, "has 1 class folder(s) [red]; teach needs at least 2", []string{"teach", "-weights", base, "-out", out, one}},
		{"empty class", 1, `class "yellow"`, []string{"teach", "-weights", base, "-out", out, empty}},
		{"class of unreadable photos", 1, `class "junk": none of its 1 files could be read`, []string{"teach", "-weights", base, "-out", out, allBad}},
		{"bad holdout", 2, "-holdout 2, want 0..0.9", []string{"teach", "-weights", base, "-out", out, "-holdout", "2", teachDir(t, 2, rgb)}},
	} {
		code, _, stderr := cli(t, c.args...)
		lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
		if code != c.code || !strings.Contains(lines[len(lines)-1], c.want) || strings.Contains(stderr, "goroutine") {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and a last line containing %q", c.name, code, stderr, c.code, c.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed teach wrote its output file")
	}
}

// TestTeachNpy teaches from .npy tensors at the embedding's input size
// (9/7 of the tiny base's 8x8: 10x10), with nothing held out.
func TestTeachNpy(t *testing.T) {
	tmp := t.TempDir()
	base := tinyWeights(t, tmp, 0)
	dir := t.TempDir()
	for ci, class := range []string{"dark", "light"} {
		for i := range 3 {
			data := make([]float32, 3*10*10)
			for j := range data {
				data[j] = float32(2*ci-1) + 0.1*float32(i)
			}
			b, err := npy.Write([]int{1, 3, 10, 10}, data)
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(dir, class), 0o755)
			if err := os.WriteFile(filepath.Join(dir, class, string(rune('a'+i))+".npy"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := filepath.Join(tmp, "npy.alexnet")
	stdout := mustCLI(t, "teach", "-weights", base, "-out", out, "-holdout", "0", dir)
	if !strings.Contains(stdout, "taught 2 classes from 6 photos") || !strings.Contains(stdout, "no photos held out") {
		t.Errorf("stdout:\n%s", stdout)
	}
	cls := mustCLI(t, "classify", "-weights", out, "-top", "1", filepath.Join(dir, "light", "b.npy"))
	if !strings.Contains(cls, "b.npy: light") {
		t.Errorf("classify:\n%s", cls)
	}
	// A tensor at the base's size is refused with the size it needs.
	b, _ := npy.Write([]int{1, 3, 8, 8}, make([]float32, 192))
	os.WriteFile(filepath.Join(dir, "dark", "small.npy"), b, 0o644)
	_, _, stderr := cli(t, "teach", "-weights", base, "-out", out, "-holdout", "0", dir)
	if !strings.Contains(stderr, "small.npy") || !strings.Contains(stderr, "3x10x10") {
		t.Errorf("stderr %q: want small.npy skipped, saying 3x10x10", stderr)
	}
}
