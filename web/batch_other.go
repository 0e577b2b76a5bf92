//go:build !(js && wasm)

package main

import (
	"github.com/vugu/vugu"

	"alexnet/internal/protocol"
)

func workerClassifyRow(handle) (protocol.Result, string, error) {
	return protocol.Result{}, "", errUnsupported
}
func download(string, string, []byte) {}

func folderFromInput(vugu.DOMEvent) []fileRef { return nil }
func workerForget() error                     { return errUnsupported }
