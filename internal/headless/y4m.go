package headless

import (
	"bufio"
	"fmt"
	"image"
	"math"
	"os"

	"golang.org/x/image/draw"
)

// WriteY4M writes a video of frames copies of src, scaled to w x h, for
// Chromium's fake camera (--use-file-for-fake-video-capture): 4:2:0 Y4M at
// 30 FPS, BT.601 limited range. It returns the scaled frame, which is what
// the camera shows before its colour round trip (RGB -> YUV 4:2:0 -> RGB).
func WriteY4M(src image.Image, path string, w, h, frames int) (*image.RGBA, error) {
	if w < 2 || h < 2 || w%2 != 0 || h%2 != 0 || frames < 1 {
		return nil, fmt.Errorf("y4m: %dx%d, %d frames: want even sizes and at least one frame", w, h, frames)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Rect, src, src.Bounds(), draw.Src, nil)
	clamp := func(v float64) byte { return byte(math.Max(0, math.Min(255, math.Round(v)))) }
	rgb := func(x, y int) (float64, float64, float64) {
		i := dst.PixOffset(x, y)
		return float64(dst.Pix[i]) / 255, float64(dst.Pix[i+1]) / 255, float64(dst.Pix[i+2]) / 255
	}
	Y := make([]byte, w*h)
	U := make([]byte, (w/2)*(h/2))
	V := make([]byte, (w/2)*(h/2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, b := rgb(x, y)
			Y[y*w+x] = clamp(16 + 65.481*r + 128.553*g + 24.966*b)
		}
	}
	for y := 0; y < h/2; y++ {
		for x := 0; x < w/2; x++ {
			var r, g, b float64
			for d := 0; d < 4; d++ {
				rr, gg, bb := rgb(2*x+d%2, 2*y+d/2)
				r, g, b = r+rr/4, g+gg/4, b+bb/4
			}
			U[y*(w/2)+x] = clamp(128 - 37.797*r - 74.203*g + 112*b)
			V[y*(w/2)+x] = clamp(128 + 112*r - 93.786*g - 18.214*b)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n", w, h)
	for i := 0; i < frames; i++ {
		bw.WriteString("FRAME\n")
		bw.Write(Y)
		bw.Write(U)
		bw.Write(V)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	return dst, f.Close()
}
