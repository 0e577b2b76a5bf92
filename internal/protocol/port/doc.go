// Package port is the syscall/js side of package protocol, shared by the
// page (web/) and the worker (wasm/worker): Post sends a protocol message
// to a Worker or to the worker's own scope, Read decodes a received one,
// and Await waits for a promise from a goroutine. It builds only for
// js/wasm; this file lets the package be listed natively.
package port
