//go:build !(js && wasm)

package main

// captureFrame is the native stand-in of capture_js.go.
func captureFrame() (fileRef, error) { return fileRef{}, errUnsupported }
