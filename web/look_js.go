//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
)

// The look-inside requests to the worker (look.go), and the images they
// take: a photo's file again, or the camera's current frame.

// videoFrame is the camera video's current frame as an ImageBitmap (to be
// transferred to the worker), or an error when the video has none.
func videoFrame() (bmp handle, err error) {
	defer func() {
		if r := recover(); r != nil {
			bmp, err = js.Undefined(), errNoFrame
		}
	}()
	v := document.Call("querySelector", `[data-testid="camera-video"]`)
	if !v.Truthy() || v.Get("videoWidth").Int() == 0 {
		return js.Undefined(), errNoFrame
	}
	return await(global.Call("createImageBitmap", v))
}

// objectURL makes an object URL of a Blob the worker sent.
func objectURL(b any) string {
	v, ok := b.(js.Value)
	if !ok || !v.Truthy() {
		return ""
	}
	return global.Get("URL").Call("createObjectURL", v).String()
}

// post sends a request that carries an image: a camera frame is
// transferred.
func post(m protocol.Message, img handle, live bool) {
	if live {
		port.Post(wk.w, m, img)
		return
	}
	port.Post(wk.w, m)
}

// lookExplain asks for the Grad-CAM map of an image; it returns the answer
// and object URLs of its input picture and heatmap.
func lookExplain(img handle, live bool, class int) (protocol.Explanation, string, string, error) {
	m, err := watched(func(id int) { post(&protocol.Explain{ID: id, Image: img, Live: live, Class: class}, img, live) })
	if err != nil {
		return protocol.Explanation{}, "", "", err
	}
	ex, ok := m.(*protocol.Explanation)
	if !ok {
		return protocol.Explanation{}, "", "", errors.New("the worker answered with " + m.Type())
	}
	in, heat := objectURL(ex.Input), objectURL(ex.Heatmap)
	ex.Input, ex.Heatmap, ex.Values = nil, nil, nil
	return *ex, in, heat, nil
}

// lookActivations asks for a layer's maps of an image; it returns the
// answer and an object URL of its tiles.
func lookActivations(img handle, live bool, layer string) (protocol.ActivationMaps, string, error) {
	m, err := watched(func(id int) { post(&protocol.Activations{ID: id, Image: img, Live: live, Layer: layer}, img, live) })
	if err != nil {
		return protocol.ActivationMaps{}, "", err
	}
	a, ok := m.(*protocol.ActivationMaps)
	if !ok {
		return protocol.ActivationMaps{}, "", errors.New("the worker answered with " + m.Type())
	}
	url := objectURL(a.Tiles)
	a.Tiles = nil
	return *a, url, nil
}

// lookFilters asks for the first layer's filters; it returns the answer
// and an object URL of the grid.
func lookFilters() (protocol.FilterGrid, string, error) {
	m, err := wk.call(func(id int) { port.Post(wk.w, &protocol.Filters{ID: id}) }, nil, 0, nil)
	if err != nil {
		return protocol.FilterGrid{}, "", err
	}
	g, ok := m.(*protocol.FilterGrid)
	if !ok {
		return protocol.FilterGrid{}, "", errors.New("the worker answered with " + m.Type())
	}
	url := objectURL(g.Image)
	g.Image = nil
	return *g, url, nil
}
