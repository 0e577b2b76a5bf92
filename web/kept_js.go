//go:build js && wasm

package main

import (
	"alexnet/internal/protocol"
	"alexnet/internal/protocol/port"
)

// workerForget asks the worker to drop the kept model (protocol.Forget).
func workerForget() error {
	_, err := wk.call(func(id int) { port.Post(wk.w, &protocol.Forget{ID: id}) }, nil)
	return err
}
