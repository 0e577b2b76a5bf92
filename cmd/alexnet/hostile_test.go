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

	"alexnet/nn"
	"alexnet/npy"
	"alexnet/weights"
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

// wideWeights writes a valid 8x8-input model (conv, 8x8 average pool,
// linear), then rewrites its input, crop and resize to side x side: the
// tensors still fit, so only the cost checks stand between the file and a
// pass over side*side pixels.
func wideWeights(t *testing.T, dir string, side int) string {
	t.Helper()
	a := nn.Arch{Name: "wide", InC: 3, InH: 8, InW: 8, Layers: []nn.Layer{
		{Op: nn.OpConv, Name: "c", InC: 3, OutC: 3, Kernel: 3, Stride: 1, Pad: 1, Groups: 1},
		{Op: nn.OpAdaptiveAvgPool, OutH: 8, OutW: 8}, {Op: nn.OpFlatten},
		{Op: nn.OpLinear, Name: "fc", In: 192, Out: 2},
	}}
	m := &weights.Model{Name: "hostile", Arch: a, Labels: []string{"a", "b"},
		Prep:  weights.Preprocess{Resize: 8, CropH: 8, CropW: 8, Mean: weights.ImageNetMean, Std: weights.ImageNetStd},
		Calib: weights.Calibration{Temperature: 1}}
	for _, p := range a.Params() {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		m.Tensors = append(m.Tensors, weights.Quantize(p.Name, p.Shape, make([]float32, n), weights.F32))
	}
	b, err := weights.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	i32 := func(vs ...int) []byte {
		var out []byte
		for _, v := range vs {
			out = binary.LittleEndian.AppendUint32(out, uint32(v))
		}
		return out
	}
	for _, f := range [][2][]byte{
		{append([]byte("wide"), i32(3, 8, 8)...), append([]byte("wide"), i32(3, side, side)...)},
		{i32(8, 8, 8), i32(side, side, side)}, // resize, crop H, crop W
	} {
		if bytes.Count(b, f[0]) != 1 {
			t.Fatalf("%x is not in the file once", f[0])
		}
		b = bytes.Replace(b, f[0], f[1], 1)
	}
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], crc32.MakeTable(crc32.Castagnoli)))
	path := filepath.Join(dir, "wide.alexnet")
	os.WriteFile(path, b, 0o644)
	return path
}

// TestCostlyModel: inspect shows a model's memory and work; a small file
// whose 9000x9000 input would take gigabytes is refused by inspect and
// classify with the limit in the message, before anything is allocated.
func TestCostlyModel(t *testing.T) {
	dir := t.TempDir()
	out := mustCLI(t, "inspect", wideWeights(t, dir, 8))
	if !strings.Contains(out, "cost:         memory ") || !strings.Contains(out, "GFLOP a pass (limit 10)") {
		t.Errorf("inspect shows no cost:\n%s", out)
	}
	w := wideWeights(t, dir, 9000)
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, color.RGBA{200, 10, 10, 255}, 20, 13)
	failCLI(t, 1, "model too costly to run: running it needs about", "inspect", w)
	failCLI(t, 1, "more than the 1024 MiB allowed", "classify", "-weights", w, img)
}
