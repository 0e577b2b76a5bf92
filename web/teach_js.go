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

// The Teach view's browser glue: the worker's teach messages, IndexedDB,
// folders, drops and pastes on a class, the download.

// ---- the worker ----

// workerTeachAdd sends an image to embed as example (a camera frame's
// ImageBitmap is transferred) and returns the crop the worker embedded
// (img itself when it was a crop already) and the embedding's time.
func workerTeachAdd(img handle, example int, cropped bool) (handle, float64, error) {
	live := img.InstanceOf(global.Get("ImageBitmap"))
	m, err := wk.call(func(id int) {
		msg := &protocol.TeachAdd{ID: id, Example: example, Image: img, Cropped: cropped}
		if live {
			port.Post(wk.w, msg, img)
			return
		}
		port.Post(wk.w, msg)
	}, nil, 0, nil)
	if err != nil {
		return js.Undefined(), 0, err
	}
	a, ok := m.(*protocol.TeachAdded)
	if !ok {
		return js.Undefined(), 0, errors.New("the worker answered an example with " + m.Type())
	}
	if cropped {
		return img, a.Ms, nil
	}
	crop, ok := a.Crop.(js.Value)
	if !ok {
		return js.Undefined(), 0, errors.New("the worker sent no crop")
	}
	return crop, a.Ms, nil
}

// workerTeachTrain trains in the worker, reporting progress.
func workerTeachTrain(req protocol.TeachTrain, progress func(*protocol.Progress)) (*protocol.Taught, error) {
	m, err := wk.call(func(id int) {
		req.ID = id
		port.Post(wk.w, &req)
	}, progress, 0, nil)
	if err != nil {
		return nil, err
	}
	t, ok := m.(*protocol.Taught)
	if !ok {
		return nil, errors.New("the worker answered training with " + m.Type())
	}
	if _, ok := t.File.(js.Value); !ok {
		return nil, errors.New("the worker sent no weight file")
	}
	loaded(protocol.Load{Bytes: t.File}, t.Info, true) // a new worker loads the taught file
	return t, nil
}

// workerUseBase makes the base model current again.
func workerUseBase() (protocol.ModelInfo, error) {
	info, err := ignoreCached(loadAnswer(wk.call(func(id int) { port.Post(wk.w, &protocol.UseBase{ID: id}) }, nil, 0, nil)))
	if err == nil {
		loadedBase(info)
	}
	return info, err
}

func ignoreCached(info protocol.ModelInfo, _ bool, err error) (protocol.ModelInfo, error) {
	return info, err
}

// ---- small helpers ----

// present reports whether h holds an object.
func present(h handle) bool { return h.Type() == js.TypeObject }

// blobURL is an object URL of a Blob (a thumbnail); revokePreview frees it.
func blobURL(b handle) string {
	if !present(b) {
		return ""
	}
	return global.Get("URL").Call("createObjectURL", b).String()
}

// downloadFile saves bytes (a Uint8Array) as a file named name.
func downloadFile(b handle, name string) {
	if !present(b) {
		return
	}
	blob := global.Get("Blob").New([]any{b}, map[string]any{"type": "application/octet-stream"})
	url := global.Get("URL").Call("createObjectURL", blob)
	a := document.Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	a.Set("hidden", true)
	document.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	go func() { sleepMs(30000); global.Get("URL").Call("revokeObjectURL", url) }()
}

// ---- IndexedDB ----

// teachDB is the IndexedDB database of the Teach view: store "examples"
// (key: the example's id; value: {class, crop}) and store "state" (key
// "classes": [{id, name}]; "next": the next id; "model": {file, name}).
const teachDB = "flowerscope-teach"

var idb js.Value

// idbError turns a DOMException into an error; QuotaExceededError is
// errQuota.
func idbError(e js.Value) error {
	if !present(e) {
		return errors.New("storage failed")
	}
	if e.Get("name").String() == "QuotaExceededError" {
		return errQuota
	}
	return errors.New(e.Get("name").String() + ": " + e.Get("message").String())
}

// idbWait waits for target's success (or complete) event, or its error or
// abort; the value is target.result for a request.
func idbWait(target js.Value, okEvent string) (js.Value, error) {
	type answer struct {
		v   js.Value
		err error
	}
	ch := make(chan answer, 1)
	ok := js.FuncOf(func(js.Value, []js.Value) any {
		if okEvent == "success" {
			ch <- answer{v: target.Get("result")}
		} else {
			ch <- answer{}
		}
		return nil
	})
	fail := js.FuncOf(func(js.Value, []js.Value) any {
		select {
		case ch <- answer{err: idbError(target.Get("error"))}:
		default:
		}
		return nil
	})
	target.Set("on"+okEvent, ok)
	target.Set("onerror", fail)
	if okEvent == "complete" {
		target.Set("onabort", fail)
	}
	a := <-ch
	go func() { sleepMs(100); ok.Release(); fail.Release() }()
	return a.v, a.err
}

