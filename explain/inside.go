package explain

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"alexnet/nn"
	"alexnet/weights"
)

// Layer describes one layer of a network for the inside view.
type Layer struct {
	Index      int
	Name       string // friendly name (LayerNames)
	Param      string // state_dict prefix of its parameters ("features.0"); "" when it has none
	Op         nn.Op
	Shape      nn.Shape // its output
	Params     int      // weights and biases
	ParamShare float64  // Params / all the network's parameters
}

// friendly is the prefix of each op's friendly layer names.
var friendly = map[nn.Op]string{
	nn.OpConv: "conv", nn.OpReLU: "relu", nn.OpMaxPool: "pool", nn.OpLRN: "lrn",
	nn.OpAdaptiveAvgPool: "avgpool", nn.OpFlatten: "flatten", nn.OpLinear: "fc", nn.OpDropout: "dropout",
}

// Layers lists the layers of a valid architecture with their friendly
// names: the op's short name (conv, relu, pool, lrn, avgpool, flatten, fc,
// dropout) and its count among the layers of that op so far, from 1. The
// seed's layers are conv1 relu1 pool1 conv2 relu2 pool2 conv3 relu3 conv4
// relu4 conv5 relu5 pool3 flatten1 dropout1 fc1 relu6 dropout2 fc2 relu7
// fc3. (PyTorch's state_dict prefixes name only the layers with
// parameters; Layer.Param keeps them.)
func Layers(a nn.Arch) ([]Layer, error) {
	shapes, err := a.Shapes()
	if err != nil {
		return nil, err
	}
	count := map[nn.Op]int{}
	params := make([]int, len(a.Layers))
	total := 0
	for i, l := range a.Layers {
		switch l.Op {
		case nn.OpConv:
			params[i] = l.OutC*(l.InC/max(l.Groups, 1))*l.Kernel*l.Kernel + l.OutC
		case nn.OpLinear:
			params[i] = l.Out*l.In + l.Out
		}
		total += params[i]
	}
	out := make([]Layer, len(a.Layers))
	for i, l := range a.Layers {
		count[l.Op]++
		prefix, ok := friendly[l.Op]
		if !ok {
			prefix = string(l.Op)
		}
		out[i] = Layer{Index: i, Name: prefix + strconv.Itoa(count[l.Op]), Param: l.Name, Op: l.Op, Shape: shapes[i], Params: params[i]}
		if total > 0 {
			out[i].ParamShare = float64(params[i]) / float64(total)
		}
	}
	return out, nil
}

// FindLayer returns the index of the layer with the given friendly name;
// for an unknown name the error lists the valid ones.
func FindLayer(a nn.Arch, name string) (int, error) {
	ls, err := Layers(a)
	if err != nil {
		return 0, err
	}
	names := make([]string, len(ls))
	for i, l := range ls {
		if l.Name == name {
			return i, nil
		}
		names[i] = l.Name
	}
	return 0, fmt.Errorf("%w: %q (the layers are %s)", ErrLayer, name, strings.Join(names, ", "))
}

// Times runs net on x once, timing each layer (nn.Net.ForwardTimed), and
// leaves every layer's output in the net (nn.Net.Output) for Tiles. The
// share of a layer in the time is its duration over their sum.
func Times(net *nn.Net, x []float32) ([]time.Duration, error) {
	a := net.Arch()
	if want := a.InC * a.InH * a.InW; len(x) != want {
		return nil, fmt.Errorf("%w: %d values, the network takes %d", ErrInput, len(x), want)
	}
	d := make([]time.Duration, len(a.Layers))
	if net.ForwardTimed(x, d) == nil {
		return nil, fmt.Errorf("%w: the network refused the input (a part net?)", ErrNetwork)
	}
	return d, nil
}

// TileOptions says how Tiles draws.
type TileOptions struct {
	Scale int // pixels per activation; 0: as many as make a tile at least 24 pixels (4 for 1x1 maps)
	Max   int // at most this many channels, the strongest; 0: all
	// SameScale draws every tile on the layer's one scale (black =
	// min(0, the layer's smallest value), white = its largest), so tiles
	// compare; by default each tile has its own (black = min(0, its
	// smallest value), white = its largest), so weak maps still show
	// their pattern (one strong channel would leave the others black).
	SameScale bool
}

// Gap is the space between the tiles of Tiles and Filters, in pixels; it is
// left dark grey.
const Gap = 2

var gapColour = color.RGBA{40, 40, 40, 255}

// MaxImage bounds the images Tiles and Filters draw, in pixels.
const MaxImage = 1 << 24

