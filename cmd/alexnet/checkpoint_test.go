package main

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"alexnet/nn"
)

// Checkpoints written by hand, the way torch.save lays them out (a zip of
// archive/data.pkl and archive/data/KEY), so that the tests can make them
// hostile without PyTorch. The real thing is checked by the end-to-end
// tests (testdata/checkpoints.py).

// pthTensor is one state_dict entry: a view of storage key.
type pthTensor struct {
	name          string
	key           string
	numel         int64 // what the storage claims
	offset        int
	shape, stride []int
}

// pickleWriter writes pickle protocol 2 opcodes.
type pickleWriter struct{ bytes.Buffer }

func (p *pickleWriter) str(s string) {
	p.WriteByte('X')
	binary.Write(p, binary.LittleEndian, uint32(len(s)))
	p.WriteString(s)
}

func (p *pickleWriter) int(v int64) {
	if v == int64(int32(v)) {
		p.WriteByte('J')
		binary.Write(p, binary.LittleEndian, int32(v))
		return
	}
	p.Write([]byte{0x8a, 8}) // LONG1, 8 bytes
	binary.Write(p, binary.LittleEndian, v)
}

func (p *pickleWriter) global(module, name string) { p.WriteString("c" + module + "\n" + name + "\n") }

func (p *pickleWriter) ints(vs []int) {
	p.WriteByte('(')
	for _, v := range vs {
		p.int(int64(v))
	}
	p.WriteByte('t')
}

// statePickle is torch.save's pickle of an OrderedDict of tensors.
func statePickle(ts []pthTensor) []byte {
	var p pickleWriter
	p.Write([]byte{0x80, 2})
	p.global("collections", "OrderedDict")
	p.WriteString(")R(")
	for _, t := range ts {
		p.str(t.name)
		p.global("torch._utils", "_rebuild_tensor_v2")
		p.WriteString("((")
		p.str("storage")
		p.global("torch", "FloatStorage")
		p.str(t.key)
		p.str("cpu")
		p.int(t.numel)
		p.WriteString("tQ")
		p.int(int64(t.offset))
		p.ints(t.shape)
		p.ints(t.stride)
		p.WriteByte(0x89) // False
		p.global("collections", "OrderedDict")
		p.WriteString(")RtR")
	}
	p.WriteString("u.")
	return p.Bytes()
}

// writePth writes a zip checkpoint: data.pkl, then each storage's bytes
// (stored; a storage whose key starts with "deflate" is compressed).
func writePth(t *testing.T, path string, pkl []byte, storages map[string][]byte) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add := func(name string, data []byte, method uint16) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	add("archive/data.pkl", pkl, zip.Store)
	for key, data := range storages {
		m := zip.Store
		if strings.HasPrefix(key, "deflate") {
			m = zip.Deflate
		}
		add("archive/data/"+key, data, m)
	}
	add("archive/version", []byte("3\n"), zip.Store)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// seedViews is a seed checkpoint (5 classes) whose every tensor views the
// one value of storage "0" with zero strides: the whole architecture in a
// file of a few kilobytes.
func seedViews() []pthTensor {
	var ts []pthTensor
	for _, p := range nn.Seed(5).Params() {
		ts = append(ts, pthTensor{name: p.Name, key: "0", numel: 1, shape: p.Shape, stride: make([]int, len(p.Shape))})
	}
	return ts
}

func f32bytes(vs ...float32) []byte {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// convertBounded runs convert on a hostile file and checks that it fails
// with one line containing want, allocating at most 16 MB.
func convertBounded(t *testing.T, labels, in, want string) {
	t.Helper()
	convertWithin(t, 16<<20, labels, in, want)
}

// convertWithin is convertBounded allocating at most limit bytes.
func convertWithin(t *testing.T, limit uint64, labels, in, want string) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	code, _, errOut := cli(t, "convert", "-labels", labels, in, in+".alexnet")
	runtime.ReadMemStats(&after)
	if code != 1 {
		t.Errorf("%s: exit %d, want 1", filepath.Base(in), code)
	}
	oneLineErr(t, errOut, want)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit {
		t.Errorf("%s: allocated %d MB", filepath.Base(in), alloc>>20)
	}
	t.Logf("%s: %s (%v)", filepath.Base(in), strings.TrimSpace(errOut), time.Since(start).Round(time.Millisecond))
}

