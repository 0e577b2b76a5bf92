package main

import (
	"image"

	"alexnet/prep/centercrop"
	"alexnet/weights"
)

// The sizes the worker draws an image at, before package prep takes over
// (image_js.go draws it; these are the numbers, free of syscall/js).

// FitWithin returns w x h scaled down (never up) so the longer side is at
// most side, keeping the aspect ratio and at least 1 pixel per side; 0, 0
// for an empty size.
func FitWithin(w, h, side int) (int, int) {
	if w <= 0 || h <= 0 {
		return 0, 0
	}
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max((h*side+w/2)/w, 1)
	}
	return max((w*side+h/2)/h, 1), side
}

// LiveCrop is the part of a w x h camera frame that p keeps: the shorter
// side resized to p.Resize, then the centre crop of CropW x CropH, mapped
// back to source pixels (centercrop.Source, the geometry prep resizes and
// crops with); p.Resize 0 keeps the whole frame (squashed). The browser cuts
// and scales that rectangle to CropW x CropH, so prep leaves the frame as it
// is: a quarter of the pixels of a 640x480 frame. The empty rectangle when a
// size is not positive.
func LiveCrop(w, h int, p weights.Preprocess) image.Rectangle {
	x, y, sw, sh := centercrop.Source(w, h, p.Resize, p.CropW, p.CropH)
	return image.Rect(x, y, x+sw, y+sh)
}
