// Package prep turns an image into the network's input tensor the way the
// model was trained, following a weights.Preprocess. For the flowers model
// that is torchvision's
//
//	Resize(224)            shorter side to 224, PIL bilinear (antialiased)
//	CenterCrop(224)        top = int(round((h - 224) / 2.0)), Python rounding
//	ToTensor()             uint8 -> float32 / 255, (C,H,W)
//	Normalize(mean, std)   (x - mean[c]) / std[c]
//
// and this package does the same steps in the same order, on 8-bit RGB like
// PIL: the resized image is rounded to uint8 before cropping and
// normalising. The resampling is golang.org/x/image/draw's BiLinear, which
// like PIL's BILINEAR widens its tent kernel by the scale factor when
// shrinking (antialiasing) and centres pixels at +0.5; PIL rounds to 8 bits
// between its horizontal and vertical passes and x/image does not, so
// values can differ by one or two levels of 255. See prep_test.go for the
// measured difference against torchvision on real photos.
//
// Alpha is dropped (like PIL's convert("RGB")): a transparent pixel keeps
// its colour. Nothing here uses syscall/js or the file system; the wasm
// worker wraps a canvas's ImageData as an image.Image (no copy) for the
// classifier, which preprocesses it with a Scratch. The geometry of the
// resize and the crop is package centercrop's.
package prep

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"

	xdraw "golang.org/x/image/draw"

	"alexnet/nn"
	"alexnet/prep/centercrop"
	"alexnet/weights"
)

// Errors, wrapped with context.
var (
	ErrImage      = errors.New("prep: bad image")
	ErrPreprocess = errors.New("prep: bad preprocessing")
)

// MaxPixels is the largest source image accepted, in pixels (about 268 Mpx).
const MaxPixels = 1 << 28

// Size is the shape of the tensor p produces: 3 × CropH × CropW.
func Size(p weights.Preprocess) int { return 3 * p.CropH * p.CropW }

// Tensor converts img into a new (3,CropH,CropW) float32 tensor.
func Tensor(img image.Image, p weights.Preprocess) ([]float32, error) {
	if err := check(p); err != nil {
		return nil, err
	}
	dst := make([]float32, Size(p))
	return dst, into(dst, img, p, nil)
}

// Scratch keeps the 8-bit images that preprocessing makes on the way (the
// source as opaque RGBA when it is not already, the resized image) for the
// next call, so a stream of frames of one size allocates them once. The
// zero value is ready to use; it is not safe for concurrent use.
type Scratch struct {
	conv, resized image.RGBA
	// x/image's BiLinear.Scale builds a scaler (filter weights and a
	// float64 buffer of dw*sh pixels, 2.3 MB for 320x240 -> 298x224) on
	// every call; NewScaler's keeps them for the same sizes.
	scaler xdraw.Scaler
	sizes  [4]int // dw, dh, sw, sh of scaler
}

// Into writes img's tensor into dst, which must have Size(p) floats: the
// tensor Tensor makes, reusing s's buffers.
func (s *Scratch) Into(dst []float32, img image.Image, p weights.Preprocess) error {
	return into(dst, img, p, s)
}

// into is Tensor into dst, with the buffers of s when it is not nil.
func into(dst []float32, img image.Image, p weights.Preprocess, s *Scratch) error {
	c, err := crop(img, p, s)
	if err != nil {
		return err
	}
	if len(dst) != Size(p) {
		return fmt.Errorf("%w: destination has %d floats, want %d", ErrPreprocess, len(dst), Size(p))
	}
	normalize(dst, c, p)
	return nil
}

// reuse returns m resized to w×h, reusing its pixels when they are large
// enough (the contents are not cleared: callers overwrite every pixel).
func reuse(m *image.RGBA, w, h int) *image.RGBA {
	n := 4 * w * h
	if cap(m.Pix) < n {
		m.Pix = make([]byte, n)
	}
	m.Pix, m.Stride, m.Rect = m.Pix[:n], 4*w, image.Rect(0, 0, w, h)
	return m
}

