//go:build js && wasm

package main

import "syscall/js"

// Page-wide events: drag and drop anywhere, paste.

var globalFuncs []js.Func

func installGlobalHandlers(c *Root) {
	depth := 0
	hasFiles := func(ev js.Value) bool { return hasType(ev.Get("dataTransfer"), "Files") }
	on := func(target js.Value, name string, fn func(ev js.Value)) {
		f := js.FuncOf(func(_ js.Value, a []js.Value) any {
			fn(a[0])
			return nil
		})
		globalFuncs = append(globalFuncs, f)
		target.Call("addEventListener", name, f)
	}
	setDragging := func(v bool) {
		go c.update(func() { c.Dragging = v })
	}
	on(global, "dragenter", func(ev js.Value) {
		if !hasFiles(ev) {
			return
		}
		ev.Call("preventDefault")
		depth++
		if depth == 1 {
			setDragging(true)
		}
	})
	on(global, "dragover", func(ev js.Value) {
		if !hasFiles(ev) {
			return
		}
		ev.Call("preventDefault")
		ev.Get("dataTransfer").Set("dropEffect", "copy")
	})
	on(global, "dragleave", func(ev js.Value) {
		if !hasFiles(ev) {
			return
		}
		if depth--; depth <= 0 {
			depth = 0
			setDragging(false)
		}
	})
	on(global, "drop", func(ev js.Value) {
		taken := ev.Get("defaultPrevented").Bool() // by the Teach view
		ev.Call("preventDefault")
		depth = 0
		if taken {
			setDragging(false)
			return
		}
		if entries := droppedFolders(ev.Get("dataTransfer")); entries != nil {
			go c.dropFolders(entries) // a batch (batch_js.go)
			return
		}
		files := fileList(ev.Get("dataTransfer").Get("files")) // only readable during the event
		go c.update(func() {
			c.Dragging = false
			if len(files) == 0 {
				c.Notice = "Nothing to classify was dropped: drop an image file."
				return
			}
			c.AddFiles(files, "drop")
		})
	})
	on(document, "paste", func(ev js.Value) {
		cd := ev.Get("clipboardData")
		if !cd.Truthy() || ev.Get("defaultPrevented").Bool() { // taken by the Teach view
			return
		}
		files := fileList(cd.Get("files"))
		if len(files) == 0 {
			// The page has no text fields: say that only images are
			// classified.
			if hasType(cd, "text/plain") {
				go c.update(c.PasteWithoutImage)
			}
			return
		}
		ev.Call("preventDefault")
		go c.update(func() { c.AddFiles(files, "paste") })
	})
}

// hasType reports whether a DataTransfer (drag and drop, clipboard) holds
// data of type t ("Files", "text/plain").
func hasType(dt js.Value, t string) bool {
	if !dt.Truthy() {
		return false
	}
	types := dt.Get("types")
	for i := 0; i < types.Length(); i++ {
		if types.Index(i).String() == t {
			return true
		}
	}
	return false
}
