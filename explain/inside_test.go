package explain

import (
	"errors"
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"

	"alexnet/nn"
	"alexnet/weights"
)

func TestRegion(t *testing.T) {
	for _, c := range []struct {
		x, y float64
		want string
	}{
		{0, 0, "top-left"}, {50, 10, "top-centre"}, {99, 0, "top-right"},
		{10, 40, "centre-left"}, {50, 50, "centre"}, {90, 60, "centre-right"},
		{0, 99, "bottom-left"}, {50, 80, "bottom-centre"}, {100, 100, "bottom-right"}, {-5, 200, "bottom-left"},
	} {
		if got := Region(c.x, c.y, 100, 100); got != c.want {
			t.Errorf("Region(%g, %g) = %q, want %q", c.x, c.y, got, c.want)
		}
	}
}

func TestFrameOf(t *testing.T) {
	p := weights.Preprocess{Resize: 224, CropH: 224, CropW: 224}
	// 448x300: resized to 334x224 (int(224*448/300)), crop left 55.
	f := FrameOf(448, 300, p)
	sx := 448.0 / 334
	if f.W != 448 || f.H != 300 || f.Y0 != 0 || f.Y1 != 300 || f.X0 != 55*sx || f.X1 != (55+224)*sx {
		t.Errorf("FrameOf(448x300) = %+v", f)
	}
	f = FrameOf(100, 50, weights.Preprocess{CropH: 224, CropW: 224}) // squash: the whole photo
	if f.X0 != 0 || f.Y0 != 0 || f.X1 != 100 || f.Y1 != 50 {
		t.Errorf("FrameOf(squash) = %+v", f)
	}
}

// oneHot is a map whose only evidence is input pixel (x, y).
func oneHot(w, h, x, y int) Map {
	v := make([]float32, w*h)
	v[y*w+x] = 1
	m := Map{}
	m.normalize(v, h, w)
	return m
}

// TestOverlayPlacesThePeak: a map peaking at one input pixel colours the
// photo pixel the crop maps it to (dark red: Turbo's 1), names its region,
// and dims what lies outside the crop.
func TestOverlayPlacesThePeak(t *testing.T) {
	p := weights.Preprocess{Resize: 224, CropH: 224, CropW: 224}
	photo := image.NewRGBA(image.Rect(0, 0, 448, 300))
	for i := range photo.Pix {
		photo.Pix[i] = 200
		if i%4 == 3 {
			photo.Pix[i] = 255
		}
	}
	f := FrameOf(448, 300, p)
	m := oneHot(224, 224, 200, 20) // photo x 73.8+200.5*1.34 = 342.7 of 448: the right third
	over, err := Overlay(photo, m, f, 1)
	if err != nil {
		t.Fatal(err)
	}
	px, py := f.toPhoto(200, 20, 224, 224)
	// The photo pixel there samples the map a fraction of a pixel off the peak.
	if c := over.RGBAAt(int(px), int(py)); c.R < 100 || c.B > 60 {
		t.Errorf("peak pixel (%d,%d) = %v, want about %v", int(px), int(py), c, Turbo(1))
	}
	if got, want := m.Where(f), Region(px, py, 448, 300); got != want || got != "top-right" {
		t.Errorf("Where = %q, Region of the peak %q, want top-right", got, want)
	}
	if c := over.RGBAAt(2, 150); c != (color.RGBA{100, 100, 100, 255}) {
		t.Errorf("outside the crop: %v, want the photo dimmed to 100", c)
	}
	if c := over.RGBAAt(224, 280); c != Turbo(0) {
		t.Errorf("cold pixel %v, want Turbo(0) %v at opacity 1", c, Turbo(0))
	}
	if !strings.Contains(m.Sentence(f), "top-right") || !strings.Contains(Map{Values: make([]float32, 4), W: 2, H: 2}.Sentence(f), "empty") {
		t.Errorf("sentences: %q, %q", m.Sentence(f), Map{Values: make([]float32, 4), W: 2, H: 2}.Sentence(f))
	}
	if _, err := Overlay(image.NewRGBA(image.Rect(0, 0, 10, 10)), m, f, 0.5); !errors.Is(err, ErrInput) {
		t.Errorf("photo of another size: %v", err)
	}
}

