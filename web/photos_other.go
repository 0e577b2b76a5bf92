//go:build !(js && wasm)

package main

import "github.com/vugu/vugu"

func filesFromInput(vugu.DOMEvent) []fileRef { return nil }
func decodeImage(fileRef) (frame, error)     { return frame{}, errUnsupported }
func previewURL(fileRef) string              { return "" }
func revokePreview(string)                   {}
