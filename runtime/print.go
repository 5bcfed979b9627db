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
	buf := make([]byte, 0, len(msg)+1)
	buf = append(buf, msg...)
	buf = append(buf, '\n')
	lw.Write(buf) //nolint:errcheck // print has nowhere to report a failed write
}
