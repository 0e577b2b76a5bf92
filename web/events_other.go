//go:build !(js && wasm)

package main

func installGlobalHandlers(*Root) {}