func idbOpen() (db js.Value, err error) {
	if present(idb) {
		return idb, nil
	}
	defer func() {
		if r := recover(); r != nil {
			db, err = js.Undefined(), errors.New("IndexedDB is not available here")
		}
	}()
	f := global.Get("indexedDB")
	if !present(f) {
		return js.Undefined(), errors.New("this browser has no IndexedDB")
	}
	req := f.Call("open", teachDB, 1)
	up := js.FuncOf(func(js.Value, []js.Value) any {
		d := req.Get("result")
		for _, s := range []string{"examples", "state"} {
			if !d.Get("objectStoreNames").Call("contains", s).Bool() {
				d.Call("createObjectStore", s)
			}
		}
		return nil
	})
	req.Set("onupgradeneeded", up)
	db, err = idbWait(req, "success")
	up.Release()
	if err == nil {
		idb = db
	}
	return db, err
}

// idbWrite runs f on a readwrite transaction of both stores and waits
// until it is committed.
func idbWrite(f func(examples, state js.Value)) (err error) {
	db, err := idbOpen()
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("storage failed")
			if je, ok := r.(js.Error); ok {
				err = idbError(je.Value) // a request refused at once, say QuotaExceededError
			}
		}
	}()
	tx := db.Call("transaction", []any{"examples", "state"}, "readwrite")
	f(tx.Call("objectStore", "examples"), tx.Call("objectStore", "state"))
	_, err = idbWait(tx, "complete")
	return err
}

// storeClasses keeps the class list and the next id.
func storeClasses(classes []savedClass, next int) error {
	list := make([]any, len(classes))
	for i, k := range classes {
		list[i] = map[string]any{"id": k.ID, "name": k.Name}
	}
	return idbWrite(func(_, state js.Value) {
		state.Call("put", list, "classes")
		state.Call("put", next, "next")
	})
}

// storeExample keeps one example (and the next id, so a reload never
// reuses it: saves run in order and ids only grow).
func storeExample(e savedExample, next int) error {
	return idbWrite(func(examples, state js.Value) {
		examples.Call("put", map[string]any{"class": e.Class, "crop": e.Crop}, e.ID)
		state.Call("put", next, "next")
	})
}

// storeDelete removes examples.
func storeDelete(ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	return idbWrite(func(examples, _ js.Value) {
		for _, id := range ids {
			examples.Call("delete", id)
		}
	})
}

// storeModel keeps the taught weight file.
func storeModel(file handle, name string) error {
	return idbWrite(func(_, state js.Value) { state.Call("put", map[string]any{"file": file, "name": name}, "model") })
}

// storeForget deletes everything kept.
func storeForget() error {
	return idbWrite(func(examples, state js.Value) {
		examples.Call("clear")
		state.Call("clear")
	})
}

// storeLoad reads back what is kept.
func storeLoad() (classes []savedClass, examples []savedExample, next int, file handle, name string, err error) {
	file = js.Undefined()
	db, err := idbOpen()
	if err != nil {
		return nil, nil, 0, file, "", err
	}
	tx := db.Call("transaction", []any{"examples", "state"}, "readonly")
	st := tx.Call("objectStore", "state")
	cr, err := idbWait(st.Call("get", "classes"), "success")
	if err != nil {
		return nil, nil, 0, file, "", err
	}
	if present(cr) {
		for i := 0; i < cr.Length(); i++ {
			k := cr.Index(i)
			classes = append(classes, savedClass{ID: k.Get("id").Int(), Name: k.Get("name").String()})
		}
	}
	nr, err := idbWait(st.Call("get", "next"), "success")
	if err != nil {
		return nil, nil, 0, file, "", err
	}
	if nr.Type() == js.TypeNumber {
		next = nr.Int()
	}
	ex := tx.Call("objectStore", "examples")
	keys, err := idbWait(ex.Call("getAllKeys"), "success")
	if err != nil {
		return classes, nil, next, file, "", err
	}
	vals, err := idbWait(ex.Call("getAll"), "success")
	if err != nil {
		return classes, nil, next, file, "", err
	}
	for i := 0; i < keys.Length() && i < vals.Length(); i++ {
		v := vals.Index(i)
		examples = append(examples, savedExample{ID: keys.Index(i).Int(), Class: v.Get("class").Int(), Crop: v.Get("crop")})
	}
	mr, err := idbWait(st.Call("get", "model"), "success")
	if err != nil {
		return classes, examples, next, file, "", err
	}
	if present(mr) {
		file, name = mr.Get("file"), mr.Get("name").String()
	}
	return classes, examples, next, file, name, nil
}

// ---- photos onto a class, folders ----

func teachFiles(files []fileRef) []teachFile {
	out := make([]teachFile, len(files))
	for i, f := range files {
		out[i] = teachFile{fileRef: f}
	}
	return out
}

// ClassFiles takes photos from a class's picker.
func (p *TeachPanel) ClassFiles(event vugu.DOMEvent, id int) {
	p.App.addToClass(id, teachFiles(filesFromInput(event)))
}

