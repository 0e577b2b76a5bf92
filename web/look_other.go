//go:build !(js && wasm)

package main

import "alexnet/internal/protocol"

func videoFrame() (handle, error) { return handle{}, errUnsupported }
func lookExplain(handle, bool, int) (protocol.Explanation, string, string, error) {
	return protocol.Explanation{}, "", "", errUnsupported
}
func lookActivations(handle, bool, string) (protocol.ActivationMaps, string, error) {
	return protocol.ActivationMaps{}, "", errUnsupported
}
func lookFilters() (protocol.FilterGrid, string, error) {
	return protocol.FilterGrid{}, "", errUnsupported
}
