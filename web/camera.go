package main

import (
	"strconv"

	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

// CamState is the webcam part of the page.
type CamState struct {
	On, Starting bool
	Devices      []CamDevice
	DeviceID     string
	Res          protocol.Result
	HasRes       bool
	FPS          float64
	Err          string
	Dropped      int // frames the engine was too busy for (never queued)
	Tries        int // failed starts in a row, so a retry that fails again says so
	stop         chan struct{}
	done         chan struct{}
	fps          FPS
}

// Camera is the live webcam card. App is the page that owns the state and
// the engine.
type Camera struct {
	App *Root
}

// Toggle starts or stops the camera.
func (c *Camera) Toggle(event vugu.DOMEvent) {
	if c.App.Cam.On || c.App.Cam.Starting {
		c.App.stopCamera()
		return
	}
	go c.App.runCamera(c.App.Cam.DeviceID)
}

// Choose switches to another camera.
func (c *Camera) Choose(event vugu.DOMEvent) {
	id := event.PropString("target", "value")
	if id == c.App.Cam.DeviceID {
		return
	}
	c.App.Cam.DeviceID = id
	if c.App.Cam.On {
		c.App.stopCamera()
		go func() {
			sleepMs(100)
			c.App.runCamera(id)
		}()
	}
}

// stopCamera asks the loop to end. Called under the event lock.
func (c *Root) stopCamera() {
	if c.Cam.stop != nil {
		close(c.Cam.stop)
		c.Cam.stop = nil
	}
	c.Cam.On, c.Cam.Starting = false, false
	c.Cam.FPS = 0
}

// runCamera opens the camera and classifies frames as fast as the engine
// allows: the next frame is grabbed only when the previous answer is back,
// so frames that arrive meanwhile are dropped, never queued.
func (c *Root) runCamera(deviceID string) {
	stop := make(chan struct{})
	c.update(func() {
		c.Cam.Starting, c.Cam.Err, c.Cam.HasRes = true, "", false
		c.Cam.stop = stop
		c.Cam.fps.Reset()
	})
	cam, err := openCamera(deviceID)
	if err != nil {
		c.update(func() {
			// Shown in the camera card, beside the button that was pressed.
			c.Cam.Tries++
			c.Cam.Starting, c.Cam.On, c.Cam.Err = false, false, TriedText(err.Error(), c.Cam.Tries)
		})
		return
	}
	defer cam.close()
	devices := listCameras()
	c.update(func() {
		c.Cam.Starting, c.Cam.On, c.Cam.Tries = false, true, 0
		c.Cam.Devices = devices
		if c.Cam.DeviceID == "" {
			c.Cam.DeviceID = cam.deviceID
		}
	})
	if !c.waitReady() {
		c.update(func() { c.Cam.Err = "The model is not available." })
	}
	for {
		select {
		case <-stop:
			return
		default:
		}
		fr, err := cam.grab()
		if err != nil {
			cam.waitFrame()
			continue
		}
		var res protocol.Result
		taken := false // by the Teach view, while a class's button is held
		select {
		case <-c.engine:
			if taken = c.teachFrame(fr); !taken {
				res, err = workerClassify(fr, true)
			}
			c.engine <- struct{}{}
		default:
			// The engine is busy with a photo: drop this frame.
			discard(fr)
			c.update(func() { c.Cam.Dropped++ })
			cam.waitFrame()
			continue
		}
		if taken {
			continue
		}
		now := nowMs()
		select {
		case <-stop:
			return
		default:
		}
		c.updateLive(func() {
			if err != nil {
				c.Cam.Err = err.Error()
				return
			}
			c.Cam.Err = ""
			c.Cam.Res, c.Cam.HasRes = res, true
			c.Cam.FPS = c.Cam.fps.Add(now)
			c.Model.LastMs, c.Model.LastWorkers = res.Ms, res.Workers
			c.Model.Inferences++
		})
		// No wait here: the video has usually moved on while the engine
		// worked; grab says so when it has not.
	}
}

// TriedText adds to a camera error how many times in a row starting failed,
// so pressing Start camera again visibly tried again.
func TriedText(msg string, tries int) string {
	if tries < 2 {
		return msg
	}
	return msg + " (tried " + strconv.Itoa(tries) + " times)"
}

// Capture puts the current camera frame into the results, as a photo.
func (c *Camera) Capture(event vugu.DOMEvent) {
	app := c.App
	go func() {
		f, err := captureFrame()
		app.update(func() {
			if err != nil {
				app.Cam.Err = "The frame could not be captured: " + err.Error()
				return
			}
			app.AddFiles([]fileRef{f}, "camera")
		})
	}()
}

// ToggleID is the test id of the start/stop button.
func (c *Camera) ToggleID() string {
	if c.App.Cam.On || c.App.Cam.Starting {
		return "camera-stop"
	}
	return "camera-start"
}

// ToggleText is its label.
func (c *Camera) ToggleText() string {
	if c.App.Cam.On || c.App.Cam.Starting {
		return "Stop camera"
	}
	return "Start camera"
}

// PressedAttr is aria-pressed.
func (c *Camera) PressedAttr() string {
	if c.App.Cam.On {
		return "true"
	}
	return "false"
}

// OnAttr marks the video box when live.
func (c *Camera) OnAttr() string { return c.PressedAttr() }

// FPSText is the frame rate on screen.
func (c *Camera) FPSText() string { return strconv.FormatFloat(c.App.Cam.FPS, 'f', 1, 64) + " FPS" }

// FPSAttr is the frame rate for tests.
func (c *Camera) FPSAttr() string { return strconv.FormatFloat(c.App.Cam.FPS, 'f', 2, 64) }

// MsText is the time of the last inference.
func (c *Camera) MsText() string {
	if !c.App.Cam.HasRes {
		return "– ms"
	}
	return Ms(c.App.Cam.Res.Ms)
}

// NotSureAttr is data-notsure of the live results.
func (c *Camera) NotSureAttr() string { return strconv.FormatBool(c.App.Cam.Res.NotSure) }
