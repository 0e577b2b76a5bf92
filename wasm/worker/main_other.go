//go:build !(js && wasm)

package main

import "os"

// main explains how to build the worker: it only runs in a browser.
func main() {
	os.Stderr.WriteString("wasm/worker runs in a browser Web Worker: build it with ./build.sh (GOOS=js GOARCH=wasm)\n")
	os.Exit(2)
}