// crop returns the resized and centre-cropped 8-bit image (CropW × CropH):
// what torchvision's Resize + CenterCrop give before ToTensor. It uses s's
// buffers when s is not nil.
func crop(img image.Image, p weights.Preprocess, s *Scratch) (*image.RGBA, error) {
	if err := check(p); err != nil {
		return nil, err
	}
	if img == nil {
		return nil, fmt.Errorf("%w: no image", ErrImage)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 1 || h < 1 || w > MaxPixels/h {
		return nil, fmt.Errorf("%w: %dx%d pixels", ErrImage, w, h)
	}
	nw, nh := centercrop.Resized(w, h, p.Resize, p.CropW, p.CropH)
	if nw > nn.MaxDim || nh > nn.MaxDim {
		return nil, fmt.Errorf("%w: %dx%d is too elongated (resized to %dx%d)", ErrImage, w, h, nw, nh)
	}
	var conv *image.RGBA
	if s != nil {
		conv = &s.conv
	}
	src := toRGBA(img, conv)
	var r *image.RGBA
	switch {
	case nw == w && nh == h:
		r = src // torchvision returns the image unchanged too
	case s != nil:
		r = reuse(&s.resized, nw, nh)
		if sz := [4]int{nw, nh, w, h}; s.scaler == nil || s.sizes != sz {
			s.scaler, s.sizes = xdraw.BiLinear.NewScaler(nw, nh, w, h), sz
		}
		s.scaler.Scale(r, r.Rect, src, src.Rect, xdraw.Src, nil)
	default:
		r = image.NewRGBA(image.Rect(0, 0, nw, nh))
		xdraw.BiLinear.Scale(r, r.Rect, src, src.Rect, xdraw.Src, nil)
	}
	top, left := centercrop.Offset(nh, p.CropH), centercrop.Offset(nw, p.CropW)
	return r.SubImage(image.Rect(left, top, left+p.CropW, top+p.CropH)).(*image.RGBA), nil
}

func check(p weights.Preprocess) error {
	ok := p.CropH >= 1 && p.CropW >= 1 && p.CropH <= nn.MaxDim && p.CropW <= nn.MaxDim &&
		(p.Resize == 0 || (p.Resize >= max(p.CropH, p.CropW) && p.Resize <= nn.MaxDim))
	for c := range 3 {
		ok = ok && p.Std[c] > 0
	}
	if !ok {
		return fmt.Errorf("%w: resize %d crop %dx%d std %v", ErrPreprocess, p.Resize, p.CropH, p.CropW, p.Std)
	}
	return nil
}

// normalize is ToTensor + Normalize, in float32 like PyTorch:
// dst[c][y][x] = (pix/255 - mean[c]) / std[c].
func normalize(dst []float32, img *image.RGBA, p weights.Preprocess) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	plane := w * h
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := range w {
			px := row[4*x : 4*x+3 : 4*x+3]
			for c, v := range px {
				dst[c*plane+y*w+x] = (float32(v)/255 - p.Mean[c]) / p.Std[c]
			}
		}
	}
}

// toRGBA gives the image as opaque 8-bit RGB in an *image.RGBA at the origin,
// dropping alpha. A conversion goes into buf when it is not nil (its pixels
// reused), else into a new image.
func toRGBA(img image.Image, buf *image.RGBA) *image.RGBA {
	b := img.Bounds()
	newRGBA := func(r image.Rectangle) *image.RGBA {
		if buf == nil {
			return image.NewRGBA(r)
		}
		return reuse(buf, r.Dx(), r.Dy())
	}
	switch m := img.(type) {
	case *image.RGBA:
		if m.Rect.Min == (image.Point{}) && opaque(m.Pix) {
			return m
		}
		// Premultiplied: the loop below un-premultiplies, which drops alpha
		// without darkening.
	case *image.NRGBA:
		if m.Rect.Min == (image.Point{}) && opaque(m.Pix) {
			// Opaque: the same bytes as premultiplied RGBA, and the same
			// struct (a conversion, no copy): what the wasm worker's
			// frames usually are.
			return (*image.RGBA)(m)
		}
		out := newRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := range b.Dy() {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			dst := out.Pix[y*out.Stride:][:4*b.Dx()]
			for i := 0; i < len(src); i += 4 {
				dst[i], dst[i+1], dst[i+2], dst[i+3] = src[i], src[i+1], src[i+2], 255
			}
		}
		return out
	case *image.YCbCr, *image.Gray, *image.CMYK:
		// Opaque types: the standard library's draw has fast paths for these.
		out := newRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(out, out.Rect, img, b.Min, draw.Src)
		return out
	}
	// Any other image, and non-opaque *image.RGBA: through NRGBA.
	out := newRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			out.SetRGBA(x, y, color.RGBA{c.R, c.G, c.B, 255})
		}
	}
	return out
}

func opaque(pix []byte) bool {
	for i := 3; i < len(pix); i += 4 {
		if pix[i] != 255 {
			return false
		}
	}
	return true
}
