package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for image.Decode
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"alexnet/classifier"
	"alexnet/npy"
	"alexnet/prep"
	"alexnet/weights"
	defaultmodel "alexnet/weights/default"
)

// loadClassifier loads -weights, or the shipped default model when path is "".
func loadClassifier(path string) (*classifier.Classifier, error) {
	if path == "" {
		c, err := classifier.Load(defaultmodel.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the built-in default model: %w", err)
		}
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := classifier.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// classifyFile classifies one input: a .npy tensor (1,3,H,W) or (3,H,W)
// taken as is, or an image preprocessed as the weight file says.
func classifyFile(c *classifier.Classifier, path string, k int) (classifier.Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return classifier.Result{}, err
	}
	if strings.EqualFold(filepath.Ext(path), ".npy") {
		a, err := npy.Read(b)
		if err != nil {
			return classifier.Result{}, err
		}
		ar := c.Model().Arch
		s := a.Shape
		if len(s) == 4 && s[0] == 1 {
			s = s[1:]
		}
		if len(s) != 3 || s[0] != ar.InC || s[1] != ar.InH || s[2] != ar.InW {
			return classifier.Result{}, fmt.Errorf("tensor shape %v, the network takes (1,%d,%d,%d)", a.Shape, ar.InC, ar.InH, ar.InW)
		}
		return c.ClassifyTensor(a.Data, k)
	}
	img, _, err := prep.Decode(b)
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return classifier.Result{}, errors.New("not a JPEG, PNG or .npy file")
		}
		return classifier.Result{}, fmt.Errorf("decoding image: %v", err)
	}
	return c.Classify(img, k)
}

type jsonResult struct {
	File    string            `json:"file"`
	Top     []classifier.Pred `json:"top"`
	Logits  []float32         `json:"logits"`
	Probs   []float32         `json:"probs"`
	NotSure bool              `json:"not_sure"`
}

func runClassify(e *env, args []string) error {
	fs := newFlags(e, "classify")
	wpath := fs.String("weights", "", "weight file (default: the built-in flowers model)")
	k := fs.Int("top", 3, "number of classes to print")
	asJSON := fs.Bool("json", false, "print one JSON object per input: file, top, logits, probs, not_sure")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErr("no inputs")
	}
	c, err := loadClassifier(*wpath)
	if err != nil {
		return err
	}
	failed := 0
	enc := json.NewEncoder(e.stdout)
	for _, path := range fs.Args() {
		r, err := classifyFile(c, path, *k)
		if err != nil {
			fmt.Fprintf(e.stderr, "alexnet classify: %s: %s\n", path, oneLine(err))
			failed++
			continue
		}
		if *asJSON {
			if err := enc.Encode(jsonResult{path, r.Top, r.Logits, r.Probs, r.NotSure}); err != nil {
				return err
			}
			continue
		}
		var parts []string
		for _, p := range r.Top {
			parts = append(parts, fmt.Sprintf("%s %.1f%%", p.Label, 100*p.Prob))
		}
		verdict := ""
		if r.NotSure {
			verdict = "not sure: "
		}
		fmt.Fprintf(e.stdout, "%s: %s%s\n", path, verdict, strings.Join(parts, ", "))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d inputs failed", failed, fs.NArg())
	}
	return nil
}

