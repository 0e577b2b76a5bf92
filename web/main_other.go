//go:build !(js && wasm)

package main

import "os"

// main explains how to build the page: it only runs in a browser.
func main() {
	os.Stderr.WriteString("web is the browser page: build it with ./build.sh (GOOS=js GOARCH=wasm) and serve it with go run .\n")
	os.Exit(2)
}
