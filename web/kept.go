package main

import (
	"errors"

	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

// A model the user chose (a weight file picked or dropped) is kept by the
// worker (Load.Keep, wasm/worker/kept_js.go) and used again on the next
// visit, which says so, until the user switches back to the default
// (Forget).

// loadKept loads the model kept from the last visit, if there is one,
// after the default model is ready (boot).
func (c *Root) loadKept() {
	<-c.engine
	info, _, err := workerLoad(protocol.Load{Kept: true}, nil)
	c.engine <- struct{}{}
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Kind == protocol.ErrNoKept {
		return
	}
	if err != nil {
		msg, _ := loadError(err)
		c.update(func() {
			c.Notice = "Your model from your last visit could not be used, so the default is in use. " + msg
		})
		go c.forgetKept()
		return
	}
	c.modelReady(info, info.Name, true) // from the worker's Cache API
	c.update(func() {
		c.Model.Swapped = ""
		c.Model.Kept, c.Model.FromLastVisit = true, true
		c.Said = c.KeptText()
	})
}

// KeptText is the model panel's line about a kept model: "Using your
// model my-garden-flowers (kept from your last visit)" after a reload,
// "Kept for your next visit" after choosing it.
func (c *Root) KeptText() string {
	if !c.Model.Kept || c.Model.Info == nil {
		return ""
	}
	if c.Model.FromLastVisit {
		return "Using your model " + c.Model.Info.Name + " (kept from your last visit)"
	}
	return "Kept for your next visit"
}

// SwitchToDefault forgets the kept model and loads the default one.
func (c *Root) SwitchToDefault(event vugu.DOMEvent) {
	c.Model.Kept, c.Model.FromLastVisit = false, false
	go func() {
		c.forgetKept()
		c.loadModelURL(c.Manifest.Model, false)
	}()
}

// forgetKept asks the worker to drop the kept model.
func (c *Root) forgetKept() {
	<-c.engine
	workerForget()
	c.engine <- struct{}{}
}
