//go:build js && wasm

package nn

import (
	"syscall/js"
	"time"
)

// cpuTime is the process's user+system CPU time (Node's
// process.cpuUsage). On a loaded machine it is the stable measure: wall
// time also counts the time the scheduler gave to other processes.
func cpuTime() time.Duration {
	u := js.Global().Get("process").Call("cpuUsage")
	return time.Duration(u.Get("user").Float()+u.Get("system").Float()) * time.Microsecond
}
