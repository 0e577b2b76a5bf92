package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"alexnet/npy"
	"alexnet/teach"
	"alexnet/weights"
)

// runTeach trains a new head on DIR/<class>/* on top of a base model and
// writes the taught model (package teach).
func runTeach(e *env, args []string) error {
	fs := newFlags(e, "teach")
	wpath := fs.String("weights", "", "base weight file (default: the built-in flowers model)")
	out := fs.String("out", "taught.alexnet", "weight file to write")
	name := fs.String("name", "", "model name stored in the file (default: taught-<DIR's base name>)")
	seed := fs.Uint64("seed", 1, "seed of the held-out split (the same seed gives the same file)")
	holdout := fs.Float64("holdout", 0.2, "fraction of each class held out to measure and calibrate, 0..0.9 (0: none)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErr("want one directory of class folders")
	}
	if !(*holdout >= 0 && *holdout <= 0.9) {
		return usageErr("-holdout %g, want 0..0.9", *holdout)
	}
	dir := fs.Arg(0)
	if *name == "" {
		*name = "taught-" + filepath.Base(filepath.Clean(dir))
	}
	labels, files, err := teachFiles(dir)
	if err != nil {
		return err
	}
	c, err := loadClassifier(*wpath)
	if err != nil {
		return err
	}
	emb, err := teach.NewEmbedder(c.Model())
	if err != nil {
		return err
	}
	var examples []teach.Example
	skipped := 0
	count := make([]int, len(labels))
	total := 0
	for _, fl := range files {
		total += len(fl)
	}
	done := 0
	for ci, fl := range files {
		for _, path := range fl {
			v, err := embedFile(emb, path)
			done++
			if done%100 == 0 {
				fmt.Fprintf(e.stderr, "alexnet teach: %d of %d photos\n", done, total)
			}
			if err != nil {
				fmt.Fprintf(e.stderr, "alexnet teach: skipping %s: %s\n", path, oneLine(err))
				skipped++
				continue
			}
			examples = append(examples, teach.Example{Class: ci, Embedding: v})
			count[ci]++
		}
	}
	for ci, n := range count {
		if n == 0 {
			return fmt.Errorf("class %q: none of its %d files could be read (see the lines above)", labels[ci], len(files[ci]))
		}
	}
	res, err := teach.Train(context.Background(), examples, len(labels), teach.Options{Seed: *seed, Holdout: *holdout})
	if err != nil {
		return err
	}
	m, err := teach.Export(emb, res, labels, *name)
	if err != nil {
		return err
	}
	b, err := weights.Encode(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "taught %d classes from %d photos", len(labels), len(examples))
	if skipped > 0 {
		fmt.Fprintf(w, " (%d skipped)", skipped)
	}
	fmt.Fprintf(w, " on top of %s\n", c.Model().Name)
	printTeachReport(w, labels, res.Report)
	if res.Report.Held > 0 {
		fmt.Fprintf(w, "calibration: temperature %.3g, not sure below %.2f (%d of the %d held out)\n", res.Calib.Temperature, res.Calib.Threshold, res.Report.NotSure, res.Report.Held)
	}
	fmt.Fprintf(w, "wrote %s (%d bytes); try: alexnet classify -weights %s PHOTO\n", *out, len(b), *out)
	return nil
}

// printTeachReport says in plain words how the head did on the held-out photos.
func printTeachReport(w io.Writer, labels []string, r teach.Report) {
	if r.Held == 0 {
		fmt.Fprintln(w, "no photos held out (-holdout 0, or too few photos per class): accuracy not measured, not calibrated")
		return
	}
	fmt.Fprintf(w, "held out %d photos: %d right (%.1f%%)\n", r.Held, r.Correct, 100*ratio(r.Correct, r.Held))
	for i, l := range labels {
		n := 0
		for _, v := range r.Confusion[i] {
			n += v
		}
		fmt.Fprintf(w, "  %d of %d '%s' photos right\n", r.Confusion[i][i], n, l)
	}
	fmt.Fprintln(w, "confusion (rows: true class, columns: predicted)")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, l := range labels {
		fmt.Fprintf(tw, "%s\t", l)
	}
	fmt.Fprintln(tw)
	for i, row := range r.Confusion {
		fmt.Fprintf(tw, "%s\t", labels[i])
		for _, v := range row {
			fmt.Fprintf(tw, "%d\t", v)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// teachFiles lists DIR/<class>/* (images and .npy), classes sorted by
// name. It refuses fewer than two classes, a class without files, and more
// files than teach.MaxExamples.
func teachFiles(dir string) (labels []string, files [][]string, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	total := 0
	for _, en := range ents {
		if !en.IsDir() || strings.HasPrefix(en.Name(), ".") {
			continue
		}
		sub, err := os.ReadDir(filepath.Join(dir, en.Name()))
		if err != nil {
			return nil, nil, err
		}
		var fl []string
		for _, f := range sub {
			ext := strings.ToLower(filepath.Ext(f.Name()))
			if !f.IsDir() && slices.Contains([]string{".jpg", ".jpeg", ".png", ".npy"}, ext) {
				fl = append(fl, filepath.Join(dir, en.Name(), f.Name()))
			}
		}
		if len(fl) == 0 {
			return nil, nil, fmt.Errorf("class %q (%s) has no photos (.jpg, .jpeg, .png or .npy): add some or remove the folder", en.Name(), filepath.Join(dir, en.Name()))
		}
		total += len(fl)
		labels = append(labels, en.Name())
		files = append(files, fl)
	}
	if len(labels) < 2 {
		return nil, nil, fmt.Errorf("%s has %d class folder(s) %v; teach needs at least 2, as %s/<class>/<photo>", dir, len(labels), labels, dir)
	}
	if len(labels) > teach.MaxClasses || total > teach.MaxExamples {
		return nil, nil, fmt.Errorf("%s has %d photos in %d classes; teach takes at most %d photos and %d classes", dir, total, len(labels), teach.MaxExamples, teach.MaxClasses)
	}
	return labels, files, nil
}

// embedFile embeds one photo, or a .npy tensor (1,3,H,W) or (3,H,W) taken
// as is, with the base's preprocessing.
func embedFile(emb *teach.Embedder, path string) ([]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(filepath.Ext(path), ".npy") {
		a, err := npy.Read(b)
		if err != nil {
			return nil, err
		}
		return emb.EmbedTensor(a.Data)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, errors.New("not a JPEG, PNG or .npy file")
		}
		return nil, fmt.Errorf("decoding image: %v", err)
	}
	return emb.Embed(img)
}
