package runtime

import (
	"time"

	"go.starlark.net/starlark"
)

// MapResults iterates over the results of [Executor.Map] in input order. It
// belongs to the thread that called Map.
type MapResults struct {
	e        *Executor
	fn       starlark.Callable
	inputs   []starlark.Iterator // nil once the inputs are exhausted
	pending  []*Future           // submitted, not yet yielded, in input order
	deadline time.Time           // zero: no timeout
	buffered bool                // submit one more task per result taken
}

// Map submits fn for each tuple of elements of iterables, stopping at the
// shortest, and returns an iterator over the results in input order, as
// CPython's Executor.map does. Tasks are submitted at once, or with
// buffersize > 0 only that many at first and one more for each result
// taken (Python 3.14). A negative timeout means none; otherwise it counts
// from the call to Map.
func (e *Executor) Map(thread *starlark.Thread, fn starlark.Callable, iterables []starlark.Iterable, timeout time.Duration, buffersize int) (*MapResults, error) {
	m := &MapResults{e: e, fn: fn, buffered: buffersize > 0}
	if timeout >= 0 {
		m.deadline = time.Now().Add(timeout)
	}
	for _, it := range iterables {
		m.inputs = append(m.inputs, it.Iterate())
	}
	for buffersize <= 0 || len(m.pending) < buffersize {
		ok, err := m.submitNext(thread)
		if err != nil {
			m.Close()
			return nil, err
		}
		if !ok {
			break
		}
	}
	return m, nil
}

// submitNext submits the task for the next tuple of inputs, if any.
func (m *MapResults) submitNext(thread *starlark.Thread) (bool, error) {
	if m.inputs == nil {
		return false, nil
	}
	args := make(starlark.Tuple, len(m.inputs))
	for i, it := range m.inputs {
		if !it.Next(&args[i]) {
			m.closeInputs()
			return false, nil
		}
	}
	f, err := m.e.submit(thread, "map", m.fn, args, nil)
	if err != nil {
		return false, err
	}
	m.pending = append(m.pending, f)
	return true, nil
}

// Next waits for the next result in input order. It returns false when the
// results are exhausted, and fails with the task's error, TimeoutError or a
// cancellation; a failure cancels the tasks not yet started.
func (m *MapResults) Next(thread *starlark.Thread) (starlark.Value, bool, error) {
	if len(m.pending) == 0 {
		return nil, false, nil
	}
	if m.buffered {
		if _, err := m.submitNext(thread); err != nil {
			m.Close()
			return nil, false, err
		}
	}
	timeout := time.Duration(-1)
	if !m.deadline.IsZero() {
		timeout = max(0, time.Until(m.deadline))
	}
	v, err := m.pending[0].Result(thread, timeout)
	if err != nil {
		m.Close() // the task waited for, too, if it has not started
		return nil, false, err
	}
	m.pending = m.pending[1:]
	return v, true, nil
}

// Close cancels the tasks whose results were not taken and have not
// started, and releases the inputs. Iteration that stops early calls it.
// The script never holds those futures, so their errors are not reported
// as unretrieved.
func (m *MapResults) Close() {
	m.e.cancelQueued(m.pending)
	for _, f := range m.pending {
		f.abandon()
	}
	m.pending = nil
	m.closeInputs()
}

func (m *MapResults) closeInputs() {
	for _, it := range m.inputs {
		it.Done()
	}
	m.inputs = nil
}
