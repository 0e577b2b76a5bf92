package nn

// Winograd F(2x2,3x3) (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2015) for the 3x3 stride-1 convolutions (conv3-5 of
// AlexNet). Each 2x2 block of output pixels of one output channel is
//
//	Y = A^T [ sum_c (G g_c G^T) .* (B^T d_c B) ] A + bias
//
// with d_c the 4x4 input tile of channel c (zero-padded input, tiles
// overlapping by 2) and g_c the 3x3 kernel:
//
//	B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//	G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//	A^T = [1 1 1 0; 0 1 -1 -1]
//
// The sum over c is, for each of the 16 positions xi of the 4x4 tile, one
// GEMM M_xi (OC, tiles) = U_xi (OC, C) * V_xi (C, tiles), run with the same
// packed panels and micro-kernel as the im2col path. 16 multiplies per 4
// outputs instead of 36: 2.25x fewer, 1.7x for the seed's 13x13 maps once
// tiles are rounded up to whole 2x2 blocks and nr-wide panels. U is
// transformed and packed at load; the input transform writes V straight into
// nr-column panels. The float32 reference loop (refConv in ref_test.go) and
// the PyTorch golden fixtures pin it; the transforms add rounding of the
// order of 1e-7 relative.

// winoConv is one conv layer run with Winograd F(2x2,3x3), F(4x4,3x3)
// (winograd4.go) or F(4x4,5x5) (winograd45.go), as f and k say.
type winoConv struct {
	c, h, w, oc, oh, ow, pad, groups, cg, ocg int
	k                                         int             // kernel k x k (3 or 5)
	f, al, nx                                 int             // output tile f x f (2 or 4), input tile al = f+k-1, al*al GEMMs
	th, tw, t, tp                             int             // tile rows, cols, count, count rounded up to nr
	mp                                        int             // output channels per group rounded up to mr
	hp, wp                                    int             // padded input: at least f*th+k-1 x f*tw+k-1 (k = 5: wp a multiple of 4)
	padded                                    []float32       // (C,hp,wp), zero border
	cols                                      []float32       // k = 5: B^T d of one row of tiles (8 x wp; colTransform45)
	u                                         []float32       // per group, per xi: packA(U_xi) (mp x cg)
	v                                         []float32       // per xi: V_xi in nr-column panels (cg x tp)
	m                                         []float32       // per xi: M_xi (mp x tp)
	nv, nm                                    int             // their lengths
	bias                                      []float32       // (OC)
	zero                                      [3 * mr]float32 // bias of the GEMMs (added by the output transform)
	par                                       *convLayer      // set when its GEMMs run on several goroutines (parallel.go)
}

// winoCost is the GEMM work of F(fxf,3x3) on an oh x ow map, in units of
// OC*C multiply-adds: (f+2)^2 products per tile column, tiles rounded up to
// whole nr-wide panels, except that a last panel of at most 8 tiles costs 4
// or 8 where the build has microKernelNarrow.
func winoCost(f, oh, ow int) int {
	t := ((oh + f - 1) / f) * ((ow + f - 1) / f)
	cols := t / nr * nr
	switch r := t % nr; {
	case r == 0:
	case narrowTiles && r <= 4:
		cols += 4
	case narrowTiles && r <= 8:
		cols += 8
	default:
		cols += nr
	}
	return (f + 2) * (f + 2) * cols
}

// winogradOK reports whether a conv layer can take the Winograd path.
func winogradOK(l Layer) bool { return l.Kernel == 3 && l.Stride == 1 }

