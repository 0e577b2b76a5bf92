package main

import (
	"slices"
	"testing"

	"alexnet/nn"
	"alexnet/weights"
	defaultmodel "alexnet/weights/default"
)

func TestRowsShippedModel(t *testing.T) {
	m, err := weights.Decode(defaultmodel.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Rows(m)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	covered := 0
	for i, r := range rows {
		names = append(names, r.Name)
		if r.Lo != covered || r.Hi <= r.Lo {
			t.Errorf("row %s covers [%d,%d), want to start at %d", r.Name, r.Lo, r.Hi, covered)
		}
		covered = r.Hi
		if i > 0 && r.FLOPs == 0 && r.Op != "maxpool" {
			t.Errorf("row %s has no FLOPs", r.Name)
		}
	}
	if covered != len(m.Arch.Layers) {
		t.Errorf("rows cover %d of %d layers", covered, len(m.Arch.Layers))
	}
	want := []string{"conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool3", "fc1", "fc2", "fc3"}
	if !slices.Equal(names, want) {
		t.Fatalf("rows %v, want %v", names, want)
	}
	c1 := rows[0]
	if !slices.Equal(c1.In, []int{1, 224, 224, 3}) || !slices.Equal(c1.Filter, []int{11, 11, 3, 48}) ||
		c1.Stride != 4 || c1.Pad != 2 || c1.ReLU != 1 || c1.Hi != 2 {
		t.Errorf("conv1 = %+v", c1)
	}
	if p := rows[7]; !slices.Equal(p.In, []int{1, 13, 13, 128}) || p.Kernel != 3 || p.Stride != 2 || p.ReLU != -1 {
		t.Errorf("pool3 = %+v", p)
	}
	if f := rows[8]; !slices.Equal(f.In, []int{1, 4608}) || !slices.Equal(f.Filter, []int{4608, 2048}) || f.ReLU < 0 {
		t.Errorf("fc1 = %+v", f)
	}
	if f := rows[10]; f.ReLU != -1 || !slices.Equal(f.Filter, []int{2048, 5}) {
		t.Errorf("fc3 = %+v", f)
	}
}

func TestRowsRefusesOpsWithoutRow(t *testing.T) {
	for _, a := range []nn.Arch{nn.TorchVision(5), nn.Paper(5)} { // adaptive avg pool; LRN and groups
		if _, err := Rows(&weights.Model{Arch: a}); err == nil {
			t.Errorf("%s: no error", a.Name)
		}
	}
}

func TestSetLinear(t *testing.T) {
	m, err := weights.Decode(defaultmodel.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := Rows(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := setLinear(m, "int4"); err == nil {
		t.Error("int4: no error")
	}
	if err := setLinear(m, "int8"); err != nil {
		t.Fatal(err)
	}
	rows, err := Rows(m)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if want := shipped[i].Weight; r.Op == "dense" && r.Weight != "int8" || r.Op != "dense" && r.Weight != want {
			t.Errorf("%s is %s", r.Name, r.Weight)
		}
	}
	if _, err := m.Net(); err != nil {
		t.Fatal(err)
	}
}
