package nn

// convPaths chooses how a Net runs its conv layers. New takes
// defaultConvPaths; tests and benchmarks build nets with other paths
// (build), so that two configurations run side by side.
type convPaths struct {
	// winograd runs 3x3 stride-1 convs with Winograd (winograd.go); the
	// two below need it too. False: every conv runs through im2col + GEMM.
	winograd bool
	// spaceToDepth rearranges strided convs whose space-to-depth kernel is
	// 3x3 (s2dOK: conv1) into 3x3 stride-1 ones (rearrange.go).
	spaceToDepth bool
	// subkernels decomposes 4x4 to 6x6 stride-1 convs (subkernelsOK:
	// conv2) into 3x3 subkernels (rearrange.go).
	subkernels bool
	// winograd45 runs 5x5 stride-1 convs (winograd45OK: conv2) with
	// Winograd F(4x4,5x5) (winograd45.go) where it takes fewer FLOPs than
	// the subkernels (wino45Pays), or always if subkernels is false.
	winograd45 bool
	// winoTile is the output tile of the Winograd layers: 0 picks
	// F(4x4,3x3) where it needs fewer multiplies than F(2x2,3x3) once tiles
	// are rounded to panels (winoCost); 2 or 4 forces one.
	winoTile int
	// kcMax is the largest K block of the im2col GEMM (gemm.go, kBlocks);
	// 0 turns blocking off.
	kcMax int
}

// defaultConvPaths are the paths New takes, the fastest measured:
// BenchmarkWinograd compares the Winograd paths with im2col, and
// BenchmarkKBlock chose kcMax (under Node, wasm SIMD 4x12; see DESIGN.md,
// "Convolutions").
func defaultConvPaths() convPaths {
	return convPaths{winograd: true, spaceToDepth: true, subkernels: true, winograd45: true, winoTile: 0, kcMax: 384}
}

// convLayer is a torch.nn.Conv2d ready to run: weights packed per group into
// mr-row panels (gemm.go), bias padded to whole panels, a zero-bordered copy
// of the input and one packed im2col panel.
type convLayer struct {
	c, h, w                int // input
	oc, oh, ow             int // output
	k, stride, pad, groups int
	cg, ocg                int // input and output channels per group
	kk                     int // GEMM depth: cg*k*k
	kcMax                  int // largest K block (convPaths.kcMax)
	kc                     int // K block (kBlocks)
	n                      int // GEMM width: oh*ow
	mp                     int // output channels per group rounded up to mr
	hp, wp                 int // padded input
	panels                 int // column panels: ceil(n/nr)
	a                      []float32
	bias                   []float32
	padded                 []float32      // (C,hp,wp) with a zero border, if pad > 0
	panelBuf               []float32      // one packed B panel of one K block, kc*nr
	wino                   *winoConv      // 3x3 or 5x5 stride 1: Winograd instead (winograd.go)
	rearrange              *rearrangement // space-to-depth or subkernels: the input rearranged for wino, a 3x3 stride-1 conv (rearrange.go)

	// Native parallelism (parallel.go); empty under wasm.
	work chan *convJob
	jobs []convJob
	done chan struct{}
}

func newConvLayer(l Layer, in, out Shape, w, b Weight, paths convPaths) *convLayer {
	g := max(l.Groups, 1)
	cv := &convLayer{
		c: in.C, h: in.H, w: in.W, oc: out.C, oh: out.H, ow: out.W,
		k: l.Kernel, stride: l.Stride, pad: l.Pad, groups: g,
		cg: in.C / g, ocg: out.C / g,
	}
	cv.kk = cv.cg * cv.k * cv.k
	cv.kcMax = paths.kcMax
	_, cv.kc = kBlocks(cv.kk, cv.kcMax)
	cv.n = cv.oh * cv.ow
	cv.mp = (cv.ocg + mr - 1) / mr * mr
	cv.panels = (cv.n + nr - 1) / nr
	if paths.winograd && winogradOK(l) {
		cv.wino = newWinoConv(l, in, out, w.Dequantize(), b.Dequantize(), paths.winoTile)
		return cv
	}
	if paths.winograd && paths.winograd45 && winograd45OK(l) && (!paths.subkernels || wino45Pays(cv.cg, cv.ocg, cv.oh, cv.ow)) {
		cv.wino = newWinoConv(l, in, out, w.Dequantize(), b.Dequantize(), paths.winoTile)
		return cv
	}
	if paths.winograd && paths.spaceToDepth && s2dOK(l) {
		cv.rearrange, cv.wino = newRearrangement(l, in, out, w.Dequantize(), b.Dequantize(), true, paths.winoTile)
		return cv
	}
	if paths.winograd && paths.subkernels && subkernelsOK(l) {
		cv.rearrange, cv.wino = newRearrangement(l, in, out, w.Dequantize(), b.Dequantize(), false, paths.winoTile)
		return cv
	}
	cv.a = make([]float32, g*cv.mp*cv.kk)
	cv.bias = make([]float32, g*cv.mp)
	cv.hp, cv.wp = in.H+2*cv.pad, in.W+2*cv.pad
	if cv.pad > 0 {
		cv.padded = make([]float32, in.C*cv.hp*cv.wp)
	}
	cv.panelBuf = make([]float32, cv.kc*nr)
	wf, bf := w.Dequantize(), b.Dequantize()
	for gi := 0; gi < g; gi++ {
		packA(cv.a[gi*cv.mp*cv.kk:(gi+1)*cv.mp*cv.kk], wf[gi*cv.ocg*cv.kk:(gi+1)*cv.ocg*cv.kk], cv.ocg, cv.kk)
		copy(cv.bias[gi*cv.mp:], bf[gi*cv.ocg:(gi+1)*cv.ocg])
	}
	return cv
}

