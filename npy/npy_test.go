package npy

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNumPyFiles reads files np.save wrote (testdata/gen.py).
func TestNumPyFiles(t *testing.T) {
	want := make([]float32, 12)
	for i := range want {
		want[i] = (float32(i) - 5.5) / 4
	}
	for _, c := range []struct {
		file  string
		shape []int
		data  []float32
	}{
		{"numpy-1x3x2x2.npy", []int{1, 3, 2, 2}, want},
		{"numpy-v2.npy", []int{1, 3, 2, 2}, want},
		{"numpy-scalar.npy", []int{}, []float32{2.5}},
		{"numpy-vector.npy", []int{3}, []float32{1.5, -2, 3e-8}},
	} {
		a, err := Read(readFile(t, c.file))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if !reflect.DeepEqual(a.Shape, c.shape) || !reflect.DeepEqual(a.Data, c.data) {
			t.Errorf("%s: got %v %v, want %v %v", c.file, a.Shape, a.Data, c.shape, c.data)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, shape := range [][]int{{}, {0}, {5}, {2, 3}, {1, 3, 4, 5}, {2, 0, 3}} {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = float32(i)*0.37 - 1
		}
		data = append(data[:0:0], data...)
		b, err := Write(shape, data)
		if err != nil {
			t.Fatal(err)
		}
		if hl := 10 + int(binary.LittleEndian.Uint16(b[8:])); hl%64 != 0 {
			t.Errorf("%v: data at %d, not a multiple of 64", shape, hl)
		}
		a, err := Read(b)
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		if !reflect.DeepEqual(a.Shape, shape) || len(a.Data) != len(data) {
			t.Fatalf("%v: got shape %v, %d values", shape, a.Shape, len(a.Data))
		}
		for i := range data {
			if a.Data[i] != data[i] {
				t.Fatalf("%v: value %d is %g, want %g", shape, i, a.Data[i], data[i])
			}
		}
	}
	if _, err := Write([]int{2, 2}, make([]float32, 3)); !errors.Is(err, ErrShape) {
		t.Errorf("Write with a wrong length: %v", err)
	}
}

// withHeader builds a version 1.0 file with the given header text and data bytes.
func withHeader(h string, data int) []byte {
	b := append([]byte(magic), 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	b = append(b, h...)
	return append(b, make([]byte, data)...)
}

func TestReadErrors(t *testing.T) {
	good, _ := Write([]int{2, 3}, make([]float32, 6))
	hdr := func(shape string) string {
		return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }\n"
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"magic prefix", []byte("\x93NUM"), ErrTruncated},
		{"not npy", []byte("PK\x03\x04zipfile"), ErrMagic},
		{"short not npy", []byte("{}"), ErrMagic},
		{"no version", []byte(magic), ErrTruncated},
		{"version 4", append([]byte(magic), 4, 0, 0, 0, 0, 0), ErrVersion},
		{"version 1.1", append([]byte(magic), 1, 1, 0, 0), ErrVersion},
		{"no header length", append([]byte(magic), 1, 0, 5), ErrTruncated},
		{"no v2 header length", append([]byte(magic), 2, 0, 5, 0), ErrTruncated},
		{"header past end", good[:40], ErrTruncated},
		{"v2 header length huge", append([]byte(magic), 2, 0, 0xff, 0xff, 0xff, 0xff), ErrTruncated},
		{"data cut", good[:len(good)-1], ErrTruncated},
		{"trailing", append(good, 0), ErrTrailing},
		{"f64", readFile(t, "numpy-f64.npy"), ErrDType},
		{"fortran", readFile(t, "numpy-fortran.npy"), ErrOrder},
		{"big endian", withHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4), ErrDType},
		{"not a dict", withHeader("['descr']", 0), ErrHeader},
		{"unclosed", withHeader("{'descr': '<f4', 'fortran_order': False", 0), ErrHeader},
		{"unknown key", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", 4), ErrHeader},
		{"missing shape", withHeader("{'descr': '<f4', 'fortran_order': False}", 4), ErrHeader},
		{"bad bool", withHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", 4), ErrHeader},
		{"unquoted key", withHeader("{descr: '<f4'}", 0), ErrHeader},
		{"text after", withHeader(hdr("(1,)")+"x", 4), ErrHeader},
		{"negative dim", withHeader(hdr("(-1, 3)"), 0), ErrShape},
		{"dim not a number", withHeader(hdr("(a,)"), 0), ErrHeader},
		{"shape no paren", withHeader(hdr("[1]"), 0), ErrHeader},
		{"shape unclosed", withHeader(hdr("(1 2)"), 0), ErrHeader},
		{"dim huge", withHeader(hdr("(99999999999999999999,)"), 0), ErrTooLarge},
		{"product huge", withHeader(hdr("(65536, 65536, 65536)"), 0), ErrTooLarge},
		{"too many dims", withHeader(hdr("("+strings.Repeat("1,", 40)+")"), 4), ErrShape},
		{"data short for shape", withHeader(hdr("(1, 3, 224, 224)"), 100), ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Read(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read = %v, want %v", err, tt.want)
			}
			if a != nil {
				t.Error("an array with the error")
			}
			t.Log(err)
		})
	}
}

func TestSpecialValues(t *testing.T) {
	in := []float32{float32(math.Inf(1)), float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32}
	b, _ := Write([]int{3}, in)
	a, err := Read(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if math.Float32bits(a.Data[i]) != math.Float32bits(in[i]) {
			t.Errorf("value %d: %g, want %g", i, a.Data[i], in[i])
		}
	}
}

// FuzzRead checks that Read never panics, that what it accepts has as many
// values as its shape says, and that writing it back reads the same.
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.npy"))
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/")
	}
	for _, s := range seeds {
		f.Add(readFile(f, filepath.Base(s)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Read(b)
		if err != nil {
			if a != nil {
				t.Fatal("array with error")
			}
			return
		}
		n := 1
		for _, d := range a.Shape {
			n *= d
		}
		if n != len(a.Data) {
			t.Fatalf("shape %v, %d values", a.Shape, len(a.Data))
		}
		w, err := Write(a.Shape, a.Data)
		if err != nil {
			t.Fatal(err)
		}
		a2, err := Read(w)
		if err != nil || !reflect.DeepEqual(a2.Shape, a.Shape) || len(a2.Data) != len(a.Data) {
			t.Fatalf("rewrite: %v", err)
		}
		for i := range a.Data {
			if math.Float32bits(a.Data[i]) != math.Float32bits(a2.Data[i]) {
				t.Fatal("rewrite changes values")
			}
		}
	})
}
