//go:build !(js && wasm)

package main

import (
	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

func workerTeachAdd(handle, int, bool) (handle, float64, error) { return handle{}, 0, errUnsupported }
func workerTeachTrain(protocol.TeachTrain, func(*protocol.Progress)) (*protocol.Taught, error) {
	return nil, errUnsupported
}
func workerUseBase() (protocol.ModelInfo, error) { return protocol.ModelInfo{}, errUnsupported }
func present(handle) bool                        { return false }
func blobURL(handle) string                      { return "" }
func downloadFile(handle, string)                {}
func storeClasses([]savedClass, int) error       { return errUnsupported }
func storeExample(savedExample, int) error       { return errUnsupported }
func storeDelete([]int) error                    { return errUnsupported }
func storeModel(handle, string) error            { return errUnsupported }
func storeForget() error                         { return errUnsupported }
func storeLoad() ([]savedClass, []savedExample, int, handle, string, error) {
	return nil, nil, 0, handle{}, "", errUnsupported
}

func (p *TeachPanel) ClassFiles(vugu.DOMEvent, int) {}
func (p *TeachPanel) ClassDrop(vugu.DOMEvent, int)  {}
func (p *TeachPanel) DragOver(vugu.DOMEvent)        {}
func (p *TeachPanel) ClassPaste(vugu.DOMEvent, int) {}
func (p *TeachPanel) FolderChosen(vugu.DOMEvent)    {}
func (p *TeachPanel) FolderDrop(vugu.DOMEvent)      {}
