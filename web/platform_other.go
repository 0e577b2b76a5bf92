//go:build !(js && wasm)

package main

import (
	"time"

	"github.com/vugu/vugu"
)

// Native stand-ins for the browser glue in platform_js.go, so the package
// builds, vets and tests natively. They do nothing useful.

type handle = struct{}

type camera struct{ deviceID string }

func nowMs() float64                          { return float64(time.Now().UnixNano()) / 1e6 }
func sleepMs(ms int)                          { time.Sleep(time.Duration(ms) * time.Millisecond) }
func loadManifest() (Manifest, error)         { return Manifest{}, errUnsupported }
func startWorker(Manifest) error              { return errUnsupported }
func workerLoad(modelBlob) (ModelInfo, error) { return ModelInfo{}, errUnsupported }
func workerClassify(frame) (Result, error)    { return Result{}, errUnsupported }
func discard(frame)                           {}
func earlyLoaded(string, func(string, int64, int64)) (ModelInfo, bool, bool) {
	return ModelInfo{}, false, false
}
func chooseModelURL(m Manifest) (string, bool, error) { return m.Model, false, nil }
func cacheModel(modelBlob)                            {}
func readModelFile(fileRef) (modelBlob, error)        { return modelBlob{}, errUnsupported }
func isModelBytes(fileRef) bool                       { return false }
func filesFromInput(vugu.DOMEvent) []fileRef          { return nil }
func decodeImage(fileRef) (frame, error)              { return frame{}, errUnsupported }
func previewURL(fileRef) string                       { return "" }
func revokePreview(string)                            {}
func openCamera(string) (*camera, error)              { return nil, errUnsupported }
func (c *camera) close()                              {}
func (c *camera) grab(*ModelInfo) (frame, error)      { return frame{}, errUnsupported }
func (c *camera) waitFrame()                          {}
func listCameras() []CamDevice                        { return nil }
func installGlobalHandlers(*Root)                     {}

func fetchModel(string, bool, int64, func(int64, int64)) (modelBlob, bool, error) {
	return modelBlob{}, false, errUnsupported
}
