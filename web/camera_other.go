//go:build !(js && wasm)

package main

import "alexnet/internal/protocol"

type camera struct{ deviceID string }

func openCamera(string) (*camera, error)                  { return nil, errUnsupported }
func (c *camera) close()                                  {}
func (c *camera) grab(*protocol.ModelInfo) (frame, error) { return frame{}, errUnsupported }
func (c *camera) waitFrame()                              {}
func listCameras() []CamDevice                            { return nil }