// Tiles draws a layer's activation act (C,H,W) as one grey tile per
// channel, strongest first, in rows of ceil(sqrt(C)) tiles (16 from 48
// channels on). A channel's strength is its mean activation (ties: lower
// channel first); TileOptions.SameScale says how values become grey. It
// returns the image and the channels in the order drawn.
func Tiles(act []float32, s nn.Shape, o TileOptions) (*image.RGBA, []int, error) {
	if s.C < 1 || s.H < 1 || s.W < 1 || len(act) != s.Len() {
		return nil, nil, fmt.Errorf("%w: %d values for a %dx%dx%d activation", ErrInput, len(act), s.C, s.H, s.W)
	}
	if o.Scale < 0 || o.Max < 0 {
		return nil, nil, fmt.Errorf("%w: tile scale %d, max %d", ErrOptions, o.Scale, o.Max)
	}
	hw := s.H * s.W
	mean := make([]float64, s.C)
	lo, hi := make([]float64, s.C), make([]float64, s.C) // per channel: min(0, smallest), largest
	for c := range mean {
		hi[c] = math.Inf(-1)
		for _, v := range act[c*hw : (c+1)*hw] {
			mean[c] += float64(v)
			lo[c], hi[c] = math.Min(lo[c], float64(v)), math.Max(hi[c], float64(v))
		}
		mean[c] /= float64(hw)
	}
	if o.SameScale {
		l, h := slices.Min(lo), slices.Max(hi)
		for c := range lo {
			lo[c], hi[c] = l, h
		}
	}
	order := make([]int, s.C)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return mean[order[i]] > mean[order[j]] })
	if o.Max > 0 && o.Max < len(order) {
		order = order[:o.Max]
	}
	scale := o.Scale
	if scale == 0 {
		scale = max(1, (24+max(s.H, s.W)-1)/max(s.H, s.W))
		if s.H == 1 && s.W == 1 {
			scale = 4
		}
	}
	img, err := grid(len(order), s.W*scale, s.H*scale, 1)
	if err != nil {
		return nil, nil, err
	}
	row := make([]byte, 4*s.W*scale) // one pixel row of a tile, copied to scale rows
	for k, c := range order {
		x0, y0 := img.cell(k)
		plane := act[c*hw : (c+1)*hw]
		span := hi[c] - lo[c]
		if span <= 0 {
			span = 1
		}
		for y := 0; y < s.H; y++ {
			for x, v := range plane[y*s.W : (y+1)*s.W] {
				g := uint8(math.Round(255 * (float64(v) - lo[c]) / span))
				for r := x * scale; r < (x+1)*scale; r++ {
					px := row[4*r : 4*r+4 : 4*r+4]
					px[0], px[1], px[2], px[3] = g, g, g, 255
				}
			}
			for r := 0; r < scale; r++ {
				at := img.PixOffset(x0, y0+y*scale+r)
				copy(img.Pix[at:at+len(row)], row)
			}
		}
	}
	return img.RGBA, order, nil
}

// FilterOptions says how Filters draws.
type FilterOptions struct {
	Scale     int  // pixels per weight; 0: 4
	PerFilter bool // scale each filter to its own range instead of one range for all
	Blocks    int  // draw the filters as this many blocks one under the other (the paper's two GPUs: 2); 0: 1
}

