package main

// The look-inside commands (package explain):
//
//	alexnet explain [-weights FILE] [-class LABEL] [-method gradcam|occlusion] [-out FILE.png]
//	                [-opacity A] [-patch N] [-stride N] IMAGE
//	alexnet filters [-weights FILE] [-per-filter] [-scale N] -out FILE.png
//	alexnet activations [-weights FILE] -layer NAME [-max N] [-same-scale] -out FILE.png IMAGE
//
// Layers are named as explain.Layers says: conv1..conv5, relu1.., pool1..,
// lrn1.., avgpool1, flatten1, dropout1.., fc1..fc3.

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"time"

	"alexnet/classifier"
	"alexnet/explain"
	"alexnet/prep"
)

// loadPhoto decodes a JPEG or PNG file (prep.Decode: its declared size
// is checked first).
func loadPhoto(path string) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, _, err := prep.Decode(b)
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, fmt.Errorf("%s: not a JPEG or PNG image", path)
		}
		return nil, fmt.Errorf("%s: decoding image: %v", path, err)
	}
	return img, nil
}

// savePNG writes img to path as a PNG.
func savePNG(path string, img image.Image) error {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// classIndex finds a label (case-insensitive) among the model's.
func classIndex(c *classifier.Classifier, label string) (int, error) {
	labels := c.Model().Labels
	for i, l := range labels {
		if strings.EqualFold(l, label) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown class %q (the model's classes are %s)", label, strings.Join(labels, ", "))
}

func runExplain(e *env, args []string) error {
	fs := newFlags(e, "explain")
	wpath := fs.String("weights", "", "weight file (default: the built-in flowers model)")
	label := fs.String("class", "", "the class to explain (default: the top class)")
	method := fs.String("method", "gradcam", "gradcam (one forward and one backward pass) or occlusion (one forward pass per patch position)")
	out := fs.String("out", "", "the overlay PNG to write (default: IMAGE's name with -METHOD.png, in the current directory)")
	opacity := fs.Float64("opacity", 0.5, "heatmap opacity over the photo, 0..1")
	patch := fs.Int("patch", 0, "occlusion: side of the grey square in input pixels (default: a quarter of the input)")
	stride := fs.Int("stride", 0, "occlusion: step between positions (default: half the patch)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("want one image")
	}
	if *method != string(explain.MethodGradCAM) && *method != string(explain.MethodOcclusion) {
		return usageErr("unknown method %q (want gradcam or occlusion)", *method)
	}
	if !(*opacity >= 0 && *opacity <= 1) {
		return usageErr("opacity %g, want 0..1", *opacity)
	}
	path := fs.Arg(0)
	img, err := loadPhoto(path)
	if err != nil {
		return err
	}
	c, err := loadClassifier(*wpath)
	if err != nil {
		return err
	}
	m := c.Model()
	x, err := prep.Tensor(img, m.Prep)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	r, err := c.ClassifyTensor(x, 1)
	if err != nil {
		return err
	}
	class, how := r.Top[0].Index, "the top class"
	if *label != "" {
		if class, err = classIndex(c, *label); err != nil {
			return err
		}
		if class != r.Top[0].Index {
			how = "the top class is " + r.Top[0].Label
		}
	}
	net := c.Net() // the classifier is not used concurrently here
	t0 := time.Now()
	var mp explain.Map
	if *method == string(explain.MethodGradCAM) {
		mp, err = explain.GradCAM(net, x, class)
	} else {
		mp, err = explain.Occlusion(net, x, class, explain.OcclusionOptions{Patch: *patch, Stride: *stride, Temperature: m.Calib.Temperature})
	}
	if err != nil {
		return err
	}
	took := time.Since(t0)
	b := img.Bounds()
	frame := explain.FrameOf(b.Dx(), b.Dy(), m.Prep)
	overlay, err := explain.Overlay(img, mp, frame, *opacity)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + "-" + *method + ".png"
	}
	if err := savePNG(*out, overlay); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %s for %s (%.1f%%; %s): %s\n", path, *method, m.Labels[class], 100*r.Probs[class], how, mp.Sentence(frame))
	fmt.Fprintf(e.stdout, "wrote %s (%dx%d; colour map Turbo: dark blue 0, red the peak; outside the %dx%d crop the network saw: dimmed); %d forward pass(es), %.0f ms\n",
		*out, b.Dx(), b.Dy(), m.Prep.CropW, m.Prep.CropH, mp.Passes, float64(took.Microseconds())/1e3)
	return nil
}

func runFilters(e *env, args []string) error {
	fs := newFlags(e, "filters")
	wpath := fs.String("weights", "", "weight file (default: the built-in flowers model)")
	out := fs.String("out", "", "the PNG to write (required)")
	perFilter := fs.Bool("per-filter", false, "scale each filter to its own range (default: one range for all, so weak filters look weak)")
	scale := fs.Int("scale", 4, "pixels per weight")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErr("unexpected arguments %v", fs.Args())
	}
	if *out == "" {
		return usageErr("-out FILE.png is required")
	}
	if *scale < 1 || *scale > 64 {
		return usageErr("scale %d, want 1..64", *scale)
	}
	c, err := loadClassifier(*wpath)
	if err != nil {
		return err
	}
	w, shape, name, blocks, err := explain.FirstFilters(c.Model())
	if err != nil {
		return err
	}
	img, err := explain.Filters(w, shape, explain.FilterOptions{Scale: *scale, PerFilter: *perFilter, Blocks: blocks})
	if err != nil {
		return err
	}
	if err := savePNG(*out, img); err != nil {
		return err
	}
	norm := "one range for all filters"
	if *perFilter {
		norm = "each filter scaled to its own range"
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d filters %dx%dx%d of %s (conv1), %d block(s), %s\n", *out, shape[0], shape[1], shape[2], shape[3], name, blocks, norm)
	return nil
}

func runActivations(e *env, args []string) error {
	fs := newFlags(e, "activations")
	wpath := fs.String("weights", "", "weight file (default: the built-in flowers model)")
	layer := fs.String("layer", "", "the layer (conv1, relu1, pool1, ..., fc3; required)")
	out := fs.String("out", "", "the PNG to write (required)")
	maxTiles := fs.Int("max", 0, "at most this many channels, the strongest (default: all)")
	same := fs.Bool("same-scale", false, "one grey scale for the whole layer (default: each tile its own)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("want one image")
	}
	if *out == "" {
		return usageErr("-out FILE.png is required")
	}
	if *maxTiles < 0 {
		return usageErr("max %d, want >= 0", *maxTiles)
	}
	c, err := loadClassifier(*wpath)
	if err != nil {
		return err
	}
	m := c.Model()
	if *layer == "" {
		ls, err := explain.Layers(m.Arch)
		if err != nil {
			return err
		}
		var names []string
		for _, l := range ls {
			names = append(names, l.Name)
		}
		return usageErr("-layer is required (the layers are %s)", strings.Join(names, ", "))
	}
	i, err := explain.FindLayer(m.Arch, *layer)
	if err != nil {
		return err
	}
	path := fs.Arg(0)
	img, err := loadPhoto(path)
	if err != nil {
		return err
	}
	x, err := prep.Tensor(img, m.Prep)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	net := c.Net()
	net.Forward(x) // warm-up: the first pass pays for first-touch memory
	times, err := explain.Times(net, x)
	if err != nil {
		return err
	}
	ls, err := explain.Layers(m.Arch)
	if err != nil {
		return err
	}
	tiles, order, err := explain.Tiles(net.Output(i), ls[i].Shape, explain.TileOptions{Max: *maxTiles, SameScale: *same})
	if err != nil {
		return err
	}
	if err := savePNG(*out, tiles); err != nil {
		return err
	}
	var total time.Duration
	for _, d := range times {
		total += d
	}
	l := ls[i]
	fmt.Fprintf(e.stdout, "%s: %s (%s), output %dx%dx%d, %.2f ms of %.2f ms (%.1f%% of the time), %d parameters (%.1f%% of the weights)\n",
		path, l.Name, l.Op, l.Shape.C, l.Shape.H, l.Shape.W, ms(times[i]), ms(total), 100*float64(times[i])/float64(max(total, 1)), l.Params, 100*l.ParamShare)
	strongest := order[:min(8, len(order))]
	scale := "each tile"
	if *same {
		scale = "the layer"
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d channel tiles, strongest first (by mean activation: channels %v...); grey: black = min(0, smallest), white = largest value of %s\n", *out, len(order), strongest, scale)
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
