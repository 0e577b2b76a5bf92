package main

// The Teach view (issue 11): name classes, add examples from the camera
// (hold a button), photos, paste or a folder, train a head in the worker
// (package teach), use the taught model everywhere, keep it across
// reloads (IndexedDB, teach_js.go), download it as a .alexnet file.
//
// The page keeps the classes and, for each example, the crop the worker
// embedded (a small JPEG, protocol.TeachAdded's Crop): the thumbnail, and
// what is embedded again when the base model changes or after a reload
// (embeddings belong to the base that made them). The worker keeps the
// embeddings (wasm/worker/teach.go).

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

// Limits of the Teach view, each checked where examples are added.
const (
	MaxTeachExamples = 1000 // examples, all classes together (~25 KB of storage each)
	MaxTeachClasses  = 20
	ThumbsShown      = 12 // the newest thumbnails of a class shown; the rest are counted
)

// TeachClass is one class being taught.
type TeachClass struct {
	ID       int
	Name     string
	Examples []*TeachExample // oldest first
}

// TeachExample is one example: the crop the worker embedded.
type TeachExample struct {
	ID   int
	Crop handle // JPEG Blob
	URL  string // object URL of Crop, the thumbnail; revoked when removed
}

// TeachState is the Teach view's state (Root.Teach), changed under the
// event lock.
type TeachState struct {
	Open      bool
	Classes   []*TeachClass
	nextID    int // ids of classes and examples, one sequence, kept in storage
	Capturing int // the class the camera adds to while its button is held (0: none)
	Captured  int // frames added during this hold
	Busy      string
	Done      int // progress of Busy, out of Total
	Total     int
	Err       string // the latest refusal or failure (an alert)
	Say       string // the polite live region: capture counts at release, training done
	Report    *protocol.TeachReport
	Labels    []string // the classes the report and the taught model are about
	TrainMs   float64
	EmbedMs   float64 // the last example's embedding, in the worker
	File      handle  // the taught weight file (Uint8Array)
	HasFile   bool
	FileName  string
	Stale     bool // classes or examples changed since training
	// taught is Root.Model.Info while the taught model is the one in use.
	taught *protocol.ModelInfo
	jobs   chan func()
	saves  chan func() error
}

// TeachPanel is the Teach card.
type TeachPanel struct {
	App *Root
}

// newID is a fresh id for a class or an example. Under the event lock.
func (t *TeachState) newID() int {
	t.nextID++
	return t.nextID
}

