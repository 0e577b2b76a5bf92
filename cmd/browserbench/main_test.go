package main

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	s := summarize([]float64{5, 1, 3, 2}, true)
	if s.N != 4 || s.Median != 2.5 || s.Min != 1 || s.Max != 5 || s.Mean != 2.75 || len(s.All) != 4 {
		t.Errorf("summarize = %+v", s)
	}
	if s := summarize([]float64{3, 1, 2}, false); s.Median != 2 || s.All != nil {
		t.Errorf("odd count: %+v", s)
	}
	if s := summarize(nil, true); s.N != 0 {
		t.Errorf("empty: %+v", s)
	}
}

func TestReadPeers(t *testing.T) {
	raw := []byte(`{"results":[{"config":"ort-wasm-1t","model":"seed_alexnet","median_ms":20,"min_ms":18,"init_ms":900,"first_ms":70},
		{"config":"tfjs-wasm-2t","ok":false,"error":"boom"}]}`)
	ps := readPeers(raw, 10)
	if len(ps) != 2 {
		t.Fatalf("got %d peers", len(ps))
	}
	if p := ps[0]; !p.OK || p.Ratio != 0.5 || p.Min != 18 || p.InitMs != 900 {
		t.Errorf("peer 0 = %+v", p)
	}
	if p := ps[1]; p.OK || p.ErrorMsg != "boom" || p.Ratio != 0 {
		t.Errorf("peer 1 = %+v", p)
	}
	if readPeers([]byte("not json"), 1) != nil {
		t.Error("bad JSON gave peers")
	}
}

func TestWriteY4M(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for i := range img.Pix {
		img.Pix[i] = 255 // white
	}
	img.Set(0, 0, color.RGBA{0, 0, 0, 255})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "v.y4m")
	if err := writeY4M(buf.Bytes(), p, 4, 2, 3); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	hdr := "YUV4MPEG2 W4 H2 F30:1 Ip A1:1 C420jpeg\n"
	frame := len("FRAME\n") + 4*2 + 2*(2*1)
	if !strings.HasPrefix(string(b), hdr) || len(b) != len(hdr)+3*frame {
		t.Fatalf("y4m: %d bytes, header %q", len(b), b[:min(len(b), len(hdr))])
	}
	// Mostly white: luma near 235 (limited range) in the last pixel.
	if y := b[len(hdr)+len("FRAME\n")+7]; y < 220 {
		t.Errorf("luma of a white pixel = %d", y)
	}
	if err := writeY4M([]byte("not a jpeg"), p, 4, 2, 1); err == nil {
		t.Error("no error for a bad photo")
	}
}
