package main

import (
	"context"
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"

	"alexnet/classifier"
	"alexnet/internal/protocol"
	"alexnet/weights"
	defaultmodel "alexnet/weights/default"
)

// stripes is a test picture: stripes of two colours, their width set by
// the seed so examples of one class differ.
func stripes(w, h int, a, b color.NRGBA, width int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := a
			if (x/width)%2 == 1 {
				c = b
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img.Pix
}

func TestTeacher(t *testing.T) {
	base, err := weights.Decode(defaultmodel.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var tr Teacher
	if _, err := tr.Add(1, make([]byte, 4), 1, 1); err == nil {
		t.Fatal("Add before a base: no error")
	}
	tr.Loaded(base, defaultmodel.Bytes)
	p, err := tr.Crop()
	if err != nil {
		t.Fatal(err)
	}
	if p.CropW != 288 || p.CropH != 288 {
		t.Fatalf("crop %dx%d, want 288x288", p.CropW, p.CropH)
	}
	red, green := color.NRGBA{220, 30, 30, 255}, color.NRGBA{30, 200, 40, 255}
	white, black := color.NRGBA{250, 250, 250, 255}, color.NRGBA{10, 10, 10, 255}
	var items []protocol.TeachItem
	for i := 0; i < 5; i++ {
		for k, pair := range [][2]color.NRGBA{{red, green}, {white, black}} {
			id := 10*k + i
			if _, err := tr.Add(id, stripes(288, 288, pair[0], pair[1], 6+3*i), 288, 288); err != nil {
				t.Fatal(err)
			}
			items = append(items, protocol.TeachItem{Example: id, Class: k})
		}
	}
	req := &protocol.TeachTrain{Name: "stripes", Labels: []string{"colour", "grey"}, Examples: items, Seed: 1}
	steps := 0
	m, rep, err := tr.Train(context.Background(), req, func(done, total int) { steps = total })
	if err != nil {
		t.Fatal(err)
	}
	if steps == 0 || rep.Held != 2 || rep.Correct != 2 {
		t.Errorf("steps %d, report %+v: want 2 of 2 held out right", steps, rep)
	}
	if !IsTaught(m) || IsTaught(base) {
		t.Error("IsTaught is wrong")
	}
	// The exported file runs in the classifier and knows the classes.
	b, err := weights.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	c, err := classifier.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Classify(frameImage(stripes(288, 288, red, green, 8), 288, 288), 2)
	if err != nil || res.Top[0].Label != "colour" {
		t.Errorf("taught file: %+v %v, want colour", res.Top, err)
	}
	// A taught model loaded does not become the base; a base does, and
	// drops the embeddings made with the old one.
	tr.Loaded(m, b)
	if !tr.Has(0) {
		t.Error("loading a taught model dropped the embeddings")
	}
	tr.Loaded(base, defaultmodel.Bytes)
	if _, _, err := tr.Train(context.Background(), req, nil); !errors.Is(err, ErrUnembedded) {
		t.Errorf("after a new base: %v, want ErrUnembedded", err)
	}
}

func TestCheckClasses(t *testing.T) {
	two := []string{"mug", "keys"}
	for _, c := range []struct {
		labels []string
		items  []protocol.TeachItem
		want   string
	}{
		{[]string{"mug"}, []protocol.TeachItem{{Example: 1}}, "at least two classes"},
		{two, []protocol.TeachItem{{Example: 1, Class: 0}}, "\u201ckeys\u201d has no examples"},
		{two, []protocol.TeachItem{{Example: 1, Class: 2}}, "no class"},
		{two, []protocol.TeachItem{{Example: 1, Class: 0}, {Example: 2, Class: 1}}, ""},
	} {
		err := CheckClasses(c.labels, c.items)
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: %v, want %q", c.labels, c.items, err, c.want)
		}
	}
}
