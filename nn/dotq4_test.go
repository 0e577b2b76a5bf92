package nn

import (
	"errors"
	"math"
	"math/rand"
	"testing"
)

// quantize4 returns params with every weight (not bias) as 4-bit values with
// one scale per group of a row: scale = max|group|/7, q = round(w/scale).
func quantize4(ps map[string]Weight, group int) map[string]Weight {
	return eachWeight(ps, func(w Weight) Weight {
		rows := w.Shape[0]
		per := len(w.F32) / rows
		ng := Q4Groups(per, group)
		vals := make([]int8, len(w.F32))
		qw := Weight{Shape: w.Shape, Scale: make([]float32, rows*ng), Group: group}
		for r := range rows {
			for g := range ng {
				lo, hi := r*per+g*group, r*per+min((g+1)*group, per)
				var m float64
				for _, v := range w.F32[lo:hi] {
					m = math.Max(m, math.Abs(float64(v)))
				}
				s := float32(m / 7)
				qw.Scale[r*ng+g] = s
				if s == 0 {
					continue
				}
				for i := lo; i < hi; i++ {
					vals[i] = int8(math.Round(float64(w.F32[i] / s)))
				}
			}
		}
		qw.Q4 = Q4Pack(vals, rows, per)
		return qw
	})
}

// refDotQ4 is the naive reference: value i of the row, read straight from
// the layout's definition, times its group's scale, times x[i], in float64.
func refDotQ4(q []byte, scale []float32, group int, x []float32) float64 {
	var s float64
	for i, v := range x {
		blk := q[i/32*16 : i/32*16+16]
		nib := blk[i%16] & 0x0f
		if i%32 >= 16 {
			nib = blk[i%16] >> 4
		}
		val := int(nib) - 8
		s += float64(val) * float64(scale[i/group]) * float64(v)
	}
	return s
}

// TestDotQ4 checks the build's dotQ4 (SIMD under goexperiment.simd on
// wasm) and the scalar dotQ4Scalar against refDotQ4 on random rows of odd
// lengths, every nibble value -8..7 included, groups of 32, 64 and 96.
func TestDotQ4(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	for _, group := range []int{32, 64, 96} {
		for _, n := range []int{1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 95, 97, 100, 129, 1001, 4608} {
			q := make([]byte, Q4RowBytes(n))
			for i := range q {
				q[i] = byte(r.Intn(256))
			}
			if n%Q4Block != 0 { // padding nibbles are 0 in a valid row
				vals := make([]int8, n)
				for i := range vals {
					vals[i] = q4At(q, i)
				}
				q = Q4Pack(vals, 1, n)
			}
			scale := randVec(r, Q4Groups(n, group), 1)
			x := randVec(r, n, 1)
			xsum := make([]float32, len(scale))
			q4GroupSums(xsum, x, group)
			want := refDotQ4(q, scale, group, x)
			tol := 1e-5 * 8 * math.Sqrt(float64(n)+1)
			if got := dotQ4(q, scale, group, x, xsum); math.Abs(float64(got)-want) > tol {
				t.Errorf("dotQ4 group %d n=%d: %g, want %g", group, n, got, want)
			}
			if got := dotQ4Scalar(q, scale, group, x, xsum); math.Abs(float64(got)-want) > tol {
				t.Errorf("dotQ4Scalar group %d n=%d: %g, want %g", group, n, got, want)
			}
			// dotQ4x4: four different rows and scales (q, its bytes
			// reversed, a fresh row, q again with other scales).
			var rows [4][]byte
			var scs [4][]float32
			for k := range rows {
				rows[k] = append([]byte(nil), q...)
				scs[k] = randVec(r, len(scale), 1)
			}
			for i := range q {
				rows[1][i] = q[len(q)-1-i]
				rows[2][i] = byte(r.Intn(256))
			}
			scs[3] = scale
			for k := 1; k < 3; k++ { // keep the padding nibbles 0
				vals := make([]int8, n)
				for i := range vals {
					vals[i] = q4At(rows[k], i)
				}
				rows[k] = Q4Pack(vals, 1, n)
			}
			var got [4]float32
			got[0], got[1], got[2], got[3] = dotQ4x4(rows[0], rows[1], rows[2], rows[3], scs[0], scs[1], scs[2], scs[3], group, x, xsum)
			for k := range rows {
				if want := refDotQ4(rows[k], scs[k], group, x); math.Abs(float64(got[k])-want) > tol {
					t.Errorf("dotQ4x4 group %d n=%d row %d: %g, want %g", group, n, k, got[k], want)
				}
			}
		}
	}
}

