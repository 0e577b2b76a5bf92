package main

import (
	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

// What the page does when its worker misbehaves. The worker client
// (worker_js.go) times every pass and notices a worker that stopped; it
// tells superviseWorker on workerEvents. A pass past the watchdog's limit
// (Watchdog) is said in the model panel, with a button back to the
// default model (UseDefault), which ends the busy worker. A worker that
// stopped (out of memory, a crash, closed) is replaced by whoever takes
// Root.engine next, or by superviseWorker when nobody does
// (reviveIfStopped): the new worker loads the model in use again, or the
// default one when that fails or the worker stopped twice in a row.

// MaxRestarts: after this many new workers without a classification that
// succeeded, the page gives up and asks for a reload.
const MaxRestarts = 3

// defaultLoad is the Load of the default model of manifest m.
func defaultLoad(m protocol.Manifest) protocol.Load {
	return protocol.Load{URL: m.Model, Cache: true, Size: m.ModelSize}
}

// superviseWorker acts on the worker client's events, for the page's life.
func (c *Root) superviseWorker() {
	for ev := range workerEvents {
		switch {
		case ev.Stopped:
			<-c.engine
			c.reviveIfStopped()
			c.engine <- struct{}{}
		case ev.Slow:
			c.update(func() {
				if ev.Done && c.Model.Slow == "" {
					return // the user moved on meanwhile
				}
				c.Model.Slow, c.Model.SlowDone = SlowWords(ev.ElapsedMs, ev.ExpectedMs, ev.Done), ev.Done
				if !ev.Done {
					c.Said = c.Model.Slow
				}
			})
		}
	}
}

// reviveIfStopped starts a new worker when the current one stopped, loads
// the model in use into it (or the default model: when there is none,
// when that load fails, or when the worker stopped again before any
// classification succeeded) and says what happened. It reports whether
// the worker had stopped. Call it holding Root.engine, right after taking
// it.
func (c *Root) reviveIfStopped() bool {
	why, stopped := workerStopped()
	if !stopped {
		return false
	}
	n := workerRestart()
	if n > MaxRestarts {
		c.update(func() {
			c.Model.Status, c.Model.Phase, c.Model.ErrDetail = StatusError, "", ""
			c.Model.Err = "The classifier keeps stopping (" + why + "). Reload the page to try again."
		})
		return true
	}
	load, same := workerLastLoad()
	if same = same && n <= 1; !same {
		load = defaultLoad(c.Manifest)
	}
	c.update(func() {
		c.Model.Phase, c.Model.Restart = "Restarting the classifier", ""
		if c.Model.Info == nil {
			c.Model.Status = StatusLoading
		}
	})
	info, cached, err := workerLoad(load, c.loadProgress())
	if err != nil && same {
		same, load = false, defaultLoad(c.Manifest)
		info, cached, err = workerLoad(load, c.loadProgress())
	}
	if err != nil {
		msg, detail := loadError(err)
		c.update(func() {
			c.Model.Status, c.Model.Phase, c.Model.Err, c.Model.ErrDetail = StatusError, "", msg, detail
		})
		return true
	}
	c.env.RLock()
	same = same && c.Model.Info != nil
	c.env.RUnlock()
	if same { // the same model again: earlier results are still its own
		c.update(func() {
			c.Model.Info, c.Model.Status, c.Model.Phase = &info, StatusReady, ""
		})
	} else {
		c.modelReady(info, load.URL, cached)
	}
	if why != "" {
		c.update(func() {
			c.Model.Restart = RestartWords(why, info.Name)
			c.Said = c.Model.Restart
		})
	}
	return true
}

// UseDefault goes back to the default model, from the watchdog's message:
// a pass still running is stopped with its worker, and a new worker loads
// the default model.
func (c *Root) UseDefault(event vugu.DOMEvent) {
	c.Model.Slow = ""
	go c.useDefault()
}

func (c *Root) useDefault() {
	workerForgetModel()
	workerStop("stopped to go back to the default model")
	<-c.engine
	revived := c.reviveIfStopped()
	c.engine <- struct{}{}
	if !revived { // the worker was idle: load the default model as usual
		c.loadModelURL(c.Manifest.Model, false)
	}
	// A kept model that is this slow must not come back on the next visit.
	c.update(func() { c.Model.Kept, c.Model.FromLastVisit = false, false })
	c.forgetKept()
}

// UseDefaultText is the watchdog's button.
func (c *Root) UseDefaultText() string {
	if c.Model.Builtin {
		return "Stop and restart the classifier"
	}
	return "Use the default model"
}
