package main

// The look-inside requests (protocol.Explain, Activations, Filters), the
// engine side, free of syscall/js: package explain does the work, as for
// the CLI (cmd/alexnet/explain.go); look_js.go turns the images into Blobs.
//
// The worker handles one message at a time (main_js.go), so using the
// classifier's whole net between two passes is safe (classifier.Net). The
// net is always the whole net, never the part net a split runs on.

import (
	"errors"
	"image"
	"math"
	"strconv"
	"time"

	"alexnet/explain"
	"alexnet/internal/protocol"
	"alexnet/prep"
	"alexnet/weights"
)

// MaxTiles is how many channels Activations draws when the page does not
// say: the 64 strongest (conv1 has 64 in torchvision's layout, later layers
// up to 384; 64 tiles keep the image small and the page readable).
const MaxTiles = 64

// Look is what an Explain request makes of one image.
type Look struct {
	Map     explain.Map
	Frame   explain.Frame // where the network's input lies in the whole image
	Input   *image.RGBA   // the network's input as a picture (what it saw)
	Heatmap *image.RGBA   // Map.Values in Turbo colours, the input's size
	Label   string
	Ms      float64
}

// tensor preprocesses a picture as Classify does and returns the input
// and the frame of the input in the whole image: for a photo, FrameOf its
// size; for a camera frame already cut to the model's crop (crop: LiveCrop
// of the srcW x srcH source), only normalised (as classifier.ClassifyCrop)
// and framed by that rectangle of the source.
func (e *Engine) tensor(pix []byte, w, h int, srcW, srcH int, crop bool) ([]float32, explain.Frame, error) {
	if e.c == nil {
		return nil, explain.Frame{}, ErrNoModel
	}
	if err := checkFrame(pix, w, h); err != nil {
		return nil, explain.Frame{}, err
	}
	p := e.c.Model().Prep
	f := explain.FrameOf(w, h, p)
	if crop {
		r := LiveCrop(srcW, srcH, p)
		f = explain.Frame{W: srcW, H: srcH, X0: float64(r.Min.X), Y0: float64(r.Min.Y), X1: float64(r.Max.X), Y1: float64(r.Max.Y)}
		p.Resize = 0 // already the crop: squash to CropW x CropH, a no-op at that size
	}
	x, err := prep.Tensor(frameImage(pix, w, h), p)
	if err != nil {
		return nil, explain.Frame{}, err
	}
	return x, f, nil
}

// Explain computes the Grad-CAM map of a picture for class (-1: its top
// class). crop says the picture is a camera frame cut to the model's crop
// (LiveCrop) from a srcW x srcH source.
func (e *Engine) Explain(pix []byte, w, h, srcW, srcH int, crop bool, class int) (Look, error) {
	x, f, err := e.tensor(pix, w, h, srcW, srcH, crop)
	if err != nil {
		return Look{}, err
	}
	m := e.c.Model()
	if class == -1 {
		r, err := e.c.ClassifyTensor(x, 1)
		if err != nil {
			return Look{}, err
		}
		class = r.Top[0].Index
	}
	if class < 0 || class >= len(m.Labels) {
		return Look{}, errors.New("worker: class " + strconv.Itoa(class) + " out of range 0.." + strconv.Itoa(len(m.Labels)-1))
	}
	start := time.Now()
	mp, err := explain.GradCAM(e.c.Net(), x, class)
	if err != nil {
		return Look{}, err
	}
	took := ms(time.Since(start))
	in := InputPicture(x, m.Arch.InH, m.Arch.InW, m.Prep)
	b := in.Rect
	heat, err := explain.Overlay(in, mp, explain.Frame{W: b.Dx(), H: b.Dy(), X1: float64(b.Dx()), Y1: float64(b.Dy())}, 1)
	if err != nil {
		return Look{}, err
	}
	return Look{Map: mp, Frame: f, Input: in, Heatmap: heat, Label: m.Labels[class], Ms: took}, nil
}

// InputPicture is the network's input x (3,h,w), normalised with p, as the
// picture it was made from: x*std + mean, in 0..255, opaque.
func InputPicture(x []float32, h, w int, p weights.Preprocess) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	hw := h * w
	for i := 0; i < hw; i++ {
		for c := 0; c < 3; c++ {
			v := (float64(x[c*hw+i])*float64(p.Std[c]) + float64(p.Mean[c])) * 255
			img.Pix[4*i+c] = uint8(math.Round(min(max(v, 0), 255)))
		}
		img.Pix[4*i+3] = 255
	}
	return img
}

// Activations runs one timed forward pass on a picture and draws layer's
// channels (explain.Tiles, the most strongest; 0: MaxTiles); "" is the
// first layer; crop as for Explain. It returns the tiles, the channels
// drawn and the layer table.
func (e *Engine) Activations(pix []byte, w, h int, crop bool, layer string, most int) (protocol.ActivationMaps, *image.RGBA, error) {
	x, _, err := e.tensor(pix, w, h, w, h, crop)
	if err != nil {
		return protocol.ActivationMaps{}, nil, err
	}
	start := time.Now()
	a := e.c.Model().Arch
	ls, err := explain.Layers(a)
	if err != nil {
		return protocol.ActivationMaps{}, nil, err
	}
	i := 0
	if layer != "" {
		if i, err = explain.FindLayer(a, layer); err != nil {
			return protocol.ActivationMaps{}, nil, err
		}
	}
	net := e.c.Net()
	times, err := explain.Times(net, x)
	if err != nil {
		return protocol.ActivationMaps{}, nil, err
	}
	if most <= 0 {
		most = MaxTiles
	}
	tiles, order, err := explain.Tiles(net.Output(i), ls[i].Shape, explain.TileOptions{Max: most})
	if err != nil {
		return protocol.ActivationMaps{}, nil, err
	}
	var total time.Duration
	for _, d := range times {
		total += d
	}
	r := protocol.ActivationMaps{Layer: ls[i].Name, Layers: make([]protocol.LayerInfo, len(ls)), Channels: order,
		TilesW: tiles.Rect.Dx(), TilesH: tiles.Rect.Dy()}
	for k, l := range ls {
		r.Layers[k] = protocol.LayerInfo{Name: l.Name, Op: string(l.Op), C: l.Shape.C, H: l.Shape.H, W: l.Shape.W,
			Ms: ms(times[k]), Params: l.Params, ParamShare: l.ParamShare}
		if total > 0 {
			r.Layers[k].TimeShare = float64(times[k]) / float64(total)
		}
	}
	r.Ms = ms(time.Since(start))
	return r, tiles, nil
}

// Filters draws the first convolution's filters (explain.FirstFilters,
// explain.Filters: one range for all, 4 pixels a weight).
func (e *Engine) Filters() (protocol.FilterGrid, *image.RGBA, error) {
	if e.c == nil {
		return protocol.FilterGrid{}, nil, ErrNoModel
	}
	w, shape, name, blocks, err := explain.FirstFilters(e.c.Model())
	if err != nil {
		return protocol.FilterGrid{}, nil, err
	}
	img, err := explain.Filters(w, shape, explain.FilterOptions{Blocks: blocks})
	if err != nil {
		return protocol.FilterGrid{}, nil, err
	}
	return protocol.FilterGrid{Layer: name, W: img.Rect.Dx(), H: img.Rect.Dy(), Shape: shape}, img, nil
}
