//go:build !(js && wasm)

package main

import "github.com/vugu/vugu"

func filesFromInput(vugu.DOMEvent) []fileRef { return nil }
func previewURL(fileRef) string              { return "" }
func revokePreview(string)                   {}