// newWinoConv packs a layer winogradOK or winograd45OK accepts; a 3x3 one
// with output tile winoTile (convPaths.winoTile: 0 chosen by winoCost, or
// 2 or 4), a 5x5 one with F(4x4,5x5).
func newWinoConv(l Layer, in, out Shape, wf, bf []float32, winoTile int) *winoConv {
	g := max(l.Groups, 1)
	wc := &winoConv{c: in.C, h: in.H, w: in.W, oc: out.C, oh: out.H, ow: out.W, pad: l.Pad, groups: g,
		cg: in.C / g, ocg: out.C / g, k: l.Kernel}
	wc.f = winoTile
	if wc.k == 5 {
		wc.f = 4
	}
	if wc.f != 2 && wc.f != 4 {
		wc.f = 2
		if winoCost(4, wc.oh, wc.ow) < winoCost(2, wc.oh, wc.ow) {
			wc.f = 4
		}
	}
	f := wc.f
	wc.al = f + wc.k - 1
	wc.nx = wc.al * wc.al
	wc.th, wc.tw = (wc.oh+f-1)/f, (wc.ow+f-1)/f
	wc.t = wc.th * wc.tw
	wc.tp = (wc.t + nr - 1) / nr * nr
	wc.mp = (wc.ocg + mr - 1) / mr * mr
	// Tiles read rows f*ty .. f*ty+al-1 of the padded input: up to
	// f*th+k-2.
	wc.hp, wc.wp = max(f*wc.th+wc.k-1, in.H+2*l.Pad), max(f*wc.tw+wc.k-1, in.W+2*l.Pad)
	if wc.k == 5 {
		wc.wp = (wc.wp + 3) / 4 * 4 // whole Float32x4s for colTransform45
		wc.cols = make([]float32, 8*wc.wp)
	}
	wc.padded = make([]float32, in.C*wc.hp*wc.wp)
	// v and m are scratch, shared by every Winograd layer of a Net:
	// shareWinoScratch allocates them.
	wc.nv, wc.nm = wc.nx*wc.cg*wc.tp, wc.nx*wc.mp*wc.tp
	wc.bias = bf
	wc.u = make([]float32, g*wc.nx*wc.mp*wc.cg)
	// U_xi packed straight into packA's layout (row o, column c of panel
	// o/mr at c*mr + o%mr; rows past ocg stay zero), no temporary copies:
	// wasm memory never shrinks, so load-time garbage is kept for good.
	var u [64]float32
	kk := wc.k * wc.k
	for gi := 0; gi < g; gi++ {
		for o := 0; o < wc.ocg; o++ {
			for c := 0; c < wc.cg; c++ {
				k := wf[((gi*wc.ocg+o)*wc.cg+c)*kk:][:kk]
				switch {
				case wc.k == 5:
					winoKernel45(&u, k)
				case f == 2:
					winoKernel((*[16]float32)(u[:16]), k)
				default:
					winoKernel4((*[36]float32)(u[:36]), k)
				}
				for xi, v := range u[:wc.nx] {
					wc.u[(gi*wc.nx+xi)*wc.mp*wc.cg+(o/mr)*wc.cg*mr+c*mr+o%mr] = v
				}
			}
		}
	}
	return wc
}

// shareWinoScratch points the V and M buffers of every Winograd layer at one
// pair sized for the largest: layers run one after the other, and every
// entry a layer reads it has written in the same forward (tiles past the
// last, in the padding columns of the last panel, only feed output columns
// that are dropped). Saves ~9 MB for the seed network.
func shareWinoScratch(layers []layer) {
	var nv, nm int
	for _, ly := range layers {
		if ly.conv != nil && ly.conv.wino != nil {
			nv, nm = max(nv, ly.conv.wino.nv), max(nm, ly.conv.wino.nm)
		}
	}
	if nv == 0 {
		return
	}
	v, m := make([]float32, nv), make([]float32, nm)
	for _, ly := range layers {
		if wc := ly.conv; wc != nil && wc.wino != nil {
			wc.wino.v, wc.wino.m = v[:wc.wino.nv], m[:wc.wino.nm]
		}
	}
}

// winoKernel is U = G g G^T for one 3x3 kernel g (row-major), computed in
// float64 and rounded once.
func winoKernel(u *[16]float32, g []float32) {
	var t [4][3]float64 // G g
	for j := 0; j < 3; j++ {
		g0, g1, g2 := float64(g[j]), float64(g[3+j]), float64(g[6+j])
		t[0][j] = g0
		t[1][j] = (g0 + g1 + g2) / 2
		t[2][j] = (g0 - g1 + g2) / 2
		t[3][j] = g2
	}
	for i := 0; i < 4; i++ { // (G g) G^T
		r0, r1, r2 := t[i][0], t[i][1], t[i][2]
		u[i*4+0] = float32(r0)
		u[i*4+1] = float32((r0 + r1 + r2) / 2)
		u[i*4+2] = float32((r0 - r1 + r2) / 2)
		u[i*4+3] = float32(r2)
	}
}