// TestConvertHostileCheckpoints: files that hung convert (empty, all
// zeros), killed it out of memory (a storage claiming 2^34 floats, zip
// bombs, huge views) or would run code (a pickle naming os.system) give
// one line of error quickly, allocating little.
func TestConvertHostileCheckpoints(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.txt")
	os.WriteFile(labels, []byte("a\nb\nc\nd\ne\n"), 0o644)
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	pth := func(name string, pkl []byte, storages map[string][]byte) string {
		p := filepath.Join(dir, name)
		writePth(t, p, pkl, storages)
		return p
	}
	one := map[string][]byte{"0": f32bytes(0.5)}

	convertBounded(t, labels, file("empty.pth", nil), "not a PyTorch checkpoint in zip format")
	convertBounded(t, labels, file("zeros.pth", make([]byte, 4096)), "not a PyTorch checkpoint in zip format")
	convertBounded(t, labels, file("legacy.pth", []byte("\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.")), "not a PyTorch checkpoint in zip format")

	// A storage claiming 2^34 floats (64 GiB), its entry 4 bytes.
	ts := seedViews()
	ts[0].numel = 1 << 34
	ts[0].key = "big"
	convertBounded(t, labels, pth("claim.pth", statePickle(ts), map[string][]byte{"0": f32bytes(1), "big": f32bytes(1)}),
		"claims 17179869184 values, more than the")
	// A storage claiming what the seed needs, its entry shorter.
	ts = seedViews()
	for i := range ts {
		ts[i].numel = 2000
	}
	convertBounded(t, labels, pth("short.pth", statePickle(ts), one), "claims 2000 values (8000 bytes), its zip entry holds 4 bytes")
	// Zip bomb: 64 MB of zeros deflated to about 64 KB, for a storage of 1 value.
	ts = seedViews()
	ts[0].key = "deflate"
	convertBounded(t, labels, pth("bomb.pth", statePickle(ts), map[string][]byte{"0": f32bytes(1), "deflate": make([]byte, 64<<20)}),
		"its zip entry holds 67108864 bytes")
	// Tensors whose storages hold more than they need: only the
	// architecture's parameter count (14.6 M for the seed) may be read in
	// all, so the third is refused after reading 12 M values (a few times
	// 48 MB with the growing buffers).
	ts = seedViews()
	budget := map[string][]byte{}
	for i := range ts[:3] {
		key := string(rune('a' + i))
		ts[i].key, ts[i].numel = key, 6_000_000
		budget[key] = make([]byte, 4*6_000_000)
	}
	budget["0"] = f32bytes(1)
	convertWithin(t, 256<<20, labels, pth("budget.pth", statePickle(ts), budget), "claims 6000000 values, more than the 2591685 left")
	// Extra stride-0 views of 2^28 values each (they used to be gathered,
	// 1 GiB apiece, before the architecture was chosen).
	ts = seedViews()
	for _, n := range []string{"x.0", "x.1", "x.2", "x.3"} {
		ts = append(ts, pthTensor{name: n, key: "0", numel: 1, shape: []int{16384, 16384}, stride: []int{0, 0}})
	}
	convertBounded(t, labels, pth("stride0.pth", statePickle(ts), one), "unexpected tensor x.0 [16384 16384]")
	// A view past the end of its storage.
	ts = seedViews()
	ts[2].stride[0] = 1
	convertBounded(t, labels, pth("past.pth", statePickle(ts), one), "runs past its storage of 1")

	// Pickles: code, lengths past the end, garbage.
	var p pickleWriter
	p.Write([]byte{0x80, 2})
	p.global("os", "system")
	p.str("touch " + filepath.Join(dir, "pwned"))
	p.WriteString("\x85R.")
	convertBounded(t, labels, pth("system.pth", p.Bytes(), nil), "refusing to load os.system")
	p.Reset()
	p.Write([]byte{0x80, 2})
	p.global("builtins", "eval")
	p.WriteString(".")
	convertBounded(t, labels, pth("eval.pth", p.Bytes(), nil), "refusing to load builtins.eval")
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Error("the pickle ran os.system")
	}
	convertBounded(t, labels, pth("unicode.pth", []byte("\x80\x02X\xf0\xff\xff\xff."), nil), "claims 4294967280 bytes, 1 follow")
	convertBounded(t, labels, pth("bytes8.pth", []byte("\x80\x04\x8e\x00\x00\x00\x00\x00\x01\x00\x00."), nil), "claims 1099511627776 bytes")
	convertBounded(t, labels, pth("frame.pth", []byte("\x80\x04\x95\x00\x00\x00\x00\x01\x00\x00\x00."), nil), "frame at 2 claims")
	convertBounded(t, labels, pth("nostop.pth", []byte("\x80\x02}"), nil), "no STOP opcode")
	convertBounded(t, labels, pth("opcode.pth", []byte("\x80\x02\xff."), nil), "unknown opcode 0xff")
	convertBounded(t, labels, pth("long1.pth", []byte("\x80\x02\x8a\x00."), nil), "not a PyTorch checkpoint this program reads")
	big := bytes.Repeat([]byte("N"), maxPickle+1)
	convertBounded(t, labels, pth("bigpickle.pth", append(big, '.'), nil), "data.pkl is 1048578 bytes")
}

// TestConvertViews: a checkpoint of zero-stride views converts (every
// weight 0.5), and NaN or infinite weights are refused for every
// quantisation (int8 and int4 used to zero them silently).
func TestConvertViews(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.txt")
	os.WriteFile(labels, []byte("a\nb\nc\nd\ne\n"), 0o644)
	in := filepath.Join(dir, "views.pth")
	writePth(t, in, statePickle(seedViews()), map[string][]byte{"0": f32bytes(0.5)})
	out := mustCLI(t, "convert", "-labels", labels, in, filepath.Join(dir, "views.alexnet"))
	if !strings.Contains(out, "seed, 5 classes, int8 weights") {
		t.Errorf("convert: %q", out)
	}
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		writePth(t, in, statePickle(seedViews()), map[string][]byte{"0": f32bytes(v)})
		for _, q := range []string{"int8", "mixed", "f16", "f32"} {
			failCLI(t, 1, "features.0.weight[0] is "+map[bool]string{true: "NaN", false: "-Inf"}[v != v]+": the checkpoint's weights must be finite",
				"convert", "-quant", q, "-labels", labels, in, filepath.Join(dir, "bad.alexnet"))
		}
	}
}
