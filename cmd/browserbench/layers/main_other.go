//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "layers: build with GOOS=js GOARCH=wasm (browserbench -layers does)")
	os.Exit(2)
}
