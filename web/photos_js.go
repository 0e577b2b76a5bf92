//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/vugu/vugu"
	vjs "github.com/vugu/vugu/js"
)

// Photos: files from the picker, previews. The worker decodes them.

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

func previewURL(f fileRef) string {
	return global.Get("URL").Call("createObjectURL", f.h).String()
}

func revokePreview(u string) {
	if u != "" {
		global.Get("URL").Call("revokeObjectURL", u)
	}
}
