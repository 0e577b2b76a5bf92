//go:build !(js && wasm)

package main

type camera struct{ deviceID string }

func openCamera(string) (*camera, error) { return nil, errUnsupported }
func (c *camera) close()                 {}
func (c *camera) grab() (handle, error)  { return handle{}, errUnsupported }
func discard(handle)                     {}
func (c *camera) waitFrame()             {}
func listCameras() []CamDevice           { return nil }