// forward is the conv: src (C,H,W) -> dst (OC,OH,OW).
func (wc *winoConv) forward(dst, src []float32) {
	// Copy into the zero-bordered buffer (the border is never written).
	for ch := 0; ch < wc.c; ch++ {
		for y := 0; y < wc.h; y++ {
			o := (ch*wc.hp+y+wc.pad)*wc.wp + wc.pad
			copy(wc.padded[o:o+wc.w], src[(ch*wc.h+y)*wc.w:(ch*wc.h+y+1)*wc.w])
		}
	}
	wc.run(dst)
}

// run is forward from the input already in wc.padded.
func (wc *winoConv) run(dst []float32) {
	plane := wc.hp * wc.wp
	for g := 0; g < wc.groups; g++ {
		in := wc.padded[g*wc.cg*plane : (g+1)*wc.cg*plane]
		switch {
		case wc.k == 5:
			wc.inputTransform45(in)
		case wc.f == 4:
			wc.inputTransform4(in)
		default:
			wc.inputTransform(in)
		}
		if wc.par != nil {
			wc.par.winoParallel(g) // natively: the GEMMs shared between goroutines
		} else {
			wc.gemms(g, 0, wc.nx)
		}
		out, bias := dst[g*wc.ocg*wc.oh*wc.ow:(g+1)*wc.ocg*wc.oh*wc.ow], wc.bias[g*wc.ocg:(g+1)*wc.ocg]
		switch {
		case wc.k == 5:
			wc.outputTransform45(out, bias)
		case wc.f == 4:
			wc.outputTransform4(out, bias)
		default:
			wc.outputTransform(out, bias)
		}
	}
}

// inputTransform writes V_xi = (B^T d B)[xi] for every channel of the group
// and every tile into nr-column panels: v[xi][(t/nr)*cg*nr + c*nr + t%nr].
// Tiles past the last (t >= wc.t, up to tp) stay zero. The 4x4 tile lives
// in 16 locals (an array would live in wasm's linear memory); measured on
// conv4 under Node: 1.2 ms with [4][4] arrays and loops, see DESIGN.md,
// "Convolutions".
func (wc *winoConv) inputTransform(in []float32) {
	cg, hp, wp, tp, tw := wc.cg, wc.hp, wc.wp, wc.tp, wc.tw
	xs := cg * tp // one xi
	v := wc.v[:16*xs]
	for c := 0; c < cg; c++ {
		ch := in[c*hp*wp : (c+1)*hp*wp]
		for ty := 0; ty < wc.th; ty++ {
			r0 := ch[2*ty*wp : 2*ty*wp+wp]
			r1 := ch[(2*ty+1)*wp : (2*ty+1)*wp+wp]
			r2 := ch[(2*ty+2)*wp : (2*ty+2)*wp+wp]
			r3 := ch[(2*ty+3)*wp : (2*ty+3)*wp+wp]
			for tx := 0; tx < tw; tx++ {
				x := 2 * tx
				a := r0[x : x+4 : x+4]
				b := r1[x : x+4 : x+4]
				d := r2[x : x+4 : x+4]
				e := r3[x : x+4 : x+4]
				// B^T d: rows 0-3, columns j.
				p0, p1, p2, p3 := a[0]-d[0], a[1]-d[1], a[2]-d[2], a[3]-d[3]
				q0, q1, q2, q3 := b[0]+d[0], b[1]+d[1], b[2]+d[2], b[3]+d[3]
				s0, s1, s2, s3 := d[0]-b[0], d[1]-b[1], d[2]-b[2], d[3]-b[3]
				u0, u1, u2, u3 := b[0]-e[0], b[1]-e[1], b[2]-e[2], b[3]-e[3]
				t := ty*tw + tx
				o := (t/nr)*cg*nr + c*nr + t%nr
				// (B^T d) B: columns.
				v[0*xs+o] = p0 - p2
				v[1*xs+o] = p1 + p2
				v[2*xs+o] = p2 - p1
				v[3*xs+o] = p1 - p3
				v[4*xs+o] = q0 - q2
				v[5*xs+o] = q1 + q2
				v[6*xs+o] = q2 - q1
				v[7*xs+o] = q1 - q3
				v[8*xs+o] = s0 - s2
				v[9*xs+o] = s1 + s2
				v[10*xs+o] = s2 - s1
				v[11*xs+o] = s1 - s3
				v[12*xs+o] = u0 - u2
				v[13*xs+o] = u1 + u2
				v[14*xs+o] = u2 - u1
				v[15*xs+o] = u1 - u3
			}
		}
	}
}

