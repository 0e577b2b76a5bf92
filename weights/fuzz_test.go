package weights

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that Decode never panics, and that whatever it accepts
// encodes to a fixed point. Each input is tried twice: as is, and with its
// file size field and checksum fixed, so the fuzzer also reaches the parser
// behind the checksum.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.alexnet"))
	if len(seeds) == 0 {
		f.Fatal("no seed files in testdata/")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check := func(b []byte) {
			m, err := Decode(b)
			if err != nil {
				if m != nil {
					t.Fatalf("model and error %v", err)
				}
				return
			}
			enc, err := Encode(m)
			if err != nil {
				t.Fatalf("Encode rejects a decoded model: %v", err)
			}
			m2, err := Decode(enc)
			if err != nil {
				t.Fatalf("Decode rejects an encoded model: %v", err)
			}
			enc2, err := Encode(m2)
			if err != nil || !bytes.Equal(enc, enc2) {
				t.Fatalf("encoding is not a fixed point (%v)", err)
			}
		}
		check(b)
		if len(b) >= headSize+checksumSize {
			check(fix(bytes.Clone(b)))
		}
	})
}
