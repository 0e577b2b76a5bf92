//go:build js && wasm

package main

import (
	"errors"
	"strings"
	"syscall/js"

	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
)

// A batch's browser side: a row's classification with its thumbnail,
// folders dropped or chosen, and the exports' download.

// workerClassifyRow classifies a batch's photo, asking for every class's
// probability and a ThumbSide thumbnail, which becomes an object URL ("" when
// the worker made none).
func workerClassifyRow(f handle) (protocol.Result, string, error) {
	m, err := watched(func(id int) {
		port.Post(wk.w, &protocol.Classify{ID: id, Image: f, Thumb: ThumbSide, Probs: true})
	})
	if err != nil {
		return protocol.Result{}, "", err
	}
	r, ok := m.(*protocol.Result)
	if !ok {
		return protocol.Result{}, "", errors.New("the worker answered a photo with " + m.Type())
	}
	thumb := ""
	if b, ok := r.Thumb.(js.Value); ok && b.Truthy() {
		thumb = global.Get("URL").Call("createObjectURL", b).String()
	}
	r.Thumb = nil
	return *r, thumb, nil
}

// droppedFolders returns the entries of a drop (webkitGetAsEntry, read
// during the event) when at least one of them is a folder; nil otherwise.
func droppedFolders(dt js.Value) []js.Value {
	items := dt.Get("items")
	if !items.Truthy() {
		return nil
	}
	var entries []js.Value
	folder := false
	for i := 0; i < items.Length(); i++ {
		it := items.Index(i)
		if it.Get("kind").String() != "file" || !it.Get("webkitGetAsEntry").Truthy() {
			continue
		}
		e := it.Call("webkitGetAsEntry")
		if !e.Truthy() {
			continue
		}
		folder = folder || e.Get("isDirectory").Bool()
		entries = append(entries, e)
	}
	if !folder {
		return nil
	}
	return entries
}

// folderFiles walks dropped entries, folders recursively, and returns the
// image files (by type or name), named by their path in the drop, at most
// MaxBatch+1 of them (one more tells the batch some were left out).
func folderFiles(entries []js.Value) []fileRef {
	var out []fileRef
	var walk func(e js.Value)
	walk = func(e js.Value) {
		if len(out) > MaxBatch {
			return
		}
		if e.Get("isDirectory").Bool() {
			kids, _ := readDir(e, MaxBatch) // an unreadable folder adds nothing
			for _, k := range kids {
				walk(k)
			}
			return
		}
		f, err := entryFile(e)
		if err != nil || !isImage(f) {
			return
		}
		out = append(out, fileRef{h: f, name: strings.TrimPrefix(e.Get("fullPath").String(), "/")})
	}
	for _, e := range entries {
		walk(e)
	}
	sortByName(out)
	return out
}

// isImage reports whether a File is an image by its type, or by its name
// when the browser gave no type.
func isImage(f js.Value) bool {
	if t := f.Get("type").String(); t != "" {
		return strings.HasPrefix(t, "image/")
	}
	return IsImageName(f.Get("name").String())
}

// callbackPromise waits for an API that takes success and error callbacks
// (the File and Directory Entries API) from a goroutine.
func callbackPromise(call func(ok, fail js.Value)) (js.Value, error) {
	exec := js.FuncOf(func(_ js.Value, a []js.Value) any {
		call(a[0], a[1])
		return nil
	})
	defer exec.Release()
	return await(global.Get("Promise").New(exec))
}

// readDir lists a directory entry (readEntries gives batches, 100 in
// Chromium, until an empty one), stopping after more than most entries.
func readDir(d js.Value, most int) ([]js.Value, error) {
	reader := d.Call("createReader")
	var out []js.Value
	for len(out) <= most {
		batch, err := callbackPromise(func(ok, fail js.Value) { reader.Call("readEntries", ok, fail) })
		if err != nil {
			return nil, err
		}
		if batch.Length() == 0 {
			break
		}
		for i := 0; i < batch.Length(); i++ {
			out = append(out, batch.Index(i))
		}
	}
	return out, nil
}

// entryFile is a file entry's File.
func entryFile(e js.Value) (js.Value, error) {
	return callbackPromise(func(ok, fail js.Value) { e.Call("file", ok, fail) })
}

// folderInput is the files of a folder chooser (webkitdirectory), images
// only, named by their path in the folder.
func folderInput(fl js.Value) []fileRef {
	var out []fileRef
	for _, f := range fileList(fl) {
		if !isImage(f.h) {
			continue
		}
		if p := f.h.Get("webkitRelativePath").String(); p != "" {
			f.name = p
		}
		out = append(out, f)
	}
	sortByName(out)
	return out
}

// download saves data as a file called name.
func download(name, mime string, data []byte) {
	u8 := global.Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(u8, data)
	blob := global.Get("Blob").New([]any{u8}, map[string]any{"type": mime})
	url := global.Get("URL").Call("createObjectURL", blob)
	a := document.Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	a.Get("style").Set("display", "none")
	document.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	go func() { // after the browser took it
		sleepMs(1000)
		global.Get("URL").Call("revokeObjectURL", url)
	}()
}

// dropFolders makes a batch of the images in dropped folders.
func (c *Root) dropFolders(entries []js.Value) {
	files := folderFiles(entries)
	c.update(func() {
		c.Dragging = false
		if len(files) == 0 {
			c.Notice = "No images in what was dropped: drop a folder of photos."
			return
		}
		c.AddFiles(files, ViaFolder)
	})
}

// folderFromInput is the images of a folder chooser's change event.
func folderFromInput(event vugu.DOMEvent) []fileRef {
	target := js.Value(event.JSEventTarget())
	files := folderInput(target.Get("files"))
	target.Set("value", "")
	return files
}
