package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"alexnet/nn"
	"alexnet/weights"
)

func runConvert(e *env, args []string) error {
	fs := newFlags(e, "convert")
	archName := fs.String("arch", "", "architecture: seed, torchvision or paper (default: inferred from the tensors)")
	quant := fs.String("quant", "int8", "weight storage: int8 (per output channel), f16, f32, or mixed (int4 hidden FC layers, int8 the rest); biases stay f32")
	name := fs.String("name", "", "model name stored in the file (default: OUT's base name)")
	labelsPath := fs.String("labels", "", "class labels: JSON {\"0\": \"daisy\", ...} or [\"daisy\", ...], or one label per line (required)")
	calibPath := fs.String("calib", "", "calibration JSON {\"temperature\": T, \"threshold\": p} (default: temperature 1, threshold 0)")
	resize := fs.Int("resize", -1, "shorter side resized to this before the centre crop; 0 squashes to the input size (default per arch: seed 224, torchvision 256, paper 227)")
	mean := fs.String("mean", "", "per-channel mean on pixel/255, R,G,B (default ImageNet 0.485,0.456,0.406)")
	std := fs.String("std", "", "per-channel std on pixel/255, R,G,B (default ImageNet 0.229,0.224,0.225)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageErr("want IN.pth and OUT, got %d arguments", fs.NArg())
	}
	if *labelsPath == "" {
		return usageErr("-labels is required")
	}
	in, out := fs.Arg(0), fs.Arg(1)
	var qt weights.DType
	mixed := false
	switch *quant {
	case "int8", "q8":
		qt = weights.Q8
	case "f16":
		qt = weights.F16
	case "f32":
		qt = weights.F32
	case "mixed":
		qt, mixed = weights.Q8, true
	default:
		return usageErr("-quant %q, want int8, f16, f32 or mixed", *quant)
	}

	ckpt, err := loadCheckpoint(in)
	if err != nil {
		return err
	}
	defer ckpt.Close()
	ts := ckpt.tensors
	arch, err := chooseArch(*archName, ts)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	labels, err := readLabels(*labelsPath)
	if err != nil {
		return err
	}
	if len(labels) != arch.Classes() {
		return fmt.Errorf("%s has %d labels, the checkpoint has %d classes", *labelsPath, len(labels), arch.Classes())
	}
	m := &weights.Model{Name: *name, Arch: arch, Labels: labels, Prep: weights.DefaultPreprocess(arch),
		Calib: weights.Calibration{Temperature: 1}}
	if m.Name == "" {
		m.Name = strings.TrimSuffix(filepath.Base(out), filepath.Ext(out))
	}
	if *resize >= 0 {
		m.Prep.Resize = *resize
	}
	if *mean != "" {
		if m.Prep.Mean, err = parseTriple(*mean); err != nil {
			return usageErr("-mean: %v", err)
		}
	}
	if *std != "" {
		if m.Prep.Std, err = parseTriple(*std); err != nil {
			return usageErr("-std: %v", err)
		}
	}
	if *calibPath != "" {
		if m.Calib, err = readCalib(*calibPath); err != nil {
			return err
		}
	}
	byName := make(map[string]ckptTensor, len(ts))
	for _, t := range ts {
		byName[t.name] = t
	}
	hidden := hiddenLinearWeights(arch)
	budget := 0 // the storages read may hold no more values than the architecture has
	for _, p := range arch.Params() {
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		budget += n
	}
	for _, p := range arch.Params() {
		data, err := byName[p.Name].values(&budget)
		if err != nil {
			return fmt.Errorf("%s: %s: %v", in, p.Name, err)
		}
		dt := qt
		switch {
		case len(p.Shape) == 1:
			dt = weights.F32 // biases: tiny, and precision matters more than size
		case mixed && hidden[p.Name]:
			dt = weights.Q4
		}
		for i, v := range data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s: %s[%d] is %g: the checkpoint's weights must be finite (whatever -quant)", in, p.Name, i, v)
			}
		}
		m.Tensors = append(m.Tensors, weights.Quantize(p.Name, p.Shape, data, dt))
	}
	b, err := weights.Encode(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	what := qt.String()
	if mixed {
		what = "int4 hidden FC + int8"
	}
	fmt.Fprintf(e.stdout, "%s: %s, %d classes, %s weights, %d bytes\n", out, arch.Name, len(labels), what, len(b))
	return nil
}

// hiddenLinearWeights names the weights -quant mixed stores as int4: every
// linear layer's but the last. The FC layers are 93% of the seed's
// parameters (fc1 alone 65%) and memory-bound at batch 1; the last layer
// (2048x5 for the seed) is tiny and writes the logits directly, so it stays
// int8 like the convolutions.
func hiddenLinearWeights(a nn.Arch) map[string]bool {
	var names []string
	for _, l := range a.Layers {
		if l.Op == nn.OpLinear {
			names = append(names, l.Name+".weight")
		}
	}
	hidden := map[string]bool{}
	for _, n := range names[:max(0, len(names)-1)] {
		hidden[n] = true
	}
	return hidden
}