func runInspect(e *env, args []string) error {
	fs := newFlags(e, "inspect")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("want one weight file")
	}
	path := fs.Arg(0)
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := weights.Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	w := e.stdout
	crc := uint32(b[len(b)-4]) | uint32(b[len(b)-3])<<8 | uint32(b[len(b)-2])<<16 | uint32(b[len(b)-1])<<24
	fmt.Fprintf(w, "file:         %s (%d bytes, format version %d, CRC-32C %08x)\n", path, len(b), binary.LittleEndian.Uint32(b[4:]), crc)
	fmt.Fprintf(w, "name:         %s\n", m.Name)
	a := m.Arch
	fmt.Fprintf(w, "architecture: %s, input %dx%dx%d, %d layers, %d classes\n", a.Name, a.InC, a.InH, a.InW, len(a.Layers), a.Classes())
	fmt.Fprintf(w, "labels:       %s\n", strings.Join(m.Labels, ", "))
	p := m.Prep
	if p.Resize == 0 {
		fmt.Fprintf(w, "preprocess:   squash to %dx%d", p.CropW, p.CropH)
	} else {
		fmt.Fprintf(w, "preprocess:   shorter side to %d (bilinear, antialiased), centre crop %dx%d", p.Resize, p.CropW, p.CropH)
	}
	fmt.Fprintf(w, ", mean %v, std %v\n", p.Mean, p.Std)
	fmt.Fprintf(w, "calibration:  temperature %g, not sure below %g\n", m.Calib.Temperature, m.Calib.Threshold)
	shapes, _ := a.Shapes()
	types := map[string]weights.Tensor{}
	for _, t := range m.Tensors {
		types[t.Name] = t
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nlayer\top\toutput\ttensors")
	var total, bytes int
	for i, l := range a.Layers {
		desc := string(l.Op)
		switch l.Op {
		case "conv":
			desc = fmt.Sprintf("conv %d->%d k%d s%d p%d", l.InC, l.OutC, l.Kernel, l.Stride, l.Pad)
			if l.Groups > 1 {
				desc += fmt.Sprintf(" g%d", l.Groups)
			}
		case "maxpool":
			desc = fmt.Sprintf("maxpool k%d s%d", l.Kernel, l.Stride)
		case "lrn":
			desc = fmt.Sprintf("lrn size %d alpha %g beta %g k %g", l.Size, l.Alpha, l.Beta, l.K)
		case "adaptiveavgpool":
			desc = fmt.Sprintf("adaptiveavgpool %dx%d", l.OutH, l.OutW)
		case "linear":
			desc = fmt.Sprintf("linear %d->%d", l.In, l.Out)
		case "globalpool":
			desc = fmt.Sprintf("globalpool (mean, max) of %v", l.From)
		}
		var ts []string
		for _, suffix := range []string{".weight", ".bias"} {
			if t, ok := types[l.Name+suffix]; ok && l.Name != "" {
				n := 1
				for _, d := range t.Shape {
					n *= d
				}
				total += n
				bytes += t.DataSize()
				ts = append(ts, fmt.Sprintf("%s %s %v", suffix[1:], t.Type, t.Shape))
			}
		}
		fmt.Fprintf(tw, "%d %s\t%s\t%dx%dx%d\t%s\n", i, l.Name, desc, shapes[i].C, shapes[i].H, shapes[i].W, strings.Join(ts, ", "))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nparameters:   %d (%.1f MB of tensor data; %.1f MB as float32)\n", total, float64(bytes)/1e6, float64(4*total)/1e6)
	if c, err := m.Cost(); err == nil {
		fmt.Fprintf(w, "cost:         memory %.1f MB to classify an image (limit %.0f MB), work %.3f GFLOP a pass (limit %.0f)\n",
			float64(c.Memory)/1e6, float64(weights.MaxMemory)/1e6, float64(c.FLOPs)/1e9, float64(weights.MaxFLOPs)/1e9)
	}
	return nil
}

func runBench(e *env, args []string) error {
	fs := newFlags(e, "bench")
	wpath := fs.String("weights", "", "weight file (default: the built-in flowers model)")
	n := fs.Int("n", 20, "timed forward passes (after one warm-up)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErr("unexpected arguments %v", fs.Args())
	}
	if *n < 1 {
		return usageErr("-n %d, want >= 1", *n)
	}
	c, err := loadClassifier(*wpath)
	if err != nil {
		return err
	}
	net := c.Net()
	a := c.Model().Arch
	x := make([]float32, a.InC*a.InH*a.InW)
	for i := range x {
		x[i] = float32(math.Sin(float64(i))) // any input: the work does not depend on it
	}
	layers := len(a.Layers)
	per := make([]time.Duration, layers)
	sum := make([]time.Duration, layers)
	best := time.Duration(math.MaxInt64)
	net.ForwardTimed(x, per) // warm-up
	for range *n {
		start := time.Now()
		net.ForwardTimed(x, per)
		best = min(best, time.Since(start))
		for i, d := range per {
			sum[i] += d
		}
	}
	flops := net.FLOPs()
	shapes, _ := a.Shapes()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "layer\top\toutput\tms\tMFLOP\tGFLOP/s\t\n")
	var total time.Duration
	var tflops int64
	for i, l := range a.Layers {
		ms := float64(sum[i]) / float64(*n) / 1e6
		total += sum[i]
		tflops += flops[i]
		gf := ""
		if flops[i] > 0 && ms > 0 {
			gf = fmt.Sprintf("%.2f", float64(flops[i])/ms/1e6)
		}
		fmt.Fprintf(tw, "%d\t%s\t%dx%dx%d\t%.3f\t%.1f\t%s\t\n", i, l.Op, shapes[i].C, shapes[i].H, shapes[i].W, ms, float64(flops[i])/1e6, gf)
	}
	ms := float64(total) / float64(*n) / 1e6
	fmt.Fprintf(tw, "total\t%s\t\t%.3f\t%.1f\t%.2f\t\n", a.Name, ms, float64(tflops)/1e6, float64(tflops)/ms/1e6)
	tw.Flush()
	fmt.Fprintf(e.stdout, "%.2f ms/image mean, %.2f ms best, over %d runs (GOMAXPROCS %d, %s/%s)\n",
		ms, float64(best)/1e6, *n, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	return nil
}

// evalItem is one labelled input.
type evalItem struct {
	path  string
	label int
}

type evalReport struct {
	Images    int              `json:"images"`
	Top1      float64          `json:"top1"`
	Top5      float64          `json:"top5"`
	TopK      int              `json:"top5_k"` // k of "top5" when there are fewer than 5 classes
	NotSure   int              `json:"not_sure"`
	SureAcc   float64          `json:"sure_top1"` // top-1 over the inputs not marked "not sure"
	Labels    []string         `json:"labels"`
	PerClass  []classAcc       `json:"per_class"`
	Confusion [][]int          `json:"confusion"` // [true][predicted]
	Failed    []map[string]any `json:"failed,omitempty"`
}

type classAcc struct {
	Label    string  `json:"label"`
	Images   int     `json:"images"`
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
}

func runEval(e *env, args []string) error {
	fs := newFlags(e, "eval")
	wpath := fs.String("weights", "", "weight file (default: the built-in flowers model)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	split := fs.String("split", "", "split file of lines `val <class>/<file>` / `train <class>/<file>`: evaluate the val lines only")
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "parallel workers")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("want one directory")
	}
	dir := fs.Arg(0)
	c, err := loadClassifier(*wpath)
	if err != nil {
		return err
	}
	m := c.Model()
	items, err := evalItems(dir, *split, m.Labels)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("%s: no images in %s/<label>/ for labels %s", dir, dir, strings.Join(m.Labels, ", "))
	}
	nc := len(m.Labels)
	k5 := min(5, nc)
	rep := evalReport{Images: len(items), TopK: k5, Labels: m.Labels, Confusion: make([][]int, nc)}
	for i := range rep.Confusion {
		rep.Confusion[i] = make([]int, nc)
	}
	type outcome struct {
		item evalItem
		r    classifier.Result
		err  error
	}
	results := make([]outcome, len(items))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(1, *jobs); w++ {
		wc := c
		if w > 0 {
			if wc, err = classifier.New(m); err != nil {
				return err
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := classifyFile(wc, items[i].path, k5)
				results[i] = outcome{items[i], r, err}
			}
		}()
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()

	var top1, top5, sureRight int
	perN, perOK := make([]int, nc), make([]int, nc)
	for _, o := range results {
		if o.err != nil {
			rep.Failed = append(rep.Failed, map[string]any{"file": o.item.path, "error": oneLine(o.err)})
			fmt.Fprintf(e.stderr, "alexnet eval: %s: %s\n", o.item.path, oneLine(o.err))
			continue
		}
		pred := o.r.Top[0].Index
		rep.Confusion[o.item.label][pred]++
		perN[o.item.label]++
		if pred == o.item.label {
			top1++
			perOK[o.item.label]++
		}
		for _, p := range o.r.Top {
			if p.Index == o.item.label {
				top5++
			}
		}
		if o.r.NotSure {
			rep.NotSure++
		} else if pred == o.item.label {
			sureRight++
		}
	}
	done := len(items) - len(rep.Failed)
	rep.Images = done
	rep.Top1, rep.Top5 = ratio(top1, done), ratio(top5, done)
	rep.SureAcc = ratio(sureRight, done-rep.NotSure)
	for i, l := range m.Labels {
		rep.PerClass = append(rep.PerClass, classAcc{l, perN[i], perOK[i], ratio(perOK[i], perN[i])})
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printReport(e.stdout, rep)
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d of %d images failed", len(rep.Failed), len(items))
	}
	return nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func printReport(w io.Writer, r evalReport) {
	fmt.Fprintf(w, "images: %d\ntop-1:  %.2f%%\ntop-%d:  %.2f%%\n", r.Images, 100*r.Top1, r.TopK, 100*r.Top5)
	fmt.Fprintf(w, "not sure: %d (%.1f%%); top-1 on the rest: %.2f%%\n\n", r.NotSure, 100*ratio(r.NotSure, r.Images), 100*r.SureAcc)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "class\timages\tcorrect\taccuracy\t\n")
	for _, c := range r.PerClass {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f%%\t\n", c.Label, c.Images, c.Correct, 100*c.Accuracy)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nconfusion matrix (rows: true class, columns: predicted)")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, l := range r.Labels {
		fmt.Fprintf(tw, "%s\t", l)
	}
	fmt.Fprintln(tw)
	for i, row := range r.Confusion {
		fmt.Fprintf(tw, "%s\t", r.Labels[i])
		for _, v := range row {
			fmt.Fprintf(tw, "%d\t", v)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// evalItems lists DIR/<label>/* for the model's labels, or with a split file
// the `val <label>/<file>` lines of it, sorted.
func evalItems(dir, split string, labels []string) ([]evalItem, error) {
	index := make(map[string]int, len(labels))
	for i, l := range labels {
		index[l] = i
	}
	var items []evalItem
	if split != "" {
		f, err := os.Open(split)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			fields := strings.Fields(sc.Text())
			if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
				continue
			}
			if len(fields) != 2 || (fields[0] != "val" && fields[0] != "train") {
				return nil, fmt.Errorf("%s:%d: want `val <class>/<file>` or `train <class>/<file>`, got %q", split, line, sc.Text())
			}
			if fields[0] != "val" {
				continue
			}
			rel := filepath.ToSlash(fields[1])
			class, _, ok := strings.Cut(rel, "/")
			li, known := index[class]
			if !ok || !known {
				return nil, fmt.Errorf("%s:%d: %q is not <label>/<file> for a label of the model (%s)", split, line, rel, strings.Join(labels, ", "))
			}
			items = append(items, evalItem{filepath.Join(dir, filepath.FromSlash(rel)), li})
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %v", split, err)
		}
		return items, nil
	}
	for i, l := range labels {
		ents, err := os.ReadDir(filepath.Join(dir, l))
		if errors.Is(err, os.ErrNotExist) {
			continue // a class with no directory: no images of it
		}
		if err != nil {
			return nil, err
		}
		for _, en := range ents {
			ext := strings.ToLower(filepath.Ext(en.Name()))
			if en.IsDir() || !slices.Contains([]string{".jpg", ".jpeg", ".png", ".npy"}, ext) {
				continue
			}
			items = append(items, evalItem{filepath.Join(dir, l, en.Name()), i})
		}
	}
	sort.Slice(items, func(a, b int) bool { return items[a].path < items[b].path })
	return items, nil
}
