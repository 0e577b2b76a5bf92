package main

import (
	"testing"
)

func TestSummarize(t *testing.T) {
	s := summarize([]float64{5, 1, 3, 2}, true)
	if s.N != 4 || s.Median != 2.5 || s.Min != 1 || s.Max != 5 || s.Mean != 2.75 || len(s.All) != 4 {
		t.Errorf("summarize = %+v", s)
	}
	if s := summarize([]float64{3, 1, 2}, false); s.Median != 2 || s.All != nil {
		t.Errorf("odd count: %+v", s)
	}
	if s := summarize(nil, true); s.N != 0 {
		t.Errorf("empty: %+v", s)
	}
}

func TestReadPeers(t *testing.T) {
	raw := []byte(`{"results":[{"config":"ort-wasm-1t","model":"seed_alexnet","median_ms":20,"min_ms":18,"init_ms":900,"first_ms":70},
		{"config":"tfjs-wasm-2t","ok":false,"error":"boom"}]}`)
	ps := readPeers(raw, 10)
	if len(ps) != 2 {
		t.Fatalf("got %d peers", len(ps))
	}
	if p := ps[0]; !p.OK || p.Ratio != 0.5 || p.Min != 18 || p.InitMs != 900 {
		t.Errorf("peer 0 = %+v", p)
	}
	if p := ps[1]; p.OK || p.ErrorMsg != "boom" || p.Ratio != 0 {
		t.Errorf("peer 1 = %+v", p)
	}
	if readPeers([]byte("not json"), 1) != nil {
		t.Error("bad JSON gave peers")
	}
}