func TestTurbo(t *testing.T) {
	lo, mid, hi := Turbo(0), Turbo(0.5), Turbo(1)
	// Turbo's polynomial: near black at 0 (35,23,27), green-yellow in the middle, dark red at 1.
	if !(lo.R < 60 && lo.G < 60 && lo.B < 60) || !(mid.G > mid.B && mid.G > 150) || !(hi.R > 100 && hi.G < 30 && hi.B < 30) {
		t.Errorf("Turbo(0, 0.5, 1) = %v %v %v", lo, mid, hi)
	}
	if Turbo(-1) != lo || Turbo(2) != hi {
		t.Error("Turbo does not clamp")
	}
}

// regionNet is a network whose class 0 logit sums the input's top-left
// quarter (weight 1) and class 1 is constant: occluding anything else
// changes nothing.
func regionNet(t *testing.T) (*nn.Net, []float32) {
	const c, h, w = 3, 16, 16
	a := nn.Arch{Name: "region", InC: c, InH: h, InW: w, Layers: []nn.Layer{{Op: nn.OpFlatten}, {Op: nn.OpLinear, Name: "fc", In: c * h * w, Out: 2}}}
	wt := make([]float32, 2*c*h*w)
	for ch := 0; ch < c; ch++ {
		for y := 0; y < h/2; y++ {
			for x := 0; x < w/2; x++ {
				wt[ch*h*w+y*w+x] = 0.01
			}
		}
	}
	net, err := nn.New(a, map[string]nn.Weight{"fc.weight": {Shape: []int{2, c * h * w}, F32: wt}, "fc.bias": {Shape: []int{2}, F32: []float32{0, 0}}})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, c*h*w)
	for i := range x {
		x[i] = 1
	}
	return net, x
}

func TestOcclusion(t *testing.T) {
	net, x := regionNet(t)
	o := OcclusionOptions{Patch: 4, Stride: 4}
	m, err := Occlusion(net, x, 0, o)
	if err != nil {
		t.Fatal(err)
	}
	n, err := OcclusionPasses(16, 16, o)
	if err != nil || m.Passes != 17 || n != 17 || m.GridH != 4 || m.GridW != 4 {
		t.Fatalf("passes %d (OcclusionPasses %d, %v), grid %dx%d; want 17, 4x4", m.Passes, n, err, m.GridH, m.GridW)
	}
	for gy := 0; gy < 4; gy++ {
		for gx := 0; gx < 4; gx++ {
			d := m.Grid[gy*4+gx]
			if inside := gy < 2 && gx < 2; inside != (d > 0.01) || (!inside && d != 0) {
				t.Errorf("patch (%d,%d): drop %g", gx, gy, d)
			}
		}
	}
	if m.Peak.X >= 8 || m.Peak.Y >= 8 || m.Where(Frame{W: 16, H: 16, X1: 16, Y1: 16}) != "top-left" {
		t.Errorf("peak %v, where %q", m.Peak, m.Where(Frame{W: 16, H: 16, X1: 16, Y1: 16}))
	}
	if m.Values[15*16+15] != 0 {
		t.Errorf("bottom-right pixel %g, want 0", m.Values[15*16+15])
	}
	// Class 1 loses when class 0 does not: the map shows no evidence for it... except where
	// occluding class 0's region raises it; those pixels are its evidence against.
	if m1, _ := Occlusion(net, x, 1, o); m1.Values[0] != 0 || m1.Score >= 0.5 {
		t.Errorf("class 1: value %g at the top-left, score %g", m1.Values[0], m1.Score)
	}
	// The last position sits flush with the end when the steps do not reach it.
	if got := positions(16, 5, 4); !slices.Equal(got, []int{0, 4, 8, 11}) {
		t.Errorf("positions(16, 5, 4) = %v", got)
	}
	for _, bad := range []OcclusionOptions{{Patch: -1}, {Patch: 17}, {Stride: -2}, {Temperature: -1}} {
		if _, err := Occlusion(net, x, 0, bad); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: %v, want ErrOptions", bad, err)
		}
	}
	if _, err := OcclusionPasses(224, 224, OcclusionOptions{Patch: 8, Stride: 1}); !errors.Is(err, ErrOptions) {
		t.Errorf("50k passes accepted: %v", err)
	}
	if _, err := Occlusion(net, x, 2, o); !errors.Is(err, ErrClass) {
		t.Errorf("class 2: %v", err)
	}
}

