//go:build !(js && wasm)

package main

import "alexnet/internal/protocol"

func chooseModelURL(m protocol.Manifest) (string, bool, error) { return m.Model, false, nil }
