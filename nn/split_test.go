package nn

import (
	"math"
	"math/rand"
	"sync"
	"testing"
)

// pipes connects parts running as goroutines: pipes[to][from] carries
// from's share of each exchange, in order.
type pipes [][]chan []float32

func newPipes(parts int) pipes {
	p := make(pipes, parts)
	for to := range p {
		p[to] = make([]chan []float32, parts)
		for from := range p[to] {
			p[to][from] = make(chan []float32, 1)
		}
	}
	return p
}

// exchange is part k's Exchange: send act[lo:hi] (with its offset) to every
// other part and take theirs. The test checks that the shares tile act.
func (p pipes) exchange(t *testing.T, k int) Exchange {
	return func(act []float32, lo, hi int) bool {
		msg := append([]float32{float32(lo)}, act[lo:hi]...)
		for to := range p {
			if to != k {
				p[to][k] <- msg
			}
		}
		covered := hi - lo
		for from := range p {
			if from == k {
				continue
			}
			m := <-p[k][from]
			off := int(m[0])
			covered += copy(act[off:], m[1:])
		}
		if covered != len(act) {
			t.Errorf("part %d: the shares cover %d of %d floats", k, covered, len(act))
		}
		return true
	}
}

// TestPartsMatchWhole runs every layout (small and the full seed), float32,
// int8 and int4, split in 2 and 3 parts, each part in its own goroutine, and
// compares every part's logits with the whole net's.
func TestPartsMatchWhole(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	archs := append(smallArchs(), Seed(5))
	for _, a := range archs {
		for _, quant := range []string{"f32", "int8", "int4"} {
			ps := randParams(r, a)
			switch quant {
			case "int8":
				ps = quantize(ps)
			case "int4":
				ps = quantize4(ps, 32)
			}
			whole, err := New(a, ps)
			if err != nil {
				t.Fatal(err)
			}
			x := randVec(r, a.InC*a.InH*a.InW, 1)
			want := append([]float32(nil), whole.Forward(x)...)
			for _, parts := range []int{2, 3} {
				p := newPipes(parts)
				got := make([][]float32, parts)
				var wg sync.WaitGroup
				for k := 0; k < parts; k++ {
					n, err := NewPart(a, ps, k, parts, p.exchange(t, k))
					if err != nil {
						t.Fatal(err)
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						in := x
						if k > 0 { // ignored: part 0's input is the pass's
							in = make([]float32, len(x))
						}
						got[k] = append([]float32(nil), n.Forward(in)...)
					}()
				}
				wg.Wait()
				for k, g := range got {
					if len(g) != len(want) {
						t.Fatalf("%s %s part %d/%d: %d logits, want %d", a.Name, quant, k, parts, len(g), len(want))
					}
					var d, m float64
					for i := range want {
						d = math.Max(d, math.Abs(float64(g[i]-want[i])))
						m = math.Max(m, math.Abs(float64(want[i])))
					}
					if d > 1e-5*math.Max(1, m) {
						t.Errorf("%s %s part %d/%d: max |diff| %g (max |logit| %g)", a.Name, quant, k, parts, d, m)
					}
				}
			}
		}
	}
}

// TestPartExchangeFailure: a failed exchange stops the pass and Forward
// returns nil; NewPart refuses a bad split.
func TestPartExchangeFailure(t *testing.T) {
	a := smallArchs()[0]
	ps := randParams(rand.New(rand.NewSource(4)), a)
	calls := 0
	n, err := NewPart(a, ps, 0, 2, func([]float32, int, int) bool { calls++; return false })
	if err != nil {
		t.Fatal(err)
	}
	if out := n.Forward(make([]float32, a.InC*a.InH*a.InW)); out != nil || calls != 1 {
		t.Errorf("Forward after a failed exchange = %v after %d calls, want nil after 1", out, calls)
	}
	for _, bad := range [][2]int{{0, 0}, {2, 2}, {-1, 2}} {
		if _, err := NewPart(a, ps, bad[0], bad[1], func([]float32, int, int) bool { return true }); err == nil {
			t.Errorf("NewPart(part %d of %d) succeeded", bad[0], bad[1])
		}
	}
	if _, err := NewPart(a, ps, 0, 2, nil); err == nil {
		t.Error("NewPart without an exchange succeeded")
	}
}