// forward is torch.nn.Conv2d: src (C,H,W), weights (OC,C/groups,K,K) ->
// dst (OC,OH,OW). The input is first copied into a zero-bordered buffer, so
// that gathering patches needs no bounds tests; then, per group, the GEMM
// runs panel by panel (convPanels).
func (cv *convLayer) forward(dst, src []float32) {
	if cv.rearrange != nil {
		// Straight into the Winograd layer's buffer (it has no padding of
		// its own: pad 0).
		cv.rearrange.fill(cv.wino.padded, src, cv.wino.hp, cv.wino.wp)
		cv.wino.run(dst)
		return
	}
	if cv.wino != nil {
		cv.wino.forward(dst, src)
		return
	}
	in := src
	if cv.pad > 0 {
		padInto(cv.padded, src, cv.c, cv.h, cv.w, cv.pad)
		in = cv.padded
	}
	if len(cv.jobs) > 0 {
		cv.runParallel(dst, in)
		return
	}
	cv.run(dst, in, 0, cv.panels, cv.panelBuf)
}

// run computes the column panels [j0,j1) of every group, using buf
// (kc*nr floats) to pack one B panel of one K block at a time.
func (cv *convLayer) run(dst, in []float32, j0, j1 int, buf []float32) {
	plane := cv.hp * cv.wp
	for g := 0; g < cv.groups; g++ {
		convPanels(dst[g*cv.ocg*cv.n:(g+1)*cv.ocg*cv.n], in[g*cv.cg*plane:(g+1)*cv.cg*plane],
			cv.a[g*cv.mp*cv.kk:(g+1)*cv.mp*cv.kk], cv.bias[g*cv.mp:(g+1)*cv.mp], buf,
			cv.ocg, cv.n, cv.kk, cv.hp, cv.wp, cv.k, cv.stride, cv.ow, j0, j1, cv.kcMax)
	}
}

// padInto copies src (C,H,W) into the middle of dst (C,H+2p,W+2p), whose
// border is zero (it was zeroed at allocation and is never written).
func padInto(dst, src []float32, c, h, w, p int) {
	hp, wp := h+2*p, w+2*p
	for ch := 0; ch < c; ch++ {
		for y := 0; y < h; y++ {
			o := (ch*hp+y+p)*wp + p
			copy(dst[o:o+w], src[(ch*h+y)*w:(ch*h+y)*w+w])
		}
	}
}

// convPanels is one group's GEMM, C (m,n) = A (m,kk) * B (kk,n) + bias,
// over the column panels [j0,j1). B is never stored whole: each nr-column
// panel of one K block (kBlocks(kk, kc)) is gathered from the (zero-padded)
// input right before use, into buf (kc*nr floats: it stays in L1 while every
// A panel passes over it). A is packA-packed, bias padded to whole panels.
func convPanels(c, in, a, bias, buf []float32, m, n, kk, hp, wp, k, stride, ow, j0, j1, kc int) {
	var tmp [mr * nr]float32 // edge tiles go through here; stays on the stack
	nb, kc := kBlocks(kk, kc)
	for kb := 0; kb < nb; kb++ {
		p0 := kb * kc
		p1 := min(p0+kc, kk)
		for jp := j0; jp < j1; jp++ {
			col := jp * nr
			cols := min(nr, n-col)
			packPatches(buf, in, hp, wp, k, stride, ow, col, cols, p0, p1)
			for ip := 0; ip*mr < m; ip++ {
				ap := a[ip*kk*mr+p0*mr : ip*kk*mr+p1*mr]
				row := ip * mr
				rows := min(mr, m-row)
				var bs []float32 // nil: add to C
				if kb == 0 {
					bs = bias[row : row+mr]
				}
				if rows == mr && cols == nr {
					microKernel(p1-p0, ap, buf, c[row*n+col:], n, bs)
					continue
				}
				if bs == nil {
					for r := 0; r < rows; r++ {
						copy(tmp[r*nr:r*nr+cols], c[(row+r)*n+col:(row+r)*n+col+cols])
					}
				}
				microKernel(p1-p0, ap, buf, tmp[:], nr, bs)
				for r := 0; r < rows; r++ {
					copy(c[(row+r)*n+col:(row+r)*n+col+cols], tmp[r*nr:r*nr+cols])
				}
			}
		}
	}
}

// packPatches gathers rows p0..p1-1 of one nr-column panel of the im2col
// matrix from the zero-padded input in (C/groups,hp,wp): output pixels
// n0..n0+cols-1,
//
//	buf[(p-p0)*nr + j] = in[ci, oy*stride+ky, ox*stride+kx]
//
// with p = (ci*k+ky)*k+kx and (oy,ox) = pixel n0+j. Columns j >= cols (past
// the last pixel) repeat pixel n0 (harmless: their results are dropped),
// so the gather has no branches.
func packPatches(buf, in []float32, hp, wp, k, stride, ow, n0, cols, p0, p1 int) {
	var off [nr]int
	for j := range off {
		nn := n0
		if j < cols {
			nn = n0 + j
		}
		off[j] = (nn/ow)*stride*wp + (nn%ow)*stride
	}
	// (ci,ky,kx) of row p0, then stepped without divisions.
	ci, ky, kx := p0/(k*k), p0/k%k, p0%k
	for p := p0; p < p1; p++ {
		base := (ci*hp+ky)*wp + kx
		d := buf[(p-p0)*nr : (p-p0)*nr+nr : (p-p0)*nr+nr]
		for j, o := range off {
			d[j] = in[base+o]
		}
		if kx++; kx == k {
			kx = 0
			if ky++; ky == k {
				ky = 0
				ci++
			}
		}
	}
}
