//go:build js && wasm

package main

import (
	"context"
	"errors"
	"image"
	"syscall/js"
	"time"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
	"alexnet/weights"
)

// The Teach view's messages (teach.go holds the state).

var teacher Teacher

// cropQuality is the JPEG quality of the crops sent back to the page
// (about 25 KB for a 288x288 photo).
const cropQuality = 0.9

// teachAdd cuts the embedding's crop of the image, embeds it and answers
// with the crop as a JPEG Blob.
func teachAdd(m *protocol.TeachAdd) {
	fail := func(kind, msg string) { reply(&protocol.Error{ID: m.ID, Kind: kind, Message: msg}) }
	p, err := teacher.Crop()
	if err != nil {
		fail(protocol.ErrTeach, err.Error())
		return
	}
	v, ok := m.Image.(js.Value)
	if !ok || v.Type() != js.TypeObject {
		fail(protocol.ErrFrame, "worker: no image in the message")
		return
	}
	bmp, perr := bitmapOf(m.ID, v)
	if perr != nil {
		reply(perr)
		return
	}
	defer bmp.Call("close")
	sw, sh := bmp.Get("width").Int(), bmp.Get("height").Int()
	src := image.Rect(0, 0, sw, sh)
	if !m.Cropped {
		src = LiveCrop(sw, sh, p)
	}
	if src.Empty() {
		fail(protocol.ErrImage, "The image is empty.")
		return
	}
	data, perr := draw(m.ID, bmp, src, p.CropW, p.CropH)
	if perr != nil {
		reply(perr)
		return
	}
	pix, perr := copyFrame(m.ID, data)
	if perr != nil {
		reply(perr)
		return
	}
	t, err := teacher.Add(m.Example, pix, p.CropW, p.CropH)
	if err != nil {
		kind := protocol.ErrFrame
		var te teachError
		if errors.As(err, &te) {
			kind = protocol.ErrTeach
		}
		fail(kind, err.Error())
		return
	}
	ans := &protocol.TeachAdded{ID: m.ID, Example: m.Example, Ms: t}
	if !m.Cropped {
		blob, err := port.Await(canvas.Call("convertToBlob", map[string]any{"type": "image/jpeg", "quality": cropQuality}))
		if err != nil {
			fail(protocol.ErrImage, "The browser could not keep the example: "+err.Error())
			return
		}
		ans.Crop = blob
	}
	reply(ans)
}

// teachTrain trains, makes the taught model the current one and answers
// with it.
func teachTrain(m *protocol.TeachTrain) {
	start := time.Now()
	last := 0.0
	progress := func(done, total int) {
		if now := float64(time.Since(start).Milliseconds()); now-last >= progressGapMs || done == total {
			last = now
			reply(&protocol.Progress{ID: m.ID, Phase: protocol.PhaseTrain, Loaded: int64(done), Total: int64(total)})
		}
	}
	taught, rep, err := teacher.Train(context.Background(), m, progress)
	var te teachError
	switch {
	case errors.Is(err, ErrUnembedded):
		reply(&protocol.Error{ID: m.ID, Kind: protocol.ErrUnembedded, Message: err.Error()})
		return
	case errors.As(err, &te):
		reply(&protocol.Error{ID: m.ID, Kind: protocol.ErrTeach, Message: err.Error()})
		return
	case err != nil:
		reply(&protocol.Error{ID: m.ID, Kind: protocol.ErrTeach, Message: "Training failed: " + err.Error()})
		return
	}
	ms := ms(time.Since(start))
	b, err := weights.Encode(taught)
	if err == nil {
		var info protocol.ModelInfo
		if info, err = engine.Use(taught, len(b)); err == nil {
			stopSplit() // a taught model runs whole (nn.NewPart refuses globalpool)
			split.model = nil
			u8 := js.Global().Get("Uint8Array").New(len(b))
			js.CopyBytesToJS(u8, b)
			reply(&protocol.Taught{ID: m.ID, Info: info, Report: rep, File: u8, Ms: ms}, u8.Get("buffer"))
			return
		}
	}
	reply(&protocol.Error{ID: m.ID, Kind: protocol.ErrTeach, Message: "The taught model could not be made: " + err.Error()})
}

// useBase makes the base model current again.
func useBase(m *protocol.UseBase) {
	base, b := teacher.Base()
	if base == nil {
		reply(&protocol.Error{ID: m.ID, Kind: protocol.ErrModel, Message: "no base model loaded"})
		return
	}
	info, err := engine.Use(base, len(b))
	if err != nil {
		reply(&protocol.Error{ID: m.ID, Kind: protocol.ErrModel, Message: err.Error()})
		return
	}
	stopSplit()
	split.model = b // split again after its next classification
	reply(&protocol.Loaded{ID: m.ID, Info: info})
}
