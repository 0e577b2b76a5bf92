//go:build !(js && wasm)

package main

import "alexnet/internal/protocol"

func loadManifest() (protocol.Manifest, error)             { return protocol.Manifest{}, errUnsupported }
func startWorker(protocol.Manifest) error                  { return errUnsupported }
func workerClassify(handle, bool) (protocol.Result, error) { return protocol.Result{}, errUnsupported }
func workerLoad(protocol.Load, func(*protocol.Progress)) (protocol.ModelInfo, bool, error) {
	return protocol.ModelInfo{}, false, errUnsupported
}
func workerBootLoad(func(*protocol.Progress)) (protocol.ModelInfo, bool, bool, error) {
	return protocol.ModelInfo{}, false, false, nil
}
func workerStopped() (string, bool)         { return "", false }
func workerRestart() int                    { return 0 }
func workerStop(string) bool                { return false }
func workerLastLoad() (protocol.Load, bool) { return protocol.Load{}, false }
func workerForgetModel()                    {}
