package main

import (
	"image"
	"testing"

	"alexnet/weights"
)

func TestFitWithin(t *testing.T) {
	for _, tc := range []struct{ w, h, max, ww, wh int }{
		{320, 240, 2048, 320, 240},
		{10000, 10000, 2048, 2048, 2048},
		{10000, 5000, 2048, 2048, 1024},
		{3000, 4000, 2048, 1536, 2048},
		{100000, 1, 2048, 2048, 1},
		{1, 100000, 2048, 1, 2048},
		{0, 10, 2048, 0, 0},
		{-5, 10, 2048, 0, 0},
	} {
		w, h := FitWithin(tc.w, tc.h, tc.max)
		if w != tc.ww || h != tc.wh {
			t.Errorf("FitWithin(%d, %d, %d) = %dx%d, want %dx%d", tc.w, tc.h, tc.max, w, h, tc.ww, tc.wh)
		}
		if w > tc.max || h > tc.max {
			t.Errorf("FitWithin(%d, %d, %d) = %dx%d exceeds the cap", tc.w, tc.h, tc.max, w, h)
		}
	}
}

func TestLiveCrop(t *testing.T) {
	for _, tc := range []struct {
		w, h, resize, cw, ch int
		want                 image.Rectangle
	}{
		{320, 240, 224, 224, 224, image.Rect(40, 0, 40+241, 240)},
		{240, 320, 224, 224, 224, image.Rect(0, 40, 240, 40+241)},
		{640, 480, 256, 224, 224, image.Rect(109, 30, 109+420, 30+420)},
		{500, 500, 224, 224, 224, image.Rect(0, 0, 500, 500)},
		{224, 224, 224, 224, 224, image.Rect(0, 0, 224, 224)},
		{320, 240, 0, 224, 224, image.Rect(0, 0, 320, 240)},
		{1, 10000, 224, 224, 224, image.Rect(0, 5000, 1, 5001)},
		{0, 240, 224, 224, 224, image.Rectangle{}},
		{320, 240, 224, 0, 224, image.Rectangle{}},
		{320, 240, -1, 224, 224, image.Rectangle{}},
	} {
		p := weights.Preprocess{Resize: tc.resize, CropW: tc.cw, CropH: tc.ch}
		if got := LiveCrop(tc.w, tc.h, p); got != tc.want {
			t.Errorf("LiveCrop(%d, %d, %+v) = %v, want %v", tc.w, tc.h, p, got, tc.want)
		}
	}
}
