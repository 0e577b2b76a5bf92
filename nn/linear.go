package nn

// linearLayer is a torch.nn.Linear: y = W x + b with W (Out,In). Float32
// weights are kept as given; int8 weights stay int8 (a quarter of the
// memory traffic, which is what bounds a batch-1 FC layer) and each row's
// dot product is scaled once: y[o] = b[o] + scale[o] * sum_i q[o,i]*x[i].
// 4-bit weights stay packed (an eighth of float32's traffic) and each group
// of a row is scaled once: y[o] = b[o] + sum_g scale[o,g] * sum_{i in g}
// q[o,i]*x[i].
type linearLayer struct {
	in, out int
	f32     []float32 // (Out,In), or nil
	q8      []int8    // (Out,In), or nil
	q4      []byte    // (Out, Q4RowBytes(In)), or nil
	group   int       // with q4: values per scale
	scale   []float32 // (Out) with q8; (Out, Q4Groups(In, group)) with q4
	xsum    []float32 // with q4: q4GroupSums of the input, per Forward
	bias    []float32 // (Out)
}

func newLinearLayer(l Layer, w, b Weight) *linearLayer {
	ll := &linearLayer{in: l.In, out: l.Out, f32: w.F32, q8: w.Q8, q4: w.Q4, group: w.Group, scale: w.Scale, bias: b.Dequantize()}
	if w.Q4 != nil {
		ll.xsum = make([]float32, Q4Groups(l.In, w.Group))
	}
	return ll
}

// forward: src (In) -> dst (Out).
func (ll *linearLayer) forward(dst, src []float32) {
	x := src[:ll.in]
	if ll.q4 != nil {
		rb, ng := Q4RowBytes(ll.in), Q4Groups(ll.in, ll.group)
		q, sc, g, xs := ll.q4, ll.scale, ll.group, ll.xsum
		q4GroupSums(xs, x, g)
		o := 0
		// Four rows at a time share the loads of x (dotQ4x4).
		for ; o+4 <= ll.out; o += 4 {
			s0, s1, s2, s3 := dotQ4x4(q[o*rb:(o+1)*rb], q[(o+1)*rb:(o+2)*rb], q[(o+2)*rb:(o+3)*rb], q[(o+3)*rb:(o+4)*rb],
				sc[o*ng:(o+1)*ng], sc[(o+1)*ng:(o+2)*ng], sc[(o+2)*ng:(o+3)*ng], sc[(o+3)*ng:(o+4)*ng], g, x, xs)
			d, b := dst[o:o+4], ll.bias[o:o+4]
			d[0], d[1], d[2], d[3] = b[0]+s0, b[1]+s1, b[2]+s2, b[3]+s3
		}
		for ; o < ll.out; o++ {
			dst[o] = ll.bias[o] + dotQ4(q[o*rb:(o+1)*rb], sc[o*ng:(o+1)*ng], g, x, xs)
		}
		return
	}
	if ll.q8 != nil {
		in, q := ll.in, ll.q8
		o := 0
		// Four rows at a time share the loads of x (dotQ8x4).
		for ; o+4 <= ll.out; o += 4 {
			s0, s1, s2, s3 := dotQ8x4(q[o*in:(o+1)*in], q[(o+1)*in:(o+2)*in], q[(o+2)*in:(o+3)*in], q[(o+3)*in:(o+4)*in], x)
			d, b, sc := dst[o:o+4], ll.bias[o:o+4], ll.scale[o:o+4]
			d[0], d[1], d[2], d[3] = b[0]+sc[0]*s0, b[1]+sc[1]*s1, b[2]+sc[2]*s2, b[3]+sc[3]*s3
		}
		for ; o < ll.out; o++ {
			dst[o] = ll.bias[o] + ll.scale[o]*dotQ8(q[o*in:(o+1)*in], x)
		}
		return
	}
	for o := 0; o < ll.out; o++ {
		dst[o] = ll.bias[o] + dotF32(ll.f32[o*ll.in:(o+1)*ll.in], x)
	}
}

// LinearWeight returns the weight and bias of layer i as the engine holds
// them, for code that needs the transposed product (a backward pass, as in
// package explain): the Weight New was given (Shape (Out,In); F32, Q8+Scale
// or Q4+Scale+Group) and the float32 bias. ok is false when layer i is not
// a linear layer, is out of range, or the net is a part net (NewPart holds
// only a share of the rows). The slices are the engine's: do not modify them.
func (n *Net) LinearWeight(i int) (w Weight, bias []float32, ok bool) {
	if i < 0 || i >= len(n.layers) || n.parts > 1 || n.layers[i].linear == nil {
		return Weight{}, nil, false
	}
	ll := n.layers[i].linear
	return Weight{Shape: []int{ll.out, ll.in}, F32: ll.f32, Q8: ll.q8, Scale: ll.scale, Q4: ll.q4, Group: ll.group}, ll.bias, true
}
