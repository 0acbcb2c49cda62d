// Package testkit holds what the tests of several packages share: a SQLite
// store with keys, the fixtures every route of the API and the pages can
// name, a buffer that a server's goroutines log to while a test reads it,
// and an import that holds a dataset's write lock. Only tests import it.
package testkit

import "bytes"
import "sync"

// Buffer is a log destination that a server's goroutines write while a
// test reads it.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
