package headless

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteY4M(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for i := range img.Pix {
		img.Pix[i] = 255 // white
	}
	img.Set(0, 0, color.RGBA{0, 0, 0, 255})
	p := filepath.Join(t.TempDir(), "v.y4m")
	fr, err := WriteY4M(img, p, 4, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if fr.Rect.Dx() != 4 || fr.Rect.Dy() != 2 {
		t.Errorf("frame %v, want 4x2", fr.Rect)
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
	if _, err := WriteY4M(img, p, 3, 2, 1); err == nil {
		t.Error("no error for an odd width")
	}
}