// gemms runs M_xi = U_xi V_xi for xi in [x0,x1) of group g.
func (wc *winoConv) gemms(g, x0, x1 int) {
	cg, mp, tp := wc.cg, wc.mp, wc.tp
	for xi := x0; xi < x1; xi++ {
		u := wc.u[(g*wc.nx+xi)*mp*cg : (g*wc.nx+xi+1)*mp*cg]
		v := wc.v[xi*cg*tp : (xi+1)*cg*tp]
		m := wc.m[xi*mp*tp : (xi+1)*mp*tp]
		for jp := 0; jp*nr < tp; jp++ {
			bp := v[jp*cg*nr : (jp+1)*cg*nr]
			cols := min(nr, wc.t-jp*nr)
			ip := 0
			if cols < nr { // a last panel of a few tiles: three row panels at a time
				for ; (ip+3)*mr <= mp; ip += 3 {
					if !microKernelTall(cg, u[ip*cg*mr:(ip+3)*cg*mr], bp, m[ip*mr*tp+jp*nr:], tp, wc.zero[:], cols) {
						break
					}
				}
			}
			for ; ip*mr < mp; ip++ {
				ap, cp := u[ip*cg*mr:(ip+1)*cg*mr], m[ip*mr*tp+jp*nr:]
				if cols < nr && microKernelNarrow(cg, ap, bp, cp, tp, wc.zero[:mr], cols) {
					continue
				}
				microKernel(cg, ap, bp, cp, tp, wc.zero[:mr])
			}
		}
	}
}

// outputTransform is Y = A^T m A + bias for every output channel of the
// group and every tile, clipped at the map's edge. Locals, not arrays, as in
// inputTransform.
func (wc *winoConv) outputTransform(dst, bias []float32) {
	mp, tp, oh, ow, tw := wc.mp, wc.tp, wc.oh, wc.ow, wc.tw
	xs := mp * tp
	m := wc.m[:16*xs]
	for o := 0; o < wc.ocg; o++ {
		bo := bias[o]
		out := dst[o*oh*ow : (o+1)*oh*ow]
		for ty := 0; ty < wc.th; ty++ {
			y := 2 * ty
			for tx := 0; tx < tw; tx++ {
				i := o*tp + ty*tw + tx
				m0, m1, m2, m3 := m[0*xs+i], m[1*xs+i], m[2*xs+i], m[3*xs+i]
				m4, m5, m6, m7 := m[4*xs+i], m[5*xs+i], m[6*xs+i], m[7*xs+i]
				m8, m9, m10, m11 := m[8*xs+i], m[9*xs+i], m[10*xs+i], m[11*xs+i]
				m12, m13, m14, m15 := m[12*xs+i], m[13*xs+i], m[14*xs+i], m[15*xs+i]
				// A^T m: two rows of four.
				a0, a1, a2, a3 := m0+m4+m8, m1+m5+m9, m2+m6+m10, m3+m7+m11
				b0, b1, b2, b3 := m4-m8-m12, m5-m9-m13, m6-m10-m14, m7-m11-m15
				x := 2 * tx
				row := out[y*ow : y*ow+ow]
				row[x] = bo + a0 + a1 + a2
				if x+1 < ow {
					row[x+1] = bo + a1 - a2 - a3
				}
				if y+1 < oh {
					row = out[(y+1)*ow : (y+1)*ow+ow]
					row[x] = bo + b0 + b1 + b2
					if x+1 < ow {
						row[x+1] = bo + b1 - b2 - b3
					}
				}
			}
		}
	}
}
