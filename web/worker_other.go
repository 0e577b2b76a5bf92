//go:build !(js && wasm)

package main

import "alexnet/internal/protocol"

func loadManifest() (protocol.Manifest, error)             { return protocol.Manifest{}, errUnsupported }
func startWorker(protocol.Manifest) error                  { return errUnsupported }
func workerLoad(modelBlob) (protocol.ModelInfo, error)     { return protocol.ModelInfo{}, errUnsupported }
func workerClassify(handle, bool) (protocol.Result, error) { return protocol.Result{}, errUnsupported }
