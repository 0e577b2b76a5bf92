//go:build js && wasm

package main

import (
	"image"
	"strings"
	"syscall/js"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
	"alexnet/weights"
)

// One path for every image the page sends, photos and camera frames alike:
// a File or Blob is decoded by the browser here, in the worker
// (createImageBitmap), an ImageBitmap is taken as it is, and either is
// drawn on this worker's own reused OffscreenCanvas, whose RGBA bytes go to
// the engine. An ImageData's pixels go to the engine as they are.

var (
	canvas js.Value // OffscreenCanvas, reused while the size stays the same
	ctx2d  js.Value
)

// picture is an image's pixels as the engine takes them.
type picture struct {
	pix              []byte // RGBA, not premultiplied; the reused frame buffer
	w, h             int
	sourceW, sourceH int
	crop             bool     // cut to the model's crop (LiveCrop)
	thumb            js.Value // a JPEG Blob of at most the asked side, or undefined
}

// readImage returns the pixels of a Classify or Tensor message's image,
// or the Error to answer with. live asks for a camera frame's cut to the
// model's input (LiveCrop); a photo is scaled to at most ImageSide. thumb
// > 0 asks for a thumbnail of at most thumb pixels a side (thumbnail).
func readImage(id int, img any, live bool, thumb int) (picture, *protocol.Error) {
	v, ok := img.(js.Value)
	if !ok || v.Type() != js.TypeObject {
		return picture{}, &protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: "worker: no image in the message"}
	}
	if v.InstanceOf(js.Global().Get("ImageData")) {
		w, h := v.Get("width").Int(), v.Get("height").Int()
		pix, err := copyFrame(id, v.Get("data"))
		return picture{pix: pix, w: w, h: h, sourceW: w, sourceH: h}, err
	}
	bmp, perr := bitmapOf(id, v)
	if perr != nil {
		return picture{}, perr
	}
	defer bmp.Call("close")
	sw, sh := bmp.Get("width").Int(), bmp.Get("height").Int()
	src := image.Rect(0, 0, sw, sh)
	w, h := FitWithin(sw, sh, protocol.ImageSide)
	crop := false
	if p, ok := engine.Prep(); ok && live {
		if r := LiveCrop(sw, sh, p); !r.Empty() {
			src, w, h, crop = r, p.CropW, p.CropH, true
		}
	}
	if w == 0 {
		return picture{}, &protocol.Error{ID: id, Kind: protocol.ErrImage, Message: "The image is empty."}
	}
	data, perr := draw(id, bmp, src, w, h)
	if perr != nil {
		return picture{}, perr
	}
	pix, perr := copyFrame(id, data)
	p := picture{pix: pix, w: w, h: h, sourceW: sw, sourceH: sh, crop: crop}
	if thumb > 0 && perr == nil {
		p.thumb = thumbnail(bmp, min(thumb, protocol.MaxThumb))
	}
	return p, perr
}

// bitmapOf is v as an ImageBitmap: v itself, or a File or Blob decoded by
// the browser. The caller closes it.
func bitmapOf(id int, v js.Value) (js.Value, *protocol.Error) {
	if v.InstanceOf(js.Global().Get("ImageBitmap")) {
		return v, nil
	}
	if !v.InstanceOf(js.Global().Get("Blob")) {
		return js.Undefined(), &protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: "worker: the image is not a Blob, an ImageBitmap or an ImageData"}
	}
	opts := map[string]any{"imageOrientation": "from-image", "premultiplyAlpha": "none", "colorSpaceConversion": "none"}
	b, err := port.Await(js.Global().Call("createImageBitmap", v, opts))
	if err != nil {
		return js.Undefined(), notImage(id, v)
	}
	return b, nil
}

// thumbCanvas is the reused canvas thumbnails are drawn on.
var thumbCanvas js.Value

// thumbnail is bmp scaled to at most side pixels on its longer side, as a
// JPEG Blob (a few kB), or undefined when the browser cannot make one: a
// batch keeps these, never the photos.
func thumbnail(bmp js.Value, side int) (blob js.Value) {
	defer func() {
		if recover() != nil {
			blob = js.Undefined()
		}
	}()
	w, h := FitWithin(bmp.Get("width").Int(), bmp.Get("height").Int(), side)
	if w == 0 {
		return js.Undefined()
	}
	if !thumbCanvas.Truthy() {
		thumbCanvas = js.Global().Get("OffscreenCanvas").New(w, h)
	}
	thumbCanvas.Set("width", w)
	thumbCanvas.Set("height", h)
	g := thumbCanvas.Call("getContext", "2d")
	g.Set("imageSmoothingQuality", "high")
	g.Call("drawImage", bmp, 0, 0, w, h)
	b, err := port.Await(thumbCanvas.Call("convertToBlob", map[string]any{"type": "image/jpeg", "quality": 0.8}))
	if err != nil {
		return js.Undefined()
	}
	return b
}

// notImage is the error for a file the browser could not decode: a weight
// file sent as a photo (the page then loads it as the model), a file of
// another type, or a damaged image.
func notImage(id int, blob js.Value) *protocol.Error {
	if head, err := port.Await(blob.Call("slice", 0, len(weights.Magic)).Call("arrayBuffer")); err == nil {
		b := make([]byte, len(weights.Magic))
		if n := js.CopyBytesToGo(b, js.Global().Get("Uint8Array").New(head)); n == len(b) && string(b) == weights.Magic {
			return &protocol.Error{ID: id, Kind: protocol.ErrWeightFile, Message: "this is a weight file"}
		}
	}
	if t := blob.Get("type"); t.Type() == js.TypeString && t.String() != "" && !strings.HasPrefix(t.String(), "image/") {
		return &protocol.Error{ID: id, Kind: protocol.ErrImage, Message: "This is not an image (" + t.String() + ")."}
	}
	return &protocol.Error{ID: id, Kind: protocol.ErrImage, Message: "This file is not an image the browser can open, or it is damaged."}
}

// draw draws the src rectangle of bmp at w x h on the reused canvas and
// returns its ImageData's bytes.
func draw(id int, bmp js.Value, src image.Rectangle, w, h int) (data js.Value, perr *protocol.Error) {
	defer func() {
		if r := recover(); r != nil { // the canvas calls threw
			data, perr = js.Undefined(), &protocol.Error{ID: id, Kind: protocol.ErrImage, Message: "The browser could not draw the image."}
		}
	}()
	if !canvas.Truthy() || canvas.Get("width").Int() != w || canvas.Get("height").Int() != h {
		canvas = js.Global().Get("OffscreenCanvas").New(w, h)
		ctx2d = canvas.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
	}
	ctx2d.Set("imageSmoothingQuality", "high")
	ctx2d.Call("drawImage", bmp, src.Min.X, src.Min.Y, src.Dx(), src.Dy(), 0, 0, w, h)
	return ctx2d.Call("getImageData", 0, 0, w, h).Get("data"), nil
}

// copyFrame copies RGBA bytes into the reused frame buffer.
func copyFrame(id int, v js.Value) ([]byte, *protocol.Error) {
	if v.Type() != js.TypeObject || v.Get("byteLength").Type() != js.TypeNumber {
		return nil, &protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: "malformed image"}
	}
	n := v.Get("byteLength").Int()
	if n < 0 || n > MaxSide*MaxSide*4 {
		return nil, &protocol.Error{ID: id, Kind: protocol.ErrFrame, Message: "frame too large"}
	}
	if cap(frame) < n {
		frame = make([]byte, n)
	}
	frame = frame[:n]
	js.CopyBytesToGo(frame, v)
	return frame, nil
}
