package explain

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"alexnet/prep/centercrop"
	"alexnet/weights"
)

// Frame places the network's input in a photo: the photo's size and the
// rectangle of it that the input shows after the preprocessing's resize
// and centre crop (package centercrop), in photo pixels (fractional).
type Frame struct {
	W, H           int
	X0, Y0, X1, Y1 float64
}

// FrameOf is the frame of a w×h photo preprocessed as p says.
func FrameOf(w, h int, p weights.Preprocess) Frame {
	nw, nh := centercrop.Resized(w, h, p.Resize, p.CropW, p.CropH)
	top, left := centercrop.Offset(nh, p.CropH), centercrop.Offset(nw, p.CropW)
	sx, sy := float64(w)/float64(nw), float64(h)/float64(nh)
	return Frame{W: w, H: h, X0: float64(left) * sx, Y0: float64(top) * sy,
		X1: float64(left+p.CropW) * sx, Y1: float64(top+p.CropH) * sy}
}

// toPhoto maps the centre of input pixel (x, y) of an inW×inH input to photo
// coordinates.
func (f Frame) toPhoto(x, y, inW, inH int) (float64, float64) {
	return f.X0 + (float64(x)+0.5)*(f.X1-f.X0)/float64(inW), f.Y0 + (float64(y)+0.5)*(f.Y1-f.Y0)/float64(inH)
}

// Region names where the point (x, y) lies in a w×h picture, by thirds:
// "top-left", "top-centre", "top-right", "centre-left", "centre",
// "centre-right", "bottom-left", "bottom-centre" or "bottom-right".
func Region(x, y float64, w, h int) string {
	third := func(v float64, n int) int {
		return min(max(int(3*v/float64(n)), 0), 2)
	}
	row := [3]string{"top", "centre", "bottom"}[third(y, h)]
	col := [3]string{"left", "centre", "right"}[third(x, w)]
	if row == "centre" && col == "centre" {
		return "centre"
	}
	return row + "-" + col
}

// Where names the region of the photo framed by f where the map peaks
// (Region), or "" when the map is empty.
func (m Map) Where(f Frame) string {
	if m.Empty() {
		return ""
	}
	x, y := f.toPhoto(m.Peak.X, m.Peak.Y, m.W, m.H)
	return Region(x, y, f.W, f.H)
}

// Sentence is the text alternative of the map over the photo framed by f:
// "The heatmap is strongest in the centre-left of the photo." or, for an
// empty map, that nothing in the photo speaks for the class.
func (m Map) Sentence(f Frame) string {
	if w := m.Where(f); w != "" {
		return fmt.Sprintf("The heatmap is strongest in the %s of the photo.", w)
	}
	return "The heatmap is empty: nothing in the photo speaks for this class."
}

// Turbo is the colour of v in [0,1] (clamped) in Google's Turbo colour map
// (Mikhailov, 2019: dark blue for 0, through cyan, green and yellow, to
// dark red for 1), from its published polynomial approximation. Like jet,
// the colour map of the Grad-CAM paper's figures, but perceptually smoother.
func Turbo(v float64) color.RGBA {
	x := min(max(v, 0), 1)
	poly := func(c0, c1, c2, c3, c4, c5 float64) uint8 {
		f := c0 + x*(c1+x*(c2+x*(c3+x*(c4+x*c5))))
		return uint8(math.Round(255 * min(max(f, 0), 1)))
	}
	return color.RGBA{
		R: poly(0.13572138, 4.61539260, -42.66032258, 132.13108234, -152.94239396, 59.28637943),
		G: poly(0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604),
		B: poly(0.10667330, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973),
		A: 255,
	}
}

// turbo8 is Turbo at the 256 levels of an 8-bit value, for Overlay: the
// polynomial per pixel cost 3/4 of its time under wasm.
var turbo8 = func() (t [256]color.RGBA) {
	for i := range t {
		t[i] = Turbo(float64(i) / 255)
	}
	return t
}()

// Overlay draws the map over the photo it was computed from, at the photo's
// size: inside the frame's crop, each pixel is (1-opacity)*photo +
// opacity*Turbo(value), the value sampled bilinearly from m.Values (and
// rounded to 1/255); outside
// it (the parts of the photo the network did not see), the photo is shown
// at half brightness. opacity is clamped to [0,1]. The image has the
// photo's size (4 bytes a pixel; prep.Decode bounds it).
func Overlay(photo image.Image, m Map, f Frame, opacity float64) (*image.RGBA, error) {
	b := photo.Bounds()
	if b.Dx() != f.W || b.Dy() != f.H {
		return nil, fmt.Errorf("%w: photo %dx%d, frame for %dx%d", ErrInput, b.Dx(), b.Dy(), f.W, f.H)
	}
	if len(m.Values) != m.W*m.H || m.W < 1 || m.H < 1 {
		return nil, fmt.Errorf("%w: map of %d values for %dx%d", ErrInput, len(m.Values), m.W, m.H)
	}
	a := min(max(opacity, 0), 1)
	out := image.NewRGBA(image.Rect(0, 0, f.W, f.H))
	draw.Draw(out, out.Rect, photo, b.Min, draw.Src)
	sx, sy := float64(m.W)/(f.X1-f.X0), float64(m.H)/(f.Y1-f.Y0)
	for y := 0; y < f.H; y++ {
		v := (float64(y)+0.5-f.Y0)*sy - 0.5 // input pixel coordinates
		row := out.Pix[y*out.Stride : y*out.Stride+4*f.W]
		for x := 0; x < f.W; x++ {
			u := (float64(x)+0.5-f.X0)*sx - 0.5
			px := row[4*x : 4*x+4 : 4*x+4]
			if u < -0.5 || v < -0.5 || u > float64(m.W)-0.5 || v > float64(m.H)-0.5 {
				px[0], px[1], px[2] = px[0]/2, px[1]/2, px[2]/2
				continue
			}
			c := turbo8[int(math.Round(255*min(max(sample(m.Values, m.W, m.H, u, v), 0), 1)))]
			px[0] = blend(px[0], c.R, a)
			px[1] = blend(px[1], c.G, a)
			px[2] = blend(px[2], c.B, a)
			px[3] = 255
		}
	}
	return out, nil
}

func blend(p, c uint8, a float64) uint8 {
	return uint8(math.Round((1-a)*float64(p) + a*float64(c)))
}

// sample is v (h,w) at (x, y) bilinearly, clamped at the borders.
func sample(v []float32, w, h int, x, y float64) float64 {
	x, y = min(max(x, 0), float64(w-1)), min(max(y, 0), float64(h-1))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	fx, fy := x-float64(x0), y-float64(y0)
	r0 := (1-fx)*float64(v[y0*w+x0]) + fx*float64(v[y0*w+x1])
	r1 := (1-fx)*float64(v[y1*w+x0]) + fx*float64(v[y1*w+x1])
	return (1-fy)*r0 + fy*r1
}