// Filters draws the first layer's filters, w (N,C,K,K) with C = 3 (RGB, in
// the input's channel order) or 1 (grey), as an image grid in the layout
// of the AlexNet paper's Figure 3: rows of 16 filters (ceil(sqrt(N)) when
// a block has fewer than 48), split into Blocks blocks one under the other
// with a wider gap between them (the paper's 96 filters: 48 learned on
// each GPU). Each weight w maps to (w - lo) / (hi - lo) of full intensity,
// with lo, hi the smallest and largest weight of all filters (the default:
// strong and weak filters look so, as in the paper's figure) or of each
// filter (PerFilter: every filter's pattern at full contrast, as
// torchvision.utils.make_grid(normalize=True, scale_each=True)).
func Filters(w []float32, shape []int, o FilterOptions) (*image.RGBA, error) {
	if len(shape) != 4 || shape[0] < 1 || (shape[1] != 3 && shape[1] != 1) || shape[2] < 1 || shape[3] < 1 || shape[0]*shape[1]*shape[2]*shape[3] != len(w) {
		return nil, fmt.Errorf("%w: filters of shape %v (%d values), want (N, 3 or 1, K, K)", ErrInput, shape, len(w))
	}
	blocks := max(o.Blocks, 1)
	if o.Scale < 0 || o.Blocks < 0 || shape[0]%blocks != 0 {
		return nil, fmt.Errorf("%w: scale %d, %d blocks for %d filters", ErrOptions, o.Scale, o.Blocks, shape[0])
	}
	n, c, kh, kw := shape[0], shape[1], shape[2], shape[3]
	scale := o.Scale
	if scale == 0 {
		scale = 4
	}
	per := c * kh * kw
	rng := func(v []float32) (float64, float64) {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, x := range v {
			lo, hi = math.Min(lo, float64(x)), math.Max(hi, float64(x))
		}
		if hi <= lo {
			hi = lo + 1
		}
		return lo, hi
	}
	lo, hi := rng(w)
	img, err := grid(n/blocks, kw*scale, kh*scale, blocks)
	if err != nil {
		return nil, err
	}
	for f := 0; f < n; f++ {
		v := w[f*per : (f+1)*per]
		if o.PerFilter {
			lo, hi = rng(v)
		}
		x0, y0 := img.cellIn(f%(n/blocks), f/(n/blocks))
		for y := 0; y < kh*scale; y++ {
			for x := 0; x < kw*scale; x++ {
				var rgb [3]uint8
				for ch := range 3 {
					src := min(ch, c-1) // grey filters: the same value in R, G, B
					at := (src*kh+y/scale)*kw + x/scale
					rgb[ch] = uint8(math.Round(255 * (float64(v[at]) - lo) / (hi - lo)))
				}
				img.SetRGBA(x0+x, y0+y, color.RGBA{rgb[0], rgb[1], rgb[2], 255})
			}
		}
	}
	return img.RGBA, nil
}

// tileGrid is an image of equal tiles in rows, in one or more blocks.
type tileGrid struct {
	*image.RGBA
	n, cols, rows, tw, th, blockH int
}

// grid makes a gap-coloured image for blocks blocks of n tiles of tw×th
// pixels each: rows of 16 tiles when n >= 48, else of ceil(sqrt(n)); the
// blocks are stacked with a gap of 4*Gap between them.
func grid(n, tw, th, blocks int) (*tileGrid, error) {
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	if n >= 48 {
		cols = 16
	}
	rows := (n + cols - 1) / cols
	w := cols*(tw+Gap) + Gap
	blockH := rows*(th+Gap) + Gap
	h := blocks*blockH + (blocks-1)*4*Gap
	if w > MaxImage/h {
		return nil, fmt.Errorf("%w: a %dx%d image is too large (at most %d pixels): lower the scale or the number of tiles", ErrOptions, w, h, MaxImage)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = gapColour.R, gapColour.G, gapColour.B, 255
	}
	return &tileGrid{RGBA: img, n: n, cols: cols, rows: rows, tw: tw, th: th, blockH: blockH}, nil
}

// cell is the top-left pixel of tile k of the first block.
func (g *tileGrid) cell(k int) (int, int) { return g.cellIn(k, 0) }

// cellIn is the top-left pixel of tile k of block b.
func (g *tileGrid) cellIn(k, b int) (int, int) {
	return Gap + (k%g.cols)*(g.tw+Gap), b*(g.blockH+4*Gap) + Gap + (k/g.cols)*(g.th+Gap)
}

// FirstFilters returns the weights of m's first convolution (dequantised
// to float32), their shape (N, C, K, K), the tensor's name and the number
// of blocks Filters should draw them in: 2 for the paper's network (its
// two GPUs, half the filters each), else 1. The CLI's filters command and
// the page's worker both draw what it returns.
func FirstFilters(m *weights.Model) (w []float32, shape []int, name string, blocks int, err error) {
	first := -1
	for i, l := range m.Arch.Layers {
		if l.Op == nn.OpConv {
			first = i
			break
		}
	}
	if first < 0 {
		return nil, nil, "", 0, fmt.Errorf("%w: the model has no convolution layer", ErrNetwork)
	}
	name = m.Arch.Layers[first].Name + ".weight"
	for i := range m.Tensors {
		if m.Tensors[i].Name == name {
			w, shape = m.Tensors[i].Dequantize(), m.Tensors[i].Shape
		}
	}
	if w == nil {
		return nil, nil, "", 0, fmt.Errorf("%w: the model has no tensor %s", ErrNetwork, name)
	}
	blocks = 1
	if m.Arch.Name == "paper" && len(shape) > 0 && shape[0]%2 == 0 {
		blocks = 2
	}
	return w, shape, name, blocks, nil
}
