package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"alexnet/npy"
)

// Hostile inputs (issue 10): each must give a clear one-line error, never a
// panic, a hang or an unbounded allocation, and must not stop the other
// inputs of the same command.

// rewrite replaces old by new (same length) in a weight file and fixes its
// CRC-32C, the way a hostile file would be written by hand.
func rewrite(t *testing.T, path, old, new string) string {
	t.Helper()
	if len(old) != len(new) {
		t.Fatal("rewrite keeps the length")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	b = bytes.Replace(b, []byte(old), []byte(new), 1)
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], crc32.MakeTable(crc32.Castagnoli)))
	out := path + ".hostile"
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestControlCharacters: a label or model name with a newline, an ANSI
// escape or a bidi override is refused when the file is read, so classify
// and inspect never print it raw.
func TestControlCharacters(t *testing.T) {
	dir := t.TempDir()
	w := tinyWeights(t, dir, 0)
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, color.RGBA{200, 10, 10, 255}, 20, 13)
	for _, c := range []struct{ old, new string }{
		{"green", "gr\ne\n"},
		{"green", "\x1b[2J\x1b"},
		{"green", "g\u202er"}, // 5 bytes: g, U+202E (3 bytes), r
		{"blue", "bl\rx"},
	} {
		bad := rewrite(t, w, c.old, c.new)
		for _, args := range [][]string{{"inspect", bad}, {"classify", "-weights", bad, img}, {"classify", "-json", "-weights", bad, img}} {
			code, out, errOut := cli(t, args...)
			if code != 1 || out != "" {
				t.Errorf("label %q: %s: exit %d, stdout %q", c.new, args[0], code, out)
			}
			oneLineErr(t, errOut, "control character")
			if strings.ContainsAny(errOut, "\x1b\r\u202e") {
				t.Errorf("label %q: %s: raw control character on stderr: %q", c.new, args[0], errOut)
			}
		}
	}
	// The model name (the byte after "tiny" is the arch name's length).
	bad := rewrite(t, w, "tiny", "t\ni\n")
	failCLI(t, 1, "control character", "inspect", bad)
}

// TestNotFiniteInputs: an input of 1e38 overflows the default model to
// NaN logits. That input is an error in the text and JSON outputs, the
// inputs after it are still classified, and the exit status is 1.
func TestNotFiniteInputs(t *testing.T) {
	dir := t.TempDir()
	x := make([]float32, 3*224*224)
	for i := range x {
		x[i] = 1e38
	}
	huge := filepath.Join(dir, "huge.npy")
	b, _ := npy.Write([]int{1, 3, 224, 224}, x)
	os.WriteFile(huge, b, 0o644)
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, color.RGBA{200, 10, 10, 255}, 40, 30)

	code, out, errOut := cli(t, "classify", huge, img)
	if code != 1 || !strings.HasPrefix(out, img+": ") || strings.Count(out, "\n") != 1 || strings.Contains(out, "NaN") {
		t.Errorf("text: exit %d, stdout %q", code, out)
	}
	if !strings.Contains(errOut, huge+": classifier: the network's output is not finite") || !strings.Contains(errOut, "1 of 2 inputs failed") {
		t.Errorf("text: stderr %q", errOut)
	}
	code, out, errOut = cli(t, "classify", "-json", huge, img)
	var r jsonResult
	if err := json.Unmarshal([]byte(out), &r); code != 1 || err != nil || r.File != img {
		t.Errorf("json: exit %d, stdout %q (%v)", code, out, err)
	}
	if !strings.Contains(errOut, "not finite") || strings.Contains(errOut, "unsupported value") {
		t.Errorf("json: stderr %q", errOut)
	}
}

// TestImageBomb: a PNG declaring 30000x30000 pixels is refused from its
// header (it used to take 3.5 GiB and 6 s before the same refusal).
func TestImageBomb(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	p := b.Bytes() // signature (8), IHDR length and type (8), width, height
	binary.BigEndian.PutUint32(p[16:], 30000)
	binary.BigEndian.PutUint32(p[20:], 30000)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	bomb := filepath.Join(dir, "bomb.png")
	os.WriteFile(bomb, p, 0o644)
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, color.RGBA{200, 10, 10, 255}, 20, 13)
	code, out, errOut := cli(t, "classify", "-weights", tinyWeights(t, dir, 0), bomb, img)
	if code != 1 || !strings.HasPrefix(out, img+": ") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if !strings.Contains(errOut, "declares 30000x30000 pixels") {
		t.Errorf("stderr %q", errOut)
	}
}
