//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "anchors: build with GOOS=js GOARCH=wasm (cmd/browserbench does)")
	os.Exit(2)
}
