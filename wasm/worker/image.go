package main

import (
	"image"

	"alexnet/prep"
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
// side resized to p.Resize, then the centre crop of CropW x CropH (package
// prep's ResizedSize and CenterOffset, as torchvision's Resize +
// CenterCrop), mapped back to source pixels and kept inside the frame;
// p.Resize 0 keeps the whole frame (squashed). The browser cuts and scales
// that rectangle to CropW x CropH, so prep leaves the frame as it is: a
// quarter of the pixels of a 640x480 frame. The empty rectangle when a size
// is not positive.
func LiveCrop(w, h int, p weights.Preprocess) image.Rectangle {
	if w <= 0 || h <= 0 || p.CropW <= 0 || p.CropH <= 0 || p.Resize < 0 {
		return image.Rectangle{}
	}
	if p.Resize == 0 {
		return image.Rect(0, 0, w, h)
	}
	nw, nh := prep.ResizedSize(w, h, p)
	span := func(n, src, crop int) (int, int) {
		pos := (prep.CenterOffset(n, crop)*src + n/2) / n
		size := min(max((crop*src+n/2)/n, 1), src)
		pos = min(max(pos, 0), src-size)
		return pos, size
	}
	x, sw := span(nw, w, p.CropW)
	y, sh := span(nh, h, p.CropH)
	return image.Rect(x, y, x+sw, y+sh)
}
