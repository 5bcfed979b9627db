package runtime

import (
	"io"
	"sync"
)

// lineWriter serializes writes to w, so that the lines printed by many
// concurrent tasks never interleave: each Write reaches w whole.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.w.Write(p)
}

// println writes msg and a newline as one unit.
func (lw *lineWriter) println(msg string) {
	lw.Write([]byte(msg + "\n")) //nolint:errcheck // diagnostics have nowhere to report a failed write
}
