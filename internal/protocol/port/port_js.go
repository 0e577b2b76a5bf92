//go:build js && wasm

package port

import (
	"errors"
	"syscall/js"

	"alexnet/internal/protocol"
)

var (
	array  = js.Global().Get("Array")
	object = js.Global().Get("Object")
)

// Post posts m to target (a Worker, or the worker's global scope), moving
// the objects in transfer (ArrayBuffers, ImageBitmaps) instead of copying
// them.
func Post(target js.Value, m protocol.Message, transfer ...any) {
	v := js.ValueOf(protocol.Encode(m))
	if len(transfer) == 0 {
		target.Call("postMessage", v)
		return
	}
	target.Call("postMessage", v, transfer)
}

// Read decodes a received message (a message event's data). The error
// names what is wrong; id is the message's id when it has a numeric one,
// so that a malformed request can still be answered.
func Read(data js.Value) (m protocol.Message, id int, err error) {
	r, ok := Plain(data).(map[string]any)
	if !ok {
		return nil, 0, errors.New("protocol: a message is not an object")
	}
	if f, ok := r["id"].(float64); ok && f == float64(int(f)) {
		id = int(f)
	}
	m, err = protocol.Decode(r)
	return m, id, err
}

// Plain converts a JavaScript value to the plain values protocol.Decode
// reads: nil, bool, float64, string, []any for arrays, map[string]any for
// plain objects; any other object (typed arrays, ImageBitmaps, Blobs,
// buffers, functions) stays a js.Value.
func Plain(v js.Value) any {
	switch v.Type() {
	case js.TypeUndefined, js.TypeNull:
		return nil
	case js.TypeBoolean:
		return v.Bool()
	case js.TypeNumber:
		return v.Float()
	case js.TypeString:
		return v.String()
	case js.TypeObject:
		if array.Call("isArray", v).Bool() {
			out := make([]any, v.Length())
			for i := range out {
				out[i] = Plain(v.Index(i))
			}
			return out
		}
		if p := object.Call("getPrototypeOf", v); p.IsNull() || p.Equal(object.Get("prototype")) {
			keys := object.Call("keys", v)
			out := make(map[string]any, keys.Length())
			for i := 0; i < keys.Length(); i++ {
				k := keys.Index(i).String()
				out[k] = Plain(v.Get(k))
			}
			return out
		}
	}
	return v
}

// Error is a JavaScript exception or promise rejection.
type Error struct{ Name, Message string }

func (e *Error) Error() string { return e.Message }

// ErrorName is the JavaScript error's name ("NotAllowedError", ...), or ""
// when err is not one.
func ErrorName(err error) string {
	var je *Error
	if errors.As(err, &je) {
		return je.Name
	}
	return ""
}

// Await waits for a promise; call it from a goroutine, never from a
// callback. A rejection becomes an *Error with the JS error's name and
// message.
func Await(p js.Value) (js.Value, error) {
	type res struct {
		v   js.Value
		err error
	}
	ch := make(chan res, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any {
		v := js.Undefined()
		if len(a) > 0 {
			v = a[0]
		}
		ch <- res{v: v}
		return nil
	})
	fail := js.FuncOf(func(_ js.Value, a []js.Value) any {
		e := &Error{Name: "Error", Message: "unknown error"}
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			e.Name = a[0].Get("name").String()
			e.Message = a[0].Get("message").String()
		} else if len(a) > 0 {
			e.Message = a[0].String()
		}
		ch <- res{err: e}
		return nil
	})
	p.Call("then", ok, fail)
	r := <-ch
	ok.Release()
	fail.Release()
	return r.v, r.err
}
