//go:build js && wasm

package port

import (
	"errors"
	"reflect"
	"syscall/js"
	"testing"

	"alexnet/internal/protocol"
)

// TestPostRead sends messages through a JavaScript object's postMessage and
// reads back what it received: the round trip through real JS values, run
// under Node by test.sh.
func TestPostRead(t *testing.T) {
	var got js.Value
	f := js.FuncOf(func(_ js.Value, a []js.Value) any { got = a[0]; return nil })
	defer f.Release()
	target := js.Global().Get("Object").New()
	target.Set("postMessage", f)

	bytes := js.Global().Get("Uint8Array").New(4)
	for _, m := range []protocol.Message{
		&protocol.Loaded{ID: 3, Cached: true, Info: protocol.ModelInfo{Name: "flowers", Labels: []string{"daisy", "rose"}, Params: 58_000_000, LoadMs: 81.5, Threshold: 0.89}},
		&protocol.Result{ID: 4, Top: []protocol.Pred{{Label: "daisy", Index: 0, Prob: 0.75}}, Ms: 12.5, Workers: 2, Width: 224, Height: 224},
		&protocol.Progress{ID: protocol.BootLoadID, Phase: protocol.PhaseDownload, Loaded: 1 << 20, Total: 8_647_448},
		&protocol.Load{ID: 5, Bytes: bytes},
	} {
		Post(target, m)
		back, id, err := Read(got)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		if l, ok := back.(*protocol.Load); ok {
			// A JS object comes back as the same object.
			if v, ok := l.Bytes.(js.Value); !ok || !v.Equal(bytes) {
				t.Errorf("Load.Bytes came back as %v", l.Bytes)
			}
			l.Bytes = bytes
			m.(*protocol.Load).Bytes = bytes
		}
		if !reflect.DeepEqual(back, m) {
			t.Errorf("%T: got %+v, want %+v", m, back, m)
		}
		if want := reflect.ValueOf(m).Elem().FieldByName("ID"); id != int(want.Int()) {
			t.Errorf("%T: id %d, want %d", m, id, want.Int())
		}
	}

	// What JavaScript writes by hand (boot.js, the tests) reads the same.
	obj := js.Global().Get("JSON").Call("parse", `{"type":"load","id":-1,"url":"m.alexnet","cache":true,"size":9}`)
	back, _, err := Read(obj)
	if err != nil || !reflect.DeepEqual(back, &protocol.Load{ID: -1, URL: "m.alexnet", Cache: true, Size: 9}) {
		t.Errorf("boot.js's load: %+v, %v", back, err)
	}
	// Bad messages are errors, with the id when there is one.
	for _, s := range []string{`5`, `{"type":"classify","id":7,"live":"yes"}`, `{"type":"nope","id":8}`} {
		if _, id, err := Read(js.Global().Get("JSON").Call("parse", s)); err == nil {
			t.Errorf("Read(%s) gave no error", s)
		} else if s != `5` && id == 0 {
			t.Errorf("Read(%s): no id with the error", s)
		}
	}
}

func TestAwait(t *testing.T) {
	p := js.Global().Get("Promise")
	v, err := Await(p.Call("resolve", 42))
	if err != nil || v.Int() != 42 {
		t.Errorf("resolved: %v, %v", v, err)
	}
	e := js.Global().Get("Error").New("boom")
	e.Set("name", "NotAllowedError")
	_, err = Await(p.Call("reject", e))
	var je *Error
	if !errors.As(err, &je) || je.Message != "boom" || ErrorName(err) != "NotAllowedError" {
		t.Errorf("rejected: %v (name %q)", err, ErrorName(err))
	}
}
