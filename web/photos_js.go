//go:build js && wasm

package main

import (
	"errors"
	"strings"
	"syscall/js"

	"github.com/vugu/vugu"
	vjs "github.com/vugu/vugu/js"
)

// Photos: files from the picker, decoding, previews.

func fileList(fl js.Value) []fileRef {
	var out []fileRef
	if !fl.Truthy() {
		return nil
	}
	for i := 0; i < fl.Length(); i++ {
		f := fl.Index(i)
		out = append(out, fileRef{h: f, name: f.Get("name").String()})
	}
	return out
}

func filesFromInput(event vugu.DOMEvent) []fileRef {
	target := js.Value(event.JSEventTarget())
	files := fileList(target.Get("files"))
	target.Set("value", "") // choosing the same file again fires change again
	return files
}

var _ vjs.Value // vugu's js.Value is syscall/js's under GOOS=js

// decodeImage lets the browser decode a file (any format it knows), caps
// the longer side at MaxSide and returns its RGBA pixels. The pixels stay
// on the JS side until the worker copies them.
func decodeImage(f fileRef) (frame, error) {
	opts := map[string]any{"imageOrientation": "from-image", "premultiplyAlpha": "none", "colorSpaceConversion": "none"}
	bmp, err := await(global.Call("createImageBitmap", f.h, opts))
	if err != nil {
		t := f.h.Get("type").String()
		if t != "" && !strings.HasPrefix(t, "image/") {
			return frame{}, errors.New("This is not an image (" + t + ").")
		}
		return frame{}, errors.New("This file is not an image the browser can open, or it is damaged.")
	}
	defer bmp.Call("close")
	w, h := bmp.Get("width").Int(), bmp.Get("height").Int()
	fw, fh := FitWithin(w, h, MaxSide)
	if fw == 0 {
		return frame{}, errors.New("The image is empty.")
	}
	data, err := drawPixels(bmp, fw, fh)
	if err != nil {
		return frame{}, err
	}
	return frame{data: data, W: fw, H: fh, OrigW: w, OrigH: h}, nil
}

// drawPixels draws src (a bitmap or video) at w x h and returns the bytes.
func drawPixels(src js.Value, w, h int) (data js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("the browser could not draw the image")
		}
	}()
	canvas := global.Get("OffscreenCanvas").New(w, h)
	ctx := canvas.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
	ctx.Set("imageSmoothingQuality", "high")
	ctx.Call("drawImage", src, 0, 0, w, h)
	return ctx.Call("getImageData", 0, 0, w, h).Get("data"), nil
}

func previewURL(f fileRef) string {
	return global.Get("URL").Call("createObjectURL", f.h).String()
}

func revokePreview(u string) {
	if u != "" {
		global.Get("URL").Call("revokeObjectURL", u)
	}
}