// TestQ4PackUnpack: Q4Pack puts value 32b+j plus 8 in the low nibble of
// byte j of block b and 32b+16+j plus 8 in its high nibble, padding 0;
// Q4Unpack inverts it.
func TestQ4PackUnpack(t *testing.T) {
	vals := make([]int8, 2*35)
	for i := range vals {
		vals[i] = int8(i%15 - 7)
	}
	p := Q4Pack(vals, 2, 35)
	if len(p) != 2*32 {
		t.Fatalf("%d bytes, want 64", len(p))
	}
	if p[0] != byte(vals[0]+8)|byte(vals[16]+8)<<4 || p[16] != byte(vals[32]+8) || p[19] != 0 || p[31] != 0 {
		t.Errorf("layout: % x", p[:32])
	}
	scale := []float32{1, 2, 3, 4} // group 32: two groups per row
	f := Q4Unpack(p, scale, 2, 35, 32)
	for i, v := range vals {
		r, j := i/35, i%35
		if want := float32(v) * scale[r*2+j/32]; f[i] != want {
			t.Fatalf("value %d: %g, want %g", i, f[i], want)
		}
	}
}

// TestLinearQ4Random: the Linear layer with 4-bit weights against the
// float64 reference net (on the dequantised weights), odd sizes.
func TestLinearQ4Random(t *testing.T) {
	r := rand.New(rand.NewSource(22))
	for it := range 30 {
		in, out := 1+r.Intn(200), 1+r.Intn(23)
		group := 32 * (1 + it%3)
		a := Arch{InC: in, InH: 1, InW: 1, Layers: []Layer{linear("fc", in, out)}}
		ps := quantize4(randParams(r, a), group)
		x := randVec(r, in, 1)
		n, d, m := vsRef(t, a, ps, x)
		if d > 1e-5*math.Max(1, m) {
			t.Fatalf("linear %d->%d group %d: max diff %g", in, out, group, d)
		}
		if allocs := testing.AllocsPerRun(3, func() { n.Forward(x) }); allocs != 0 {
			t.Fatalf("Forward with 4-bit weights allocates %v times", allocs)
		}
	}
	// A whole small net with 4-bit conv and linear weights (conv ones are
	// dequantised at load).
	for _, a := range smallArchs() {
		ps := quantize4(randParams(r, a), 64)
		x := randVec(r, a.InC*a.InH*a.InW, 1)
		if _, d, m := vsRef(t, a, ps, x); d > 1e-4*math.Max(1, m) {
			t.Errorf("%s with 4-bit weights: max diff %g", a.Name, d)
		}
	}
}