func TestLayerNames(t *testing.T) {
	for _, c := range []struct {
		a    nn.Arch
		want string
	}{
		{nn.Seed(5), "conv1 relu1 pool1 conv2 relu2 pool2 conv3 relu3 conv4 relu4 conv5 relu5 pool3 flatten1 dropout1 fc1 relu6 dropout2 fc2 relu7 fc3"},
		{nn.TorchVision(10), "conv1 relu1 pool1 conv2 relu2 pool2 conv3 relu3 conv4 relu4 conv5 relu5 pool3 avgpool1 flatten1 dropout1 fc1 relu6 dropout2 fc2 relu7 fc3"},
		{nn.Paper(10), "conv1 relu1 lrn1 pool1 conv2 relu2 lrn2 pool2 conv3 relu3 conv4 relu4 conv5 relu5 pool3 flatten1 dropout1 fc1 relu6 dropout2 fc2 relu7 fc3"},
	} {
		ls, err := Layers(c.a)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		var share float64
		for _, l := range ls {
			names = append(names, l.Name)
			share += l.ParamShare
		}
		if got := strings.Join(names, " "); got != c.want {
			t.Errorf("%s: %s", c.a.Name, got)
		}
		if share < 0.999999 || share > 1.000001 {
			t.Errorf("%s: parameter shares sum to %g", c.a.Name, share)
		}
	}
	ls, _ := Layers(nn.Seed(5))
	if ls[0].Param != "features.0" || ls[0].Params != 48*3*11*11+48 || ls[15].Shape != (nn.Shape{C: 2048, H: 1, W: 1}) {
		t.Errorf("conv1 %+v, fc1 %+v", ls[0], ls[15])
	}
	if i, err := FindLayer(nn.Seed(5), "pool3"); i != 12 || err != nil {
		t.Errorf("FindLayer(pool3) = %d, %v", i, err)
	}
	if _, err := FindLayer(nn.Seed(5), "features.0"); !errors.Is(err, ErrLayer) || !strings.Contains(err.Error(), "conv1, relu1") {
		t.Errorf("FindLayer(features.0) = %v", err)
	}
}