// archByName builds a known architecture for the given number of classes.
func archByName(name string, classes int) (nn.Arch, bool) {
	switch name {
	case "seed":
		return nn.Seed(classes), true
	case "torchvision":
		return nn.TorchVision(classes), true
	case "paper":
		return nn.Paper(classes), true
	}
	return nn.Arch{}, false
}

var archNames = []string{"seed", "torchvision", "paper"}

// chooseArch returns the named architecture, or infers it: the one whose
// parameters match the checkpoint's names and shapes exactly, with the
// number of classes read from its last layer. On failure the error names the
// first mismatching tensor (for each candidate, when inferring).
func chooseArch(name string, ts []ckptTensor) (nn.Arch, error) {
	names := archNames
	if name != "" {
		if _, ok := archByName(name, 1); !ok {
			return nn.Arch{}, usageErr("-arch %q, want seed, torchvision or paper", name)
		}
		names = []string{name}
	}
	var why []string
	for _, n := range names {
		a, _ := archByName(n, 1)
		ps := a.Params()
		last := ps[len(ps)-2].Name // the last linear layer's weight
		classes := 0
		for _, t := range ts {
			if t.name == last && len(t.shape) == 2 {
				classes = t.shape[0]
			}
		}
		if classes < 1 || classes > nn.MaxDim {
			why = append(why, fmt.Sprintf("%s: no 2-D %s to take the classes from", n, last))
			continue
		}
		a, _ = archByName(n, classes)
		if err := matchParams(a, ts); err != nil {
			why = append(why, fmt.Sprintf("%s: %v", n, err))
			continue
		}
		return a, nil
	}
	if name != "" {
		return nn.Arch{}, fmt.Errorf("does not fit -arch %s: %s", name, strings.TrimPrefix(why[0], name+": "))
	}
	return nn.Arch{}, fmt.Errorf("fits no known architecture (%s); pass -arch to see one in detail", strings.Join(why, "; "))
}

// matchParams checks the checkpoint against the architecture's parameters,
// in order, and reports the first tensor that does not fit.
func matchParams(a nn.Arch, ts []ckptTensor) error {
	ps := a.Params()
	byName := make(map[string]ckptTensor, len(ts))
	for _, t := range ts {
		byName[t.name] = t
	}
	want := make(map[string]bool, len(ps))
	for _, p := range ps {
		want[p.Name] = true
	}
	// Walk the checkpoint in its order so "first" means first in the file.
	for _, t := range ts {
		if !want[t.name] {
			return fmt.Errorf("unexpected tensor %s %v", t.name, t.shape)
		}
		for _, p := range ps {
			if p.Name == t.name && !slices.Equal(p.Shape, t.shape) {
				return fmt.Errorf("%s is %v, want %v", t.name, t.shape, p.Shape)
			}
		}
	}
	for _, p := range ps {
		if _, ok := byName[p.Name]; !ok {
			return fmt.Errorf("missing %s %v", p.Name, p.Shape)
		}
	}
	return nil
}

// readLabels reads {"0": "daisy", ...}, ["daisy", ...] or one label per line.
func readLabels(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := strings.TrimSpace(string(b))
	switch {
	case strings.HasPrefix(s, "{"):
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		labels := make([]string, len(m))
		seen := make([]bool, len(m))
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(m) || seen[i] {
				return nil, fmt.Errorf("%s: key %q: want the indices 0..%d, each once", path, k, len(m)-1)
			}
			labels[i], seen[i] = m[k], true
		}
		return labels, nil
	case strings.HasPrefix(s, "["):
		var labels []string
		if err := json.Unmarshal(b, &labels); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		return labels, nil
	}
	var labels []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		labels = append(labels, strings.TrimSpace(l))
	}
	if len(labels) == 1 && labels[0] == "" {
		return nil, fmt.Errorf("%s: no labels", path)
	}
	return labels, nil
}

// readCalib reads {"temperature": T, "threshold": p}; missing fields keep
// their defaults (1 and 0).
func readCalib(path string) (weights.Calibration, error) {
	c := weights.Calibration{Temperature: 1}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	var v struct {
		Temperature *float64 `json:"temperature"`
		Threshold   *float64 `json:"threshold"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return c, fmt.Errorf("%s: %v", path, err)
	}
	if v.Temperature != nil {
		c.Temperature = float32(*v.Temperature)
	}
	if v.Threshold != nil {
		c.Threshold = float32(*v.Threshold)
	}
	if !(c.Temperature > 0) || !(c.Threshold >= 0 && c.Threshold <= 1) {
		return c, fmt.Errorf("%s: temperature %g (want > 0), threshold %g (want 0..1)", path, c.Temperature, c.Threshold)
	}
	return c, nil
}

func parseTriple(s string) ([3]float32, error) {
	var v [3]float32
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return v, fmt.Errorf("%q: want three comma-separated numbers", s)
	}
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil {
			return v, fmt.Errorf("%q: %v", s, err)
		}
		v[i] = float32(f)
	}
	return v, nil
}