func TestNewRejectsBadQ4(t *testing.T) {
	a := Arch{InC: 40, InH: 1, InW: 1, Layers: []Layer{linear("fc", 40, 3)}}
	good := quantize4(randParams(rand.New(rand.NewSource(23)), a), 32)
	if _, err := New(a, good); err != nil {
		t.Fatal(err)
	}
	w := good["fc.weight"]
	for name, bad := range map[string]Weight{
		"group 0":     {Shape: w.Shape, Q4: w.Q4, Scale: w.Scale},
		"group 48":    {Shape: w.Shape, Q4: w.Q4, Scale: w.Scale, Group: 48},
		"group -32":   {Shape: w.Shape, Q4: w.Q4, Scale: w.Scale, Group: -32},
		"bytes short": {Shape: w.Shape, Q4: w.Q4[:len(w.Q4)-1], Scale: w.Scale, Group: 32},
		"scales":      {Shape: w.Shape, Q4: w.Q4, Scale: w.Scale[:5], Group: 32},
		"scale inf":   {Shape: w.Shape, Q4: w.Q4, Scale: []float32{1, 1, 1, float32(math.Inf(1)), 1, 1}, Group: 32},
		"and q8":      {Shape: w.Shape, Q4: w.Q4, Q8: make([]int8, 120), Scale: w.Scale, Group: 32},
		"and f32":     {Shape: w.Shape, Q4: w.Q4, F32: make([]float32, 120), Scale: w.Scale, Group: 32},
	} {
		ps := map[string]Weight{"fc.weight": bad, "fc.bias": good["fc.bias"]}
		if _, err := New(a, ps); !errors.Is(err, ErrParam) {
			t.Errorf("%s: got %v, want ErrParam", name, err)
		}
	}
}

// BenchmarkFC1 times the seed's fc1 (4608 -> 2048) alone with float32, int8
// and 4-bit (groups of 32 and 64) weights:
//
//	go test ./nn -run '^$' -bench FC1 -benchtime 20x
func BenchmarkFC1(b *testing.B) {
	a := Arch{InC: 4608, InH: 1, InW: 1, Layers: []Layer{linear("fc", 4608, 2048)}}
	r := rand.New(rand.NewSource(24))
	f32 := randParams(r, a)
	x := randVec(r, 4608, 1)
	for _, c := range []struct {
		name string
		ps   map[string]Weight
	}{{"f32", f32}, {"int8", quantize(f32)}, {"q4g32", quantize4(f32, 32)}, {"q4g64", quantize4(f32, 64)}} {
		b.Run(c.name, func(b *testing.B) {
			n, err := New(a, c.ps)
			if err != nil {
				b.Fatal(err)
			}
			benchForward(b, n, x)
		})
	}
}

// BenchmarkFC2 times the seed's fc2 (2048 -> 2048) alone with int8 and
// 4-bit (groups of 64, as shipped) weights:
//
//	go test ./nn -run '^$' -bench FC2 -benchtime 20x
func BenchmarkFC2(b *testing.B) {
	a := Arch{InC: 2048, InH: 1, InW: 1, Layers: []Layer{linear("fc", 2048, 2048)}}
	r := rand.New(rand.NewSource(25))
	f32 := randParams(r, a)
	x := randVec(r, 2048, 1)
	for _, c := range []struct {
		name string
		ps   map[string]Weight
	}{{"int8", quantize(f32)}, {"q4g64", quantize4(f32, 64)}} {
		b.Run(c.name, func(b *testing.B) {
			n, err := New(a, c.ps)
			if err != nil {
				b.Fatal(err)
			}
			benchForward(b, n, x)
		})
	}
}

// BenchmarkSeedMixed times the whole seed network with -quant mixed's types
// (int4 fc1 and fc2 in groups of 64, int8 the rest) next to all-int8, in
// interleaved runs:
//
//	go test ./nn -run '^$' -bench SeedMixed -benchtime 10x -count 3
func BenchmarkSeedMixed(b *testing.B) {
	a := Seed(5)
	r := rand.New(rand.NewSource(11))
	f32 := randParams(r, a)
	q8 := quantize(f32)
	q4 := quantize4(f32, 64)
	mixed := map[string]Weight{}
	for k, v := range q8 {
		mixed[k] = v
	}
	for _, k := range []string{"classifier.1.weight", "classifier.4.weight"} {
		mixed[k] = q4[k]
	}
	x := randVec(r, a.InC*a.InH*a.InW, 2)
	for _, c := range []struct {
		name string
		ps   map[string]Weight
	}{{"int8", q8}, {"mixed", mixed}} {
		b.Run(c.name, func(b *testing.B) {
			n, err := New(a, c.ps)
			if err != nil {
				b.Fatal(err)
			}
			benchForward(b, n, x)
		})
	}
}