// class is the class with id; nil when it is gone.
func (t *TeachState) class(id int) *TeachClass {
	for _, k := range t.Classes {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// classNamed is the class called name (case and spaces ignored); nil when none.
func (t *TeachState) classNamed(name string) *TeachClass {
	for _, k := range t.Classes {
		if strings.EqualFold(strings.TrimSpace(k.Name), strings.TrimSpace(name)) {
			return k
		}
	}
	return nil
}

// Count is the number of examples of all classes.
func (t *TeachState) Count() int {
	n := 0
	for _, k := range t.Classes {
		n += len(k.Examples)
	}
	return n
}

// addClass adds a class; false (with Err set) at MaxTeachClasses.
func (t *TeachState) addClass(name string) *TeachClass {
	if len(t.Classes) >= MaxTeachClasses {
		t.Err = "At most " + strconv.Itoa(MaxTeachClasses) + " classes."
		return nil
	}
	k := &TeachClass{ID: t.newID(), Name: name}
	t.Classes = append(t.Classes, k)
	t.Stale = true
	return k
}

// defaultName is "class N" for the first N not taken.
func (t *TeachState) defaultName() string {
	for n := len(t.Classes) + 1; ; n++ {
		name := "class " + strconv.Itoa(n)
		if t.classNamed(name) == nil {
			return name
		}
	}
}

// removeExample drops an example; it reports whether it was there.
func (t *TeachState) removeExample(id int) bool {
	for _, k := range t.Classes {
		for i, e := range k.Examples {
			if e.ID == id {
				revokePreview(e.URL)
				k.Examples = append(k.Examples[:i], k.Examples[i+1:]...)
				t.Stale = true
				return true
			}
		}
	}
	return false
}

// CheckLabels says, in the user's words, what keeps the classes from
// being taught (names: empty or repeated; the worker checks the counts).
func CheckLabels(classes []*TeachClass) error {
	seen := map[string]bool{}
	for _, k := range classes {
		name := strings.ToLower(strings.TrimSpace(k.Name))
		if name == "" {
			return errors.New("Give every class a name.")
		}
		if seen[name] {
			return errors.New("Two classes are called \u201c" + strings.TrimSpace(k.Name) + "\u201d: rename one.")
		}
		seen[name] = true
	}
	return nil
}

// ReportRow is one line of the held-out report.
type ReportRow struct {
	Class, Right, Mistakes string
}

// ReportRows says, per class, how the held-out examples fared in plain
// words: "7 of 8 \u201ckeys\u201d photos right", then what the others were
// taken for.
func ReportRows(r *protocol.TeachReport, labels []string) []ReportRow {
	if r == nil {
		return nil
	}
	var rows []ReportRow
	for k, row := range r.Confusion {
		if k >= len(labels) {
			break
		}
		n := 0
		for _, v := range row {
			n += v
		}
		if n == 0 {
			continue
		}
		right := 0
		if k < len(row) {
			right = row[k]
		}
		var wrong []string
		for p, v := range row {
			if p != k && v > 0 && p < len(labels) {
				wrong = append(wrong, strconv.Itoa(v)+" taken for \u201c"+labels[p]+"\u201d")
			}
		}
		mistakes := "none"
		if len(wrong) > 0 {
			mistakes = strings.Join(wrong, ", ")
		}
		rows = append(rows, ReportRow{
			Class:    labels[k],
			Right:    strconv.Itoa(right) + " of " + strconv.Itoa(n) + " \u201c" + labels[k] + "\u201d photos right",
			Mistakes: mistakes,
		})
	}
	return rows
}

// Accuracy is the held-out summary: "Held-out accuracy: 87% (13 of 15
// photos kept aside)", or why there is none.
func Accuracy(r *protocol.TeachReport) string {
	if r == nil {
		return ""
	}
	if r.Held == 0 {
		return "Too few examples to keep some aside for a check: add a few more to each class to see the accuracy."
	}
	return "Held-out accuracy: " + strconv.Itoa((200*r.Correct+r.Held)/(2*r.Held)) + "% (" +
		strconv.Itoa(r.Correct) + " of " + strconv.Itoa(r.Held) + " photos kept aside for the check)"
}

// ---- Root: the view's actions ----

// UsingTaught reports whether the taught model is the one in use.
func (c *Root) UsingTaught() bool { return c.Teach.taught != nil && c.Model.Info == c.Teach.taught }

// teachStart starts the Teach view's workers and restores what was kept.
// Called once, from Init.
func (c *Root) teachStart() {
	c.Teach.jobs = make(chan func(), 64)
	c.Teach.saves = make(chan func() error, 256)
	go func() {
		for job := range c.Teach.jobs {
			job()
		}
	}()
	go func() {
		for save := range c.Teach.saves {
			if err := save(); err != nil {
				c.update(func() { c.Teach.Err = storageError(err) })
			}
		}
	}()
	c.Teach.jobs <- c.teachRestore
}

// storageError is the words for a failed save: nothing is lost in the
// page meanwhile.
func storageError(err error) string {
	msg := "Saving what you taught in this browser failed (" + err.Error() + "). "
	if errors.Is(err, errQuota) {
		msg = "This browser's storage for the page is full. "
	}
	return msg + "Everything stays here until you close or reload the page; download the model to keep it."
}

// errQuota is a save refused for lack of space (teach_js.go).
var errQuota = errors.New("storage full")

// teachJob queues f after the view's other jobs; false when too many wait.
func (c *Root) teachJob(f func()) bool {
	select {
	case c.Teach.jobs <- f:
		return true
	default:
		c.Teach.Err = "Too much at once: wait for the current work to finish."
		return false
	}
}

// teachSave queues a save after the others.
func (c *Root) teachSave(f func() error) {
	select {
	case c.Teach.saves <- f:
	default:
		c.Teach.Err = storageError(errors.New("too many saves at once"))
	}
}

// saveClasses queues a save of the class list. Under the event lock.
func (c *Root) saveClasses() {
	list := make([]savedClass, len(c.Teach.Classes))
	for i, k := range c.Teach.Classes {
		list[i] = savedClass{ID: k.ID, Name: k.Name}
	}
	next := c.Teach.nextID
	c.teachSave(func() error { return storeClasses(list, next) })
}

// teachFile is a photo given to the Teach view; folder is the name of the
// folder it was in when a folder of classes was given.
type teachFile struct {
	fileRef
	folder string
}

// savedClass is a class as stored.
type savedClass struct {
	ID   int
	Name string
}

// savedExample is an example as stored.
type savedExample struct {
	ID, Class int
	Crop      handle
}

// teachRestore brings back what a previous visit taught: classes,
// examples and the taught model (in use again once the base has loaded).
func (c *Root) teachRestore() {
	classes, examples, next, file, name, err := storeLoad()
	if err != nil {
		c.update(func() { c.Teach.Err = "What you taught before could not be read back: " + err.Error() })
	}
	c.update(func() {
		c.Teach.nextID = max(c.Teach.nextID, next)
		for _, s := range classes {
			c.Teach.Classes = append(c.Teach.Classes, &TeachClass{ID: s.ID, Name: s.Name})
		}
		for _, e := range examples {
			if k := c.Teach.class(e.Class); k != nil {
				k.Examples = append(k.Examples, &TeachExample{ID: e.ID, Crop: e.Crop, URL: blobURL(e.Crop)})
			}
		}
		if len(c.Teach.Classes) == 0 {
			c.Teach.addClass(c.Teach.defaultName())
			c.Teach.addClass(c.Teach.defaultName())
		}
		c.Teach.Stale = false
	})
	if !present(file) {
		return
	}
	if !c.waitReady() {
		return
	}
	<-c.engine
	info, _, err := workerLoad(protocol.Load{Bytes: file}, nil)
	c.engine <- struct{}{}
	if err != nil {
		c.update(func() { c.Teach.Err = "The model taught before could not be loaded: " + err.Error() })
		return
	}
	c.modelReady(info, "taught in this page", false)
	c.update(func() {
		c.Teach.taught = c.Model.Info
		c.Teach.File, c.Teach.HasFile, c.Teach.FileName = file, true, name
		c.Teach.Labels = info.Labels
	})
}

// teachFrame adds a camera frame to the class whose button is held; it
// reports whether it took the frame (the camera loop holds the engine).
func (c *Root) teachFrame(fr handle) bool {
	var class, id int
	c.update(func() {
		class = c.Teach.Capturing
		if class == 0 || c.Teach.class(class) == nil {
			class = 0
			return
		}
		if c.Teach.Count() >= MaxTeachExamples {
			c.Teach.Capturing, class = 0, 0
			c.Teach.Err = capMessage()
			return
		}
		id = c.Teach.newID()
	})
	if class == 0 {
		return false
	}
	crop, ms, err := workerTeachAdd(fr, id, false)
	c.update(func() {
		if err != nil {
			c.Teach.Err = "The camera frame could not be added: " + err.Error()
			return
		}
		c.addExample(class, id, crop)
		c.Teach.Captured++
		c.Teach.EmbedMs = ms
	})
	return true
}

// capMessage is the words for the examples' limit.
func capMessage() string {
	return "That is the limit of " + strconv.Itoa(MaxTeachExamples) + " examples: remove some, or train with these."
}

// addExample adds an embedded crop to a class and saves it; the class may
// be gone (deleted meanwhile), then the crop is dropped. Under the event
// lock.
func (c *Root) addExample(class, id int, crop handle) {
	k := c.Teach.class(class)
	if k == nil {
		return
	}
	k.Examples = append(k.Examples, &TeachExample{ID: id, Crop: crop, URL: blobURL(crop)})
	c.Teach.Stale = true
	next := c.Teach.nextID
	c.teachSave(func() error { return storeExample(savedExample{ID: id, Class: class, Crop: crop}, next) })
}

// addPhotos embeds photos into classes, one at a time, in order; a photo
// that is not an image is skipped and named in the message.
func (c *Root) addPhotos(files []teachFile, classOf func(teachFile) int) {
	var bad []string
	total := len(files)
	c.update(func() { c.Teach.Busy, c.Teach.Done, c.Teach.Total = "Adding photos", 0, total })
	added := 0
	for i, f := range files {
		var id, class int
		full := false
		c.update(func() {
			c.Teach.Done = i
			class = classOf(f)
			if class == 0 || c.Teach.class(class) == nil {
				return
			}
			if c.Teach.Count() >= MaxTeachExamples {
				full = true
				return
			}
			id = c.Teach.newID()
		})
		if full {
			c.update(func() { c.Teach.Err = capMessage() + " " + strconv.Itoa(total-i) + " photos were not added." })
			break
		}
		if id == 0 {
			continue // its class was deleted meanwhile
		}
		<-c.engine
		crop, ms, err := workerTeachAdd(f.h, id, false)
		c.engine <- struct{}{}
		if err != nil {
			var pe *protocol.Error
			if errors.As(err, &pe) && (pe.Kind == protocol.ErrImage || pe.Kind == protocol.ErrWeightFile) {
				bad = append(bad, f.Name())
				continue
			}
			c.update(func() { c.Teach.Err = f.Name() + ": " + err.Error() })
			continue
		}
		added++
		c.update(func() {
			c.addExample(class, id, crop)
			c.Teach.EmbedMs = ms
		})
	}
	c.update(func() {
		c.Teach.Busy = ""
		c.Teach.Say = strconv.Itoa(added) + " photos added."
		if len(bad) > 0 {
			c.Teach.Err = skipped(bad)
		}
	})
}

// skipped names the files that could not be read as images.
func skipped(names []string) string {
	s := strconv.Itoa(len(names)) + " file(s) could not be read as photos and were skipped: "
	if len(names) > 5 {
		return s + strings.Join(names[:5], ", ") + " and " + strconv.Itoa(len(names)-5) + " more."
	}
	return s + strings.Join(names, ", ") + "."
}

// addToClass queues photos for one class. Under the event lock.
func (c *Root) addToClass(class int, files []teachFile) {
	if len(files) == 0 {
		return
	}
	c.Teach.Err = ""
	c.teachJob(func() { c.addPhotos(files, func(teachFile) int { return class }) })
}

// addFolder queues photos whose folder names their class (created when
// missing). Under the event lock.
func (c *Root) addFolder(files []teachFile, folders []string) {
	if len(files) == 0 {
		c.Teach.Err = "No photos in sub-folders were found: drop a folder whose sub-folders are the classes."
		return
	}
	c.Teach.Err = ""
	folders = append([]string(nil), folders...)
	sort.Strings(folders) // the browser lists files in no set order
	c.teachJob(func() {
		// Classes first, in one go, then the photos.
		ids := map[string]int{}
		c.update(func() {
			for _, name := range folders {
				k := c.Teach.classNamed(name)
				if k == nil {
					if len(c.Teach.Classes) == 2 && c.Teach.Count() == 0 && strings.HasPrefix(c.Teach.Classes[0].Name, "class ") &&
						strings.HasPrefix(c.Teach.Classes[1].Name, "class ") && len(ids) == 0 {
						// The two unnamed starting classes give way to the folder's.
						c.Teach.Classes = nil
					}
					k = c.Teach.addClass(name)
					if k == nil {
						return
					}
				}
				ids[strings.ToLower(name)] = k.ID
			}
			c.saveClasses()
		})
		c.addPhotos(files, func(f teachFile) int { return ids[strings.ToLower(f.folder)] })
	})
}

// teachTrain trains in the worker, embedding again first when the worker
// lacks embeddings (after a reload, or a new base model).
func (c *Root) teachTrain() {
	var req protocol.TeachTrain
	var all []*TeachExample
	var err error
	c.update(func() {
		if err = CheckLabels(c.Teach.Classes); err != nil {
			return
		}
		for k, cl := range c.Teach.Classes {
			req.Labels = append(req.Labels, strings.TrimSpace(cl.Name))
			for _, e := range cl.Examples {
				req.Examples = append(req.Examples, protocol.TeachItem{Example: e.ID, Class: k})
				all = append(all, e)
			}
		}
		req.Name, req.Seed = "taught: "+strings.Join(req.Labels, ", "), 1
		c.Teach.Err, c.Teach.Busy, c.Teach.Done, c.Teach.Total = "", "Training", 0, 1
	})
	if err != nil {
		c.update(func() { c.Teach.Err, c.Teach.Busy = err.Error(), "" })
		return
	}
	progress := func(p *protocol.Progress) {
		c.update(func() { c.Teach.Done, c.Teach.Total = int(p.Loaded), int(p.Total) })
	}
	<-c.engine
	start := nowMs()
	taught, err := workerTeachTrain(req, progress)
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Kind == protocol.ErrUnembedded {
		// Embed the kept crops again, then train.
		for i, e := range all {
			c.update(func() { c.Teach.Busy, c.Teach.Done, c.Teach.Total = "Preparing the examples", i, len(all) })
			if _, _, err := workerTeachAdd(e.Crop, e.ID, true); err != nil {
				c.engine <- struct{}{}
				c.update(func() {
					c.Teach.Busy = ""
					c.Teach.Err = "A kept example could not be read again (" + err.Error() + "); it was removed: train again."
					c.Teach.removeExample(e.ID)
					id := e.ID
					c.teachSave(func() error { return storeDelete([]int{id}) })
				})
				return
			}
		}
		c.update(func() { c.Teach.Busy, c.Teach.Done, c.Teach.Total = "Training", 0, 1 })
		taught, err = workerTeachTrain(req, progress)
	}
	c.engine <- struct{}{}
	if err != nil {
		c.update(func() { c.Teach.Busy, c.Teach.Err = "", err.Error() })
		return
	}
	ms := nowMs() - start
	file, _ := taught.File.(handle)
	c.modelReady(taught.Info, "taught in this page", false)
	c.update(func() {
		c.Teach.Busy = ""
		c.Teach.taught = c.Model.Info
		c.Teach.Report, c.Teach.Labels, c.Teach.TrainMs = &taught.Report, req.Labels, ms
		c.Teach.File, c.Teach.HasFile, c.Teach.FileName = file, true, taught.Info.Name
		c.Teach.Stale = false
		c.Teach.Say = "Training done. " + Accuracy(&taught.Report) + ". The taught model is now in use."
		c.Items = nil // results of the old model would mislead
		name := taught.Info.Name
		c.teachSave(func() error { return storeModel(file, name) })
	})
}

// teachUse switches between the base model and the taught one.
func (c *Root) teachUse(taught bool) {
	<-c.engine
	var info protocol.ModelInfo
	var err error
	if taught {
		info, _, err = workerLoad(protocol.Load{Bytes: c.Teach.File}, nil)
	} else {
		info, err = workerUseBase()
	}
	c.engine <- struct{}{}
	if err != nil {
		c.update(func() { c.Teach.Err = "The model could not be switched: " + err.Error() })
		return
	}
	src := "the base model"
	if taught {
		src = "taught in this page"
	}
	c.modelReady(info, src, false)
	c.update(func() {
		if taught {
			c.Teach.taught = c.Model.Info
			c.Teach.Say = "The taught model is in use."
		} else {
			c.Teach.Say = "The base model is in use."
		}
	})
}

// ---- the panel ----

// Toggle opens or closes the view.
func (p *TeachPanel) Toggle(event vugu.DOMEvent) { p.App.Teach.Open = !p.App.Teach.Open }

// ExpandedAttr is aria-expanded of the toggle.
func (p *TeachPanel) ExpandedAttr() string { return strconv.FormatBool(p.App.Teach.Open) }

// AddClass adds a class.
func (p *TeachPanel) AddClass(event vugu.DOMEvent) {
	t := &p.App.Teach
	t.Err = ""
	if t.addClass(t.defaultName()) != nil {
		p.App.saveClasses()
	}
}

// Rename renames a class.
func (p *TeachPanel) Rename(event vugu.DOMEvent, id int) {
	k := p.App.Teach.class(id)
	if k == nil {
		return
	}
	name := strings.TrimSpace(event.PropString("target", "value"))
	if name == k.Name {
		return
	}
	k.Name = name
	p.App.Teach.Stale = true
	p.App.saveClasses()
}

// DeleteClass deletes a class and its examples.
func (p *TeachPanel) DeleteClass(event vugu.DOMEvent, id int) {
	t := &p.App.Teach
	for i, k := range t.Classes {
		if k.ID != id {
			continue
		}
		var ids []int
		for _, e := range k.Examples {
			revokePreview(e.URL)
			ids = append(ids, e.ID)
		}
		t.Classes = append(t.Classes[:i], t.Classes[i+1:]...)
		t.Stale = true
		t.Say = "Class \u201c" + k.Name + "\u201d deleted."
		p.App.saveClasses()
		p.App.teachSave(func() error { return storeDelete(ids) })
		return
	}
}

// RemoveExample removes one example.
func (p *TeachPanel) RemoveExample(event vugu.DOMEvent, id int) {
	if p.App.Teach.removeExample(id) {
		p.App.teachSave(func() error { return storeDelete([]int{id}) })
		p.App.Teach.Say = "Example removed."
	}
}

// HoldStart starts adding camera frames to a class (pointer down, or
// Space/Enter down); the camera starts if it is off.
func (p *TeachPanel) HoldStart(event vugu.DOMEvent, id int) {
	if strings.HasPrefix(event.PropString("type"), "pointer") && event.PropFloat64("button") != 0 {
		return // only the primary button (or a touch, or a pen's tip)
	}
	if event.PropString("type") == "keydown" {
		key := event.PropString("key")
		if key != " " && key != "Enter" {
			return
		}
		event.PreventDefault()
		if event.PropBool("repeat") {
			return
		}
	}
	a := p.App
	a.Teach.Err = ""
	if a.Teach.Count() >= MaxTeachExamples {
		a.Teach.Err = capMessage()
		return
	}
	a.Teach.Capturing, a.Teach.Captured = id, 0
	if !a.Cam.On && !a.Cam.Starting {
		go a.runCamera(a.Cam.DeviceID)
	}
}

// HoldEnd stops adding frames and says how many were added.
func (p *TeachPanel) HoldEnd(event vugu.DOMEvent) {
	t := &p.App.Teach
	if t.Capturing == 0 {
		return
	}
	if k := t.class(t.Capturing); k != nil {
		t.Say = strconv.Itoa(t.Captured) + " frames added to \u201c" + k.Name + "\u201d: " + strconv.Itoa(len(k.Examples)) + " examples."
	}
	if t.Captured == 0 && p.App.Cam.Err != "" {
		t.Err = "No frames were added: " + p.App.Cam.Err
	} else if t.Captured == 0 && !p.App.Cam.On {
		t.Err = "No frames were added: the camera was still starting. Hold the button while the camera shows the object."
	}
	t.Capturing = 0
}

// Train starts training.
func (p *TeachPanel) Train(event vugu.DOMEvent) {
	p.App.Teach.Err = ""
	p.App.teachJob(p.App.teachTrain)
}

// UseTaught and UseBase switch the model in use.
func (p *TeachPanel) UseTaught(event vugu.DOMEvent) {
	p.App.teachJob(func() { p.App.teachUse(true) })
}

// UseBase switches back to the base model.
func (p *TeachPanel) UseBase(event vugu.DOMEvent) {
	p.App.teachJob(func() { p.App.teachUse(false) })
}

// Download saves the taught model as a .alexnet file.
func (p *TeachPanel) Download(event vugu.DOMEvent) {
	downloadFile(p.App.Teach.File, FileName(p.App.Teach.FileName))
}

// Forget deletes what was taught, here and in storage, and goes back to
// the base model.
func (p *TeachPanel) Forget(event vugu.DOMEvent) {
	a := p.App
	t := &a.Teach
	for _, k := range t.Classes {
		for _, e := range k.Examples {
			revokePreview(e.URL)
		}
	}
	using := a.UsingTaught()
	t.Classes, t.Report, t.Labels, t.File, t.HasFile, t.taught = nil, nil, nil, handle{}, false, nil
	t.Capturing, t.Err = 0, ""
	t.addClass(t.defaultName())
	t.addClass(t.defaultName())
	t.Stale = false
	t.Say = "Everything taught was forgotten."
	a.teachSave(storeForget)
	a.saveClasses()
	if using {
		a.teachJob(func() { a.teachUse(false) })
	}
}

// FileName is a safe download name for a model name.
func FileName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 60 {
		s = strings.Trim(s[:60], "-")
	}
	if s == "" {
		s = "taught"
	}
	return s + ".alexnet"
}

// Thumbs is a class's newest examples shown as thumbnails.
func (p *TeachPanel) Thumbs(k *TeachClass) []*TeachExample {
	if len(k.Examples) <= ThumbsShown {
		return k.Examples
	}
	return k.Examples[len(k.Examples)-ThumbsShown:]
}

// More says how many examples are not shown.
func (p *TeachPanel) More(k *TeachClass) string {
	if n := len(k.Examples) - ThumbsShown; n > 0 {
		return "and " + strconv.Itoa(n) + " more"
	}
	return ""
}

// CountText is a class's example count.
func (p *TeachPanel) CountText(k *TeachClass) string {
	if len(k.Examples) == 1 {
		return "1 example"
	}
	return strconv.Itoa(len(k.Examples)) + " examples"
}

// HoldText is the label of a class's camera button.
func (p *TeachPanel) HoldText(k *TeachClass) string {
	if p.App.Teach.Capturing == k.ID {
		return "Adding\u2026 " + strconv.Itoa(p.App.Teach.Captured)
	}
	return "Hold to add from camera"
}

// Holding is aria-pressed of a class's camera button.
func (p *TeachPanel) Holding(k *TeachClass) string {
	return strconv.FormatBool(p.App.Teach.Capturing == k.ID)
}

// ProgressValue is the progress bar's value out of 1000.
func (p *TeachPanel) ProgressValue() int {
	t := &p.App.Teach
	if t.Total <= 0 {
		return 0
	}
	return min(1000, t.Done*1000/t.Total)
}

// BusyText is what the view is doing: "Training: 40%".
func (p *TeachPanel) BusyText() string {
	t := &p.App.Teach
	if t.Busy == "Training" {
		return "Training\u2026 " + strconv.Itoa(p.ProgressValue()/10) + "%"
	}
	return t.Busy + ": " + strconv.Itoa(t.Done) + " of " + strconv.Itoa(t.Total)
}

// TotalText counts the examples against the limit, and says what the
// last one cost.
func (p *TeachPanel) TotalText() string {
	s := strconv.Itoa(p.App.Teach.Count()) + " of at most " + strconv.Itoa(MaxTeachExamples) + " examples"
	if ms := p.App.Teach.EmbedMs; ms > 0 {
		s += " · " + Ms(ms) + " to embed the last one"
	}
	return s
}

// EmbedAttr is data-embed-ms: the last embedding's time.
func (p *TeachPanel) EmbedAttr() string { return strconv.FormatFloat(p.App.Teach.EmbedMs, 'f', 1, 64) }

// ModelText says which model is in use.
func (p *TeachPanel) ModelText() string {
	if p.App.UsingTaught() {
		s := "The taught model is in use: photos and the camera are classified into your classes."
		if p.App.Teach.Stale {
			s += " Classes or examples changed since: train again to include them."
		}
		return s
	}
	if p.App.Teach.HasFile {
		return "The base model is in use."
	}
	return "Nothing taught yet: add examples to two or more classes, then train."
}

// Rows is the report in plain words.
func (p *TeachPanel) Rows() []ReportRow { return ReportRows(p.App.Teach.Report, p.App.Teach.Labels) }

// AccuracyText is the report's summary.
func (p *TeachPanel) AccuracyText() string { return Accuracy(p.App.Teach.Report) }

// TrainText says how long training took.
func (p *TeachPanel) TrainText() string {
	if p.App.Teach.TrainMs == 0 {
		return ""
	}
	return "Trained in " + Ms(p.App.Teach.TrainMs) + ", in the background."
}

// CanTrain enables the Train button.
func (p *TeachPanel) CanTrain() bool {
	return p.App.Teach.Busy == "" && p.App.Model.Status == StatusReady
}

// DisabledAttr is a button's disabled attribute value (nil: enabled).
func DisabledAttr(disabled bool) any {
	if disabled {
		return "disabled"
	}
	return nil
}

// ToggleText is the open/close button's label.
func (p *TeachPanel) ToggleText() string {
	if p.App.Teach.Open {
		return "Close"
	}
	return "Open"
}

// UsingAttr is data-using: "taught" or "base".
func (p *TeachPanel) UsingAttr() string {
	if p.App.UsingTaught() {
		return "taught"
	}
	return "base"
}

// CountAttr is data-count of a class.
func (p *TeachPanel) CountAttr(k *TeachClass) string { return strconv.Itoa(len(k.Examples)) }

// NoMenu keeps a long press on the camera button from opening a menu.
func (p *TeachPanel) NoMenu(event vugu.DOMEvent) { event.PreventDefault() }