func TestTiles(t *testing.T) {
	// 3 channels of 2x2: channel 2 strongest, then 0, then 1.
	act := []float32{1, 1, 1, 1, 0, 0, 0, 0.5, 3, 3, 3, 3}
	img, order, err := Tiles(act, nn.Shape{C: 3, H: 2, W: 2}, TileOptions{Scale: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []int{2, 0, 1}) {
		t.Errorf("order %v", order)
	}
	// 2 columns (ceil(sqrt(3))), 2 rows of 6-pixel tiles with 2-pixel gaps.
	if b := img.Bounds(); b.Dx() != 2*(6+Gap)+Gap || b.Dy() != 2*(6+Gap)+Gap {
		t.Errorf("image %v", b)
	}
	// Own scale: channel 1's 0.5 is white, its zeros black.
	x0, y0 := Gap, Gap+6+Gap // the third tile: row 2, column 1
	if c := img.RGBAAt(x0+5, y0+5); c.R != 255 {
		t.Errorf("channel 1's largest value drawn %v", c)
	}
	if c := img.RGBAAt(x0, y0); c.R != 0 {
		t.Errorf("channel 1's zero drawn %v", c)
	}
	same, _, _ := Tiles(act, nn.Shape{C: 3, H: 2, W: 2}, TileOptions{Scale: 3, SameScale: true})
	if c := same.RGBAAt(x0+5, y0+5); c.R != 43 { // 0.5 of 3
		t.Errorf("same scale: channel 1's 0.5 drawn %v, want 43", c)
	}
	if _, order, _ := Tiles(act, nn.Shape{C: 3, H: 2, W: 2}, TileOptions{Max: 1}); !slices.Equal(order, []int{2}) {
		t.Errorf("max 1: %v", order)
	}
	for _, bad := range []struct {
		act []float32
		s   nn.Shape
		o   TileOptions
	}{{act[:5], nn.Shape{C: 3, H: 2, W: 2}, TileOptions{}}, {act, nn.Shape{}, TileOptions{}}, {act, nn.Shape{C: 3, H: 2, W: 2}, TileOptions{Scale: -1}},
		{make([]float32, 4096), nn.Shape{C: 4096, H: 1, W: 1}, TileOptions{Scale: 1000}}} {
		if _, _, err := Tiles(bad.act, bad.s, bad.o); err == nil {
			t.Errorf("Tiles(%d values, %v, %+v) accepted", len(bad.act), bad.s, bad.o)
		}
	}
}

func TestFilters(t *testing.T) {
	// 96 filters 3x2x2 as the paper's two blocks: rows of 16, 3 rows each.
	w := make([]float32, 96*3*2*2)
	for i := range w {
		w[i] = float32(i % 7)
	}
	w[0] = -10 // the smallest of all: black in filter 0's red
	img, err := Filters(w, []int{96, 3, 2, 2}, FilterOptions{Scale: 1, Blocks: 2})
	if err != nil {
		t.Fatal(err)
	}
	tile := 2 + Gap
	blockH := 3*tile + Gap
	if b := img.Bounds(); b.Dx() != 16*tile+Gap || b.Dy() != 2*blockH+4*Gap {
		t.Errorf("image %v", b)
	}
	if c := img.RGBAAt(Gap, Gap); c.R != 0 || c.A != 255 {
		t.Errorf("filter 0's first weight (the smallest) drawn %v", c)
	}
	// Filter 48 opens the second block.
	if c := img.RGBAAt(Gap, blockH+4*Gap+Gap); c == gapColour {
		t.Error("no filter at the start of the second block")
	}
	// Filter 1's first red weight is 5: 15/16 of the global range -10..6,
	// 5/6 of its own range 0..6.
	if c := img.RGBAAt(Gap+tile, Gap); c.R != 239 {
		t.Errorf("filter 1 drawn %v, want red 239", c)
	}
	per, _ := Filters(w, []int{96, 3, 2, 2}, FilterOptions{Scale: 1, PerFilter: true})
	if c := per.RGBAAt(Gap+tile, Gap); c.R != 213 {
		t.Errorf("per filter: filter 1 drawn %v, want red 213", c)
	}
	for _, bad := range [][]int{{96, 4, 2, 2}, {96, 3, 2}, {0, 3, 2, 2}, {95, 3, 2, 2}} {
		if _, err := Filters(w, bad, FilterOptions{}); !errors.Is(err, ErrInput) {
			t.Errorf("shape %v: %v", bad, err)
		}
	}
	if _, err := Filters(w, []int{96, 3, 2, 2}, FilterOptions{Blocks: 5}); !errors.Is(err, ErrOptions) {
		t.Errorf("96 filters in 5 blocks: %v", err)
	}
}
