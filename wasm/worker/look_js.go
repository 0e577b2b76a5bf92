//go:build js && wasm

package main

import (
	"image"
	"syscall/js"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
)

// The look-inside requests (look.go): their images go to the page as PNG
// Blobs, encoded by the browser from a canvas of this worker.

func explainImage(m *protocol.Explain) {
	onImage(m.ID, m.Image, m.Live, 0, func(img picture) (protocol.Message, error) {
		l, err := engine.Explain(img.pix, img.w, img.h, img.sourceW, img.sourceH, img.crop, m.Class)
		if err != nil {
			return nil, err
		}
		in, err := pngBlob(l.Input)
		if err != nil {
			return nil, err
		}
		heat, err := pngBlob(l.Heatmap)
		if err != nil {
			return nil, err
		}
		u8 := js.Global().Get("Uint8Array").New(4 * len(l.Map.Values))
		js.CopyBytesToJS(u8, floatBytes(l.Map.Values))
		return &protocol.Explanation{ID: m.ID, Class: l.Map.Class, Label: l.Label, Input: in, Heatmap: heat,
			Values: js.Global().Get("Float32Array").New(u8.Get("buffer")), W: l.Map.W, H: l.Map.H,
			Where: l.Map.Where(l.Frame), Sentence: l.Map.Sentence(l.Frame), Ms: l.Ms}, nil
	})
}

func activations(m *protocol.Activations) {
	onImage(m.ID, m.Image, m.Live, 0, func(img picture) (protocol.Message, error) {
		r, tiles, err := engine.Activations(img.pix, img.w, img.h, img.crop, m.Layer, m.Max)
		if err != nil {
			return nil, err
		}
		if r.Tiles, err = pngBlob(tiles); err != nil {
			return nil, err
		}
		r.ID = m.ID
		return &r, nil
	})
}

func filters(m *protocol.Filters) {
	g, img, err := engine.Filters()
	if err == nil {
		g.Image, err = pngBlob(img)
	}
	if err != nil {
		reply(&protocol.Error{ID: m.ID, Kind: protocol.ErrModel, Message: err.Error()})
		return
	}
	g.ID = m.ID
	reply(&g)
}

// pngBlob encodes an image as a PNG Blob with an OffscreenCanvas (the
// browser's encoder: quicker than image/png under wasm, and no encoder in
// the worker's binary).
func pngBlob(img *image.RGBA) (js.Value, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	u8 := js.Global().Get("Uint8ClampedArray").New(len(img.Pix))
	js.CopyBytesToJS(u8, img.Pix)
	c := js.Global().Get("OffscreenCanvas").New(w, h)
	c.Call("getContext", "2d").Call("putImageData", js.Global().Get("ImageData").New(u8, w, h), 0, 0)
	return port.Await(c.Call("convertToBlob", map[string]any{"type": "image/png"}))
}
