// Package centercrop is the geometry of torchvision's Resize + CenterCrop:
// the size of the resized image, the crop's offset, and the part of the
// source image the crop keeps. Package prep does the resizing and cropping
// with it; the page uses Source to cut camera frames down to what the model
// sees. It imports nothing, so the page gets it without prep's image code.
package centercrop

// Resized is the size torchvision's Resize(resize) gives a w×h image: the
// shorter side becomes resize and the longer int(resize * long / short).
// With resize 0 (no Resize: the whole image squashed) it is cropW×cropH.
func Resized(w, h, resize, cropW, cropH int) (nw, nh int) {
	if resize == 0 {
		return cropW, cropH
	}
	if w <= h {
		return resize, resize * h / w
	}
	return resize * w / h, resize
}

// Offset is torchvision's CenterCrop offset int(round((n - crop) / 2.0)):
// Python rounds halves to even, so 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
func Offset(n, crop int) int {
	d := n - crop
	o := d / 2
	if d%2 != 0 && o%2 != 0 {
		o++
	}
	return o
}

// Source is the part of a w×h image that Resize(resize) + CenterCrop(cropH,
// cropW) keep, mapped back to source pixels: the rectangle at (x, y) of
// sw×sh pixels, rounded to the nearest pixel, at least one pixel wide and
// inside the image. With resize 0 it is the whole image (squashed, not
// cropped). All zero when a size is not positive.
func Source(w, h, resize, cropW, cropH int) (x, y, sw, sh int) {
	if w <= 0 || h <= 0 || cropW <= 0 || cropH <= 0 || resize < 0 {
		return 0, 0, 0, 0
	}
	if resize == 0 {
		return 0, 0, w, h
	}
	nw, nh := Resized(w, h, resize, cropW, cropH)
	if nw < 1 || nh < 1 {
		return 0, 0, w, h
	}
	x, sw = span(nw, w, cropW)
	y, sh = span(nh, h, cropH)
	return x, y, sw, sh
}

// span maps the centre crop of crop pixels out of n resized ones back to
// the src pixels they came from: offset and size.
func span(n, src, crop int) (pos, size int) {
	pos = (Offset(n, crop)*src + n/2) / n
	size = (crop*src + n/2) / n
	size = min(max(size, 1), src)
	pos = min(max(pos, 0), src-size)
	return pos, size
}
