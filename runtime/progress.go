package runtime

// What a progress display needs from the engine: which tasks a map has
// submitted, and how a finished task ended, without retrieving its error.

// Failed reports whether f has finished with an error. Unlike
// [Future.Exception] it does not count as retrieving the error: a failure
// that no caller retrieves is still reported when the script ends. It does
// not block.
func (f *Future) Failed() bool { return f.failed() }

// Pending returns the futures of the tasks m has submitted whose results
// have not been taken yet, in input order: every task right after
// [Executor.Map], or with a buffersize the first ones, and then each call
// to Next appends the one it submits. The slice is m's own: read it before
// the next call to Next or Close, and do not modify it.
func (m *MapResults) Pending() []*Future { return m.pending }
