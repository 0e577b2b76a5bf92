//go:build !(js && wasm)

package main

import "time"

// Native stand-ins for the browser glue (the *_js.go files), so the package
// builds, vets and tests natively. They do nothing useful.

type handle = struct{}

func nowMs() float64 { return float64(time.Now().UnixNano()) / 1e6 }
func sleepMs(ms int) { time.Sleep(time.Duration(ms) * time.Millisecond) }
