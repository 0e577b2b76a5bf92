package centercrop

import (
	"math"
	"testing"
)

func TestOffset(t *testing.T) {
	// int(round((n - crop) / 2.0)) in Python 3: halves round to even.
	for _, c := range []struct{ n, crop, want int }{
		{224, 224, 0}, {225, 224, 0}, {226, 224, 1}, {227, 224, 2}, {228, 224, 2},
		{229, 224, 2}, {230, 224, 3}, {231, 224, 4}, {336, 224, 56}, {298, 224, 37},
	} {
		if got := Offset(c.n, c.crop); got != c.want {
			t.Errorf("Offset(%d, %d) = %d, want %d", c.n, c.crop, got, c.want)
		}
	}
}

func TestResized(t *testing.T) {
	// torchvision: short side = size, long side = int(size * long / short).
	for _, c := range []struct{ w, h, resize, nw, nh int }{
		{500, 333, 224, 336, 224}, {193, 240, 224, 224, 278}, {240, 240, 224, 224, 224},
		{500, 333, 256, 384, 256}, {320, 263, 224, 272, 224}, {1, 3, 224, 224, 672},
	} {
		if nw, nh := Resized(c.w, c.h, c.resize, 224, 224); nw != c.nw || nh != c.nh {
			t.Errorf("%dx%d resize %d: %dx%d, want %dx%d", c.w, c.h, c.resize, nw, nh, c.nw, c.nh)
		}
	}
	if nw, nh := Resized(500, 333, 0, 224, 200); nw != 224 || nh != 200 {
		t.Errorf("resize 0: %dx%d, want the crop size", nw, nh)
	}
}

func TestSource(t *testing.T) {
	for _, tc := range []struct {
		w, h, resize, cw, ch int
		want                 [4]int
	}{
		{320, 240, 224, 224, 224, [4]int{40, 0, 241, 240}},
		{240, 320, 224, 224, 224, [4]int{0, 40, 240, 241}},
		{640, 480, 256, 224, 224, [4]int{109, 30, 420, 420}},
		{500, 500, 224, 224, 224, [4]int{0, 0, 500, 500}},
		{224, 224, 224, 224, 224, [4]int{0, 0, 224, 224}},
		{320, 240, 0, 224, 224, [4]int{0, 0, 320, 240}},
		{1, 10000, 224, 224, 224, [4]int{0, 5000, 1, 1}},
		{0, 240, 224, 224, 224, [4]int{}},
		{320, 240, 224, 0, 224, [4]int{}},
		{320, 240, -1, 224, 224, [4]int{}},
	} {
		x, y, sw, sh := Source(tc.w, tc.h, tc.resize, tc.cw, tc.ch)
		if got := [4]int{x, y, sw, sh}; got != tc.want {
			t.Errorf("Source(%d, %d, %d, %d, %d) = %v, want %v", tc.w, tc.h, tc.resize, tc.cw, tc.ch, got, tc.want)
		}
	}
	// The rectangle is the centre crop of the resized image mapped back,
	// within a pixel, and always inside the image.
	const resize, cw, ch = 256, 224, 224
	for w := 1; w <= 1300; w += 37 {
		for h := 1; h <= 1300; h += 41 {
			x, y, sw, sh := Source(w, h, resize, cw, ch)
			if x < 0 || y < 0 || sw < 1 || sh < 1 || x+sw > w || y+sh > h {
				t.Fatalf("Source(%d, %d) = %d,%d %dx%d: outside the image", w, h, x, y, sw, sh)
			}
			nw, nh := Resized(w, h, resize, cw, ch)
			check := func(pos, size, src, n, crop int) {
				want := float64(Offset(n, crop)) * float64(src) / float64(n)
				wantSize := min(float64(crop)*float64(src)/float64(n), float64(src))
				if math.Abs(float64(size)-wantSize) > 1 || math.Abs(float64(pos)-want) > 1+math.Abs(float64(size)-wantSize) {
					t.Fatalf("Source(%d, %d) = %d,%d %dx%d: want offset %.1f size %.1f (resized %dx%d)", w, h, x, y, sw, sh, want, wantSize, nw, nh)
				}
			}
			check(x, sw, w, nw, cw)
			check(y, sh, h, nh, ch)
		}
	}
}
