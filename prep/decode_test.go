package prep

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	_ "image/png"
	"runtime"
	"testing"
)

// bombPNG is a small PNG whose header declares w x h RGB pixels (its data
// is a few kilobytes of zeros: a decoder that trusts the header allocates
// w*h*4 bytes before finding out).
func bombPNG(w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		b.Write(c)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// bombJPEG is a 16x16 baseline JPEG whose frame header (SOF0) is rewritten
// to declare w x h pixels.
func bombJPEG(t *testing.T, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	i := bytes.Index(p, []byte{0xff, 0xc0})
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(p[i+5:], uint16(h))
	binary.BigEndian.PutUint16(p[i+7:], uint16(w))
	return p
}

// TestDecodeBombs: files declaring 30000x30000 (PNG) and 65500x65500 (JPEG)
// pixels are refused from their header, allocating next to nothing (they
// used to take 3.5 GiB and 12.9 GB). A normal image decodes.
func TestDecodeBombs(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"png 30000x30000", bombPNG(30000, 30000)},
		{"jpeg 65500x65500", bombJPEG(t, 65500, 65500)},
		{"png 1x100000000", bombPNG(1, 100_000_000)},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		img, _, err := Decode(c.b)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrImage) || img != nil {
			t.Errorf("%s (%d bytes): %v, want ErrImage", c.name, len(c.b), err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("%s: allocated %d bytes before refusing", c.name, got)
		}
		t.Log(err)
	}
	img, format, err := Decode(bombJPEG(t, 16, 16))
	if err != nil || format != "jpeg" || img.Bounds().Dx() != 16 {
		t.Errorf("a 16x16 JPEG: %v %q %v", img, format, err)
	}
	if _, _, err := Decode([]byte("not an image")); !errors.Is(err, image.ErrFormat) {
		t.Errorf("garbage: %v, want image.ErrFormat", err)
	}
}
