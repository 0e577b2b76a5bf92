package main

import (
	"strings"
	"testing"

	"alexnet/internal/protocol"
)

func TestReportRows(t *testing.T) {
	r := &protocol.TeachReport{Held: 10, Correct: 8, Confusion: [][]int{{7, 1, 0}, {1, 1, 0}, {0, 0, 0}}}
	rows := ReportRows(r, []string{"keys", "mug", "nothing"})
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2 (a class with nothing held out has no row)", len(rows))
	}
	if rows[0].Right != "7 of 8 \u201ckeys\u201d photos right" || rows[0].Mistakes != "1 taken for \u201cmug\u201d" {
		t.Errorf("row 0: %+v", rows[0])
	}
	if rows[1].Right != "1 of 2 \u201cmug\u201d photos right" {
		t.Errorf("row 1: %+v", rows[1])
	}
	if got := Accuracy(r); !strings.HasPrefix(got, "Held-out accuracy: 80% (8 of 10") {
		t.Errorf("Accuracy %q", got)
	}
	if got := Accuracy(&protocol.TeachReport{}); !strings.Contains(got, "Too few") {
		t.Errorf("Accuracy with nothing held out: %q", got)
	}
	if ReportRows(nil, nil) != nil || Accuracy(nil) != "" {
		t.Error("no report should give nothing")
	}
}

func TestCheckLabels(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"mug", "keys"}, ""},
		{[]string{"mug", " "}, "Give every class a name"},
		{[]string{"Mug", "mug "}, "Two classes are called"},
	} {
		var ks []*TeachClass
		for _, n := range c.names {
			ks = append(ks, &TeachClass{Name: n})
		}
		err := CheckLabels(ks)
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.names, err, c.want)
		}
	}
}

func TestTeachState(t *testing.T) {
	var s TeachState
	a := s.addClass(s.defaultName())
	b := s.addClass(s.defaultName())
	if a.Name != "class 1" || b.Name != "class 2" || a.ID == b.ID {
		t.Fatalf("classes %+v %+v", a, b)
	}
	a.Examples = []*TeachExample{{ID: s.newID()}, {ID: s.newID()}}
	if s.Count() != 2 || s.classNamed(" CLASS 1") != a {
		t.Error("Count or classNamed")
	}
	if !s.removeExample(a.Examples[0].ID) || s.Count() != 1 || s.removeExample(999) {
		t.Error("removeExample")
	}
	for len(s.Classes) < MaxTeachClasses {
		s.addClass(s.defaultName())
	}
	if s.addClass("one too many") != nil || s.Err == "" {
		t.Error("more than MaxTeachClasses classes accepted")
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"taught: mug, keys": "taught-mug-keys.alexnet",
		"":                  "taught.alexnet",
		"Ünïcode ✓":         "n-code.alexnet",
	} {
		if got := FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
	if !strings.Contains(storageError(errQuota), "storage for the page is full") {
		t.Error("the quota error is not said plainly")
	}
}
