package main

import "alexnet/internal/protocol"

// Preds is a top-k list: one row per class with its probability as a bar
// and a percentage. Rows carry data-label and data-prob for tests.
type Preds struct {
	Top     []protocol.Pred
	NotSure bool
	Compact bool
}

// Class is the list's class.
func (c *Preds) Class() string {
	s := "preds"
	if c.Compact {
		s += " compact"
	}
	if c.NotSure {
		s += " unsure"
	}
	return s
}

// RowClass marks the first row.
func (c *Preds) RowClass(i int) string {
	if i == 0 {
		return "pred top"
	}
	return "pred"
}

// BarValue is the progress value (0..1000) of a probability.
func (c *Preds) BarValue(p float64) int {
	if !(p > 0) {
		return 0
	}
	if p > 1 {
		return 1000
	}
	return int(p*1000 + 0.5)
}
