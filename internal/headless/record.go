package headless

import "sync"

// Record is a list that goroutines append to while another reads it: the
// server's request log, the URLs a page requested, the bench's byte counts.
// The zero value is ready to use.
type Record[T any] struct {
	mu    sync.Mutex
	items []T
}

// Add appends v.
func (r *Record[T]) Add(v T) {
	r.mu.Lock()
	r.items = append(r.items, v)
	r.mu.Unlock()
}

// All returns a copy of the list.
func (r *Record[T]) All() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.items...)
}

// Take returns the list and empties it.
func (r *Record[T]) Take() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := r.items
	r.items = nil
	return v
}
