package nn

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
