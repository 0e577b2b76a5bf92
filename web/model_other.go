//go:build !(js && wasm)

package main

import "alexnet/internal/protocol"

func earlyLoaded(string, func(string, int64, int64)) (protocol.ModelInfo, bool, bool) {
	return protocol.ModelInfo{}, false, false
}
func chooseModelURL(m protocol.Manifest) (string, bool, error) { return m.Model, false, nil }
func cacheModel(modelBlob)                                     {}
func readModelFile(fileRef) (modelBlob, error)                 { return modelBlob{}, errUnsupported }
func fetchModel(string, bool, int64, func(int64, int64)) (modelBlob, bool, error) {
	return modelBlob{}, false, errUnsupported
}