// ClassDrop takes photos dropped on a class (the page-wide drop handler
// leaves a drop whose default was prevented alone).
func (p *TeachPanel) ClassDrop(event vugu.DOMEvent, id int) {
	event.PreventDefault()
	dt := js.Value(event.JSEvent()).Get("dataTransfer")
	if !present(dt) {
		return
	}
	p.App.addToClass(id, teachFiles(fileList(dt.Get("files"))))
}

// DragOver lets a class or the folder zone take a drop.
func (p *TeachPanel) DragOver(event vugu.DOMEvent) { event.PreventDefault() }

// ClassPaste takes pasted photos while the focus is in a class.
func (p *TeachPanel) ClassPaste(event vugu.DOMEvent, id int) {
	cd := js.Value(event.JSEvent()).Get("clipboardData")
	if !present(cd) {
		return
	}
	files := fileList(cd.Get("files"))
	if len(files) == 0 {
		return
	}
	event.PreventDefault()
	p.App.addToClass(id, teachFiles(files))
}

// FolderChosen takes a folder from the directory picker: each file's
// first sub-folder names its class (files directly in the chosen folder
// are left out when there are sub-folders).
func (p *TeachPanel) FolderChosen(event vugu.DOMEvent) {
	target := js.Value(event.JSEventTarget())
	fl := target.Get("files")
	var files []teachFile
	var folders []string
	seen := map[string]bool{}
	for i := 0; i < fl.Length() && len(files) <= MaxTeachExamples; i++ {
		f := fl.Index(i)
		parts := strings.Split(f.Get("webkitRelativePath").String(), "/")
		if len(parts) < 3 {
			continue
		}
		folder := parts[1]
		if !seen[strings.ToLower(folder)] {
			seen[strings.ToLower(folder)] = true
			folders = append(folders, folder)
		}
		files = append(files, teachFile{fileRef: fileRef{h: f, name: f.Get("name").String()}, folder: folder})
	}
	target.Set("value", "")
	p.App.addFolder(files, folders)
}

// FolderDrop takes dropped folders: a folder with sub-folders gives a class
// per sub-folder, a folder of photos gives one class.
func (p *TeachPanel) FolderDrop(event vugu.DOMEvent) {
	event.PreventDefault()
	dt := js.Value(event.JSEvent()).Get("dataTransfer")
	if !present(dt) {
		return
	}
	items := dt.Get("items")
	var entries []js.Value
	for i := 0; i < items.Length(); i++ {
		it := items.Index(i)
		if it.Get("kind").String() != "file" || !present(it.Get("webkitGetAsEntry")) {
			continue
		}
		if e := it.Call("webkitGetAsEntry"); present(e) && e.Get("isDirectory").Bool() {
			entries = append(entries, e) // only readable during the event
		}
	}
	a := p.App
	if len(entries) == 0 {
		a.Teach.Err = "Drop a folder whose sub-folders are the classes, or drop photos on a class."
		return
	}
	go func() {
		files, folders, err := readFolders(entries)
		a.update(func() {
			if err != nil {
				a.Teach.Err = "The folder could not be read: " + err.Error()
				return
			}
			a.addFolder(files, folders)
		})
	}()
}

// readFolders lists the photos of dropped folders, at most
// MaxTeachExamples+1 (the rest would be refused anyway).
func readFolders(dirs []js.Value) ([]teachFile, []string, error) {
	var files []teachFile
	var folders []string
	add := func(class string, entries []js.Value) error {
		n := 0
		for _, e := range entries {
			if len(files) > MaxTeachExamples {
				break
			}
			f, err := entryFile(e)
			if err != nil {
				return err
			}
			files = append(files, teachFile{fileRef: fileRef{h: f, name: f.Get("name").String()}, folder: class})
			n++
		}
		if n > 0 {
			folders = append(folders, class)
		}
		return nil
	}
	for _, d := range dirs {
		kids, err := readDir(d, MaxTeachExamples)
		if err != nil {
			return nil, nil, err
		}
		var subs, loose []js.Value
		for _, k := range kids {
			if k.Get("isDirectory").Bool() {
				subs = append(subs, k)
			} else {
				loose = append(loose, k)
			}
		}
		if len(subs) == 0 {
			if err := add(d.Get("name").String(), loose); err != nil {
				return nil, nil, err
			}
			continue
		}
		for _, s := range subs {
			photos, err := readTree(s)
			if err != nil {
				return nil, nil, err
			}
			if err := add(s.Get("name").String(), photos); err != nil {
				return nil, nil, err
			}
		}
	}
	return files, folders, nil
}

// readTree is every file under a directory entry (bounded like readFolders).
func readTree(d js.Value) ([]js.Value, error) {
	var out []js.Value
	todo := []js.Value{d}
	for len(todo) > 0 && len(out) <= MaxTeachExamples {
		kids, err := readDir(todo[0], MaxTeachExamples)
		if err != nil {
			return nil, err
		}
		todo = todo[1:]
		for _, k := range kids {
			if k.Get("isDirectory").Bool() {
				todo = append(todo, k)
			} else {
				out = append(out, k)
			}
		}
	}
	return out, nil
}
