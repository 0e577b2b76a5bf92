//go:build js && wasm

package main

import (
	"errors"
	"time"
)

// captureFrame takes the live camera's current frame as a PNG file, which
// then goes through the photo path like any picked photo (the browser
// draws and encodes it; the page's Go never reads its pixels).
func captureFrame() (f fileRef, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = fileRef{}, errors.New("the browser could not draw the video")
		}
	}()
	v := document.Call("querySelector", `[data-testid="camera-video"]`)
	if !v.Truthy() || v.Get("videoWidth").Int() == 0 {
		return fileRef{}, errors.New("the camera has no picture yet")
	}
	// At the video's own size: the worker scales it like any photo
	// (protocol.ImageSide).
	w, h := v.Get("videoWidth").Int(), v.Get("videoHeight").Int()
	canvas := global.Get("OffscreenCanvas").New(w, h)
	canvas.Call("getContext", "2d").Call("drawImage", v, 0, 0, w, h)
	blob, err := await(canvas.Call("convertToBlob", map[string]any{"type": "image/png"}))
	if err != nil {
		return fileRef{}, err
	}
	name := "camera-" + time.Now().Format("15-04-05") + ".png"
	file := global.Get("File").New([]any{blob}, name, map[string]any{"type": "image/png"})
	return fileRef{h: file, name: name}, nil
}
