//go:build js && wasm

package main

import (
	"errors"
	"strconv"
	"syscall/js"
	"time"

	"alexnet/internal/protocol/port"
)

// The camera: open it, grab frames, list the devices.

type camera struct {
	stream, video js.Value
	deviceID      string
	lastTime      float64
	// A live stream's currentTime moves on continuously, not once a frame,
	// so where the browser has requestVideoFrameCallback a callback that
	// re-registers itself counts the frames the video presents: grab takes
	// a frame only when the count moved, and waitFrame wakes on the next.
	rvfc     bool
	frames   int     // frames presented so far
	seen     int     // frames when the last frame was grabbed
	lastCb   float64 // nowMs of the last callback
	onFrame  js.Func
	cbID     js.Value
	newFrame chan struct{}
	closed   bool
}

func openCamera(deviceID string) (*camera, error) {
	md := global.Get("navigator").Get("mediaDevices")
	if !md.Truthy() || !md.Get("getUserMedia").Truthy() {
		return nil, errors.New("This browser cannot use a camera here (it needs a secure page: https or localhost).")
	}
	video := map[string]any{"width": map[string]any{"ideal": 640}, "height": map[string]any{"ideal": 480}}
	if deviceID != "" {
		video["deviceId"] = map[string]any{"exact": deviceID}
	} else {
		video["facingMode"] = "environment"
	}
	stream, err := await(md.Call("getUserMedia", map[string]any{"video": video, "audio": false}))
	if err != nil {
		switch port.ErrorName(err) {
		case "NotAllowedError", "SecurityError":
			return nil, errors.New("Camera access was denied. Allow the camera for this site in your browser settings, or use a photo instead.")
		case "NotFoundError", "OverconstrainedError":
			return nil, errors.New("No camera was found. Connect one, or use a photo instead.")
		case "NotReadableError", "AbortError":
			return nil, errors.New("The camera is in use by another app or could not start.")
		}
		return nil, errors.New("The camera could not start: " + err.Error())
	}
	v := document.Call("querySelector", `[data-testid="camera-video"]`)
	if !v.Truthy() {
		stopStream(stream)
		return nil, errors.New("the video element is missing")
	}
	v.Set("muted", true)
	v.Set("playsInline", true)
	v.Set("srcObject", stream)
	if _, err := await(v.Call("play")); err != nil {
		stopStream(stream)
		return nil, errors.New("The camera video could not play: " + err.Error())
	}
	c := &camera{stream: stream, video: v, lastTime: -1}
	if v.Get("requestVideoFrameCallback").Truthy() {
		c.rvfc, c.newFrame = true, make(chan struct{}, 1)
		c.onFrame = js.FuncOf(func(js.Value, []js.Value) any {
			if c.closed {
				return nil
			}
			c.frames++
			c.lastCb = nowMs()
			select {
			case c.newFrame <- struct{}{}:
			default:
			}
			c.cbID = v.Call("requestVideoFrameCallback", c.onFrame)
			return nil
		})
		c.cbID = v.Call("requestVideoFrameCallback", c.onFrame)
	}
	if tr := stream.Call("getVideoTracks"); tr.Length() > 0 {
		if s := tr.Index(0).Call("getSettings"); s.Get("deviceId").Type() == js.TypeString {
			c.deviceID = s.Get("deviceId").String()
		}
	}
	return c, nil
}

func stopStream(s js.Value) {
	tr := s.Call("getTracks")
	for i := 0; i < tr.Length(); i++ {
		tr.Index(i).Call("stop")
	}
}

// close stops the stream and detaches it from the video element, unless a
// newer camera already took the element: when the user switches cameras, the
// old loop may finish its last classification after the new stream started.
func (c *camera) close() {
	if c.rvfc && !c.closed {
		c.closed = true
		c.video.Call("cancelVideoFrameCallback", c.cbID)
		f := c.onFrame
		go func() { sleepMs(200); f.Release() }() // after any callback already queued
	}
	c.closed = true
	stopStream(c.stream)
	if c.video.Get("srcObject").Equal(c.stream) {
		c.video.Set("srcObject", js.Null())
	}
}

var errNoFrame = errors.New("no new frame yet")

// grab returns the current video frame as an ImageBitmap, whole: the
// worker cuts and scales it (protocol.Classify's Live) on its own canvas.
// createImageBitmap does not read the pixels on this thread. errNoFrame
// when the video has not moved on since the last grab.
func (c *camera) grab() (bmp handle, err error) {
	defer func() {
		if r := recover(); r != nil { // createImageBitmap threw (the video is not ready)
			bmp, err = js.Undefined(), errNoFrame
		}
	}()
	w, h := c.video.Get("videoWidth").Int(), c.video.Get("videoHeight").Int()
	if w == 0 || h == 0 {
		return js.Undefined(), errNoFrame
	}
	if c.rvfc && nowMs()-c.lastCb < 250 {
		if c.frames == c.seen {
			return js.Undefined(), errNoFrame
		}
		c.seen = c.frames
	} else {
		// No frame callbacks (not supported, or not coming, say for a hidden
		// video): a frame whenever the clock moved.
		t := c.video.Get("currentTime").Float()
		if t == c.lastTime {
			return js.Undefined(), errNoFrame
		}
		c.lastTime = t
	}
	bmp, err = await(global.Call("createImageBitmap", c.video))
	if err != nil {
		return js.Undefined(), errors.New("the camera frame could not be read: " + err.Error())
	}
	return bmp, nil
}

// discard frees a frame that will not be sent (a dropped webcam frame).
func discard(bmp handle) { bmp.Call("close") }

// waitFrame waits for the next video frame (requestVideoFrameCallback, or an
// animation frame where that is missing), or 100 ms at most.
func (c *camera) waitFrame() {
	if c.rvfc {
		select {
		case <-c.newFrame:
		case <-time.After(100 * time.Millisecond):
		}
		return
	}
	ch := make(chan struct{}, 2)
	f := js.FuncOf(func(js.Value, []js.Value) any { ch <- struct{}{}; return nil })
	if c.video.Get("requestVideoFrameCallback").Truthy() {
		c.video.Call("requestVideoFrameCallback", f)
	} else {
		global.Call("requestAnimationFrame", f)
	}
	global.Call("setTimeout", f, 100)
	<-ch
	// The other callback may still fire: release after it cannot.
	go func() { sleepMs(150); f.Release() }()
}

func listCameras() []CamDevice {
	md := global.Get("navigator").Get("mediaDevices")
	if !md.Truthy() {
		return nil
	}
	list, err := await(md.Call("enumerateDevices"))
	if err != nil {
		return nil
	}
	var out []CamDevice
	for i := 0; i < list.Length(); i++ {
		d := list.Index(i)
		if d.Get("kind").String() != "videoinput" {
			continue
		}
		label := d.Get("label").String()
		if label == "" {
			label = "Camera " + strconv.Itoa(len(out)+1)
		}
		out = append(out, CamDevice{ID: d.Get("deviceId").String(), Label: label})
	}
	return out
}
