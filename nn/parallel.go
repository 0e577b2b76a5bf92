package nn

import "runtime"

// Natively, a conv layer's column panels are shared between goroutines:
// the calling one and GOMAXPROCS-1 workers started by New (at most
// maxWorkers in all). Under js/wasm GOMAXPROCS is 1, no worker starts and
// nothing changes. The workers are fed pointers to jobs preallocated per
// layer, so a forward pass still allocates nothing; they stop when the Net
// is garbage collected (runtime.AddCleanup closes their channel, and they
// hold no reference to the Net).

const maxWorkers = 8

// minPanelsPerWorker keeps small GEMMs on one goroutine, where the hand-off
// (a few microseconds) would cost more than it saves.
const minPanelsPerWorker = 8

type convJob struct {
	cv      *convLayer
	dst, in []float32
	j0, j1  int
	g       int       // Winograd: the group, and [j0,j1) is a range of the 16 GEMMs
	buf     []float32 // this worker's packed B panel
	done    chan struct{}
}

func startWorkers(n *Net) chan *convJob {
	w := min(runtime.GOMAXPROCS(0), maxWorkers)
	if w < 2 {
		return nil
	}
	ch := make(chan *convJob, w)
	for i := 1; i < w; i++ {
		go func() {
			for j := range ch {
				if j.cv.wino != nil {
					j.cv.wino.gemms(j.g, j.j0, j.j1)
				} else {
					j.cv.run(j.dst, j.in, j.j0, j.j1, j.buf)
				}
				j.done <- struct{}{}
			}
		}()
	}
	runtime.AddCleanup(n, func(ch chan *convJob) { close(ch) }, ch)
	return ch
}

// setWorkers gives a conv layer one job (and panel buffer) per extra
// goroutine it will use.
func (cv *convLayer) setWorkers(ch chan *convJob) {
	if ch == nil {
		return
	}
	w := min(cap(ch), cv.panels/minPanelsPerWorker)
	if cv.wino != nil {
		w = min(cap(ch), 4) // the 16 or 36 GEMMs of one group are shared out
	}
	if w < 2 {
		return
	}
	cv.work = ch
	cv.jobs = make([]convJob, w-1)
	cv.done = make(chan struct{}, w-1)
	for i := range cv.jobs {
		cv.jobs[i] = convJob{cv: cv, done: cv.done}
		if cv.wino == nil {
			cv.jobs[i].buf = make([]float32, cv.kc*nr)
		}
	}
	if cv.wino != nil {
		cv.wino.par = cv
	}
}

// runParallel is run over all panels, shared evenly between this goroutine
// and len(cv.jobs) workers.
func (cv *convLayer) runParallel(dst, in []float32) {
	w := len(cv.jobs) + 1
	for i := range cv.jobs {
		j := &cv.jobs[i]
		j.dst, j.in = dst, in
		j.j0, j.j1 = (i+1)*cv.panels/w, (i+2)*cv.panels/w
		cv.work <- j
	}
	cv.run(dst, in, 0, cv.panels/w, cv.panelBuf)
	for range cv.jobs {
		<-cv.done
	}
}

// winoParallel runs the 16 or 36 GEMMs of group g of a Winograd layer, shared
// evenly between this goroutine and len(cv.jobs) workers.
func (cv *convLayer) winoParallel(g int) {
	w := len(cv.jobs) + 1
	for i := range cv.jobs {
		j := &cv.jobs[i]
		j.g, j.j0, j.j1 = g, (i+1)*cv.wino.nx/w, (i+2)*cv.wino.nx/w
		cv.work <- j
	}
	cv.wino.gemms(g, 0, cv.wino.nx/w)
	for range cv.jobs {
		<-cv.done
	}
}
