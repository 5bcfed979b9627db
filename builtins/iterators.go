package builtins

import (
	"fmt"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/runtime"
)

// mapResults is the lazy result of executor.map: iterating it yields the
// results in input order and fails, at the loop, with the error of the first
// task that failed. It belongs to the thread that called map.
type mapResults struct {
	thread   *starlark.Thread
	results  *runtime.MapResults
	progress *taskProgress // nil without progress=True
}

var (
	_ starlark.Iterable   = (*mapResults)(nil)
	_ runtime.Unshareable = (*mapResults)(nil)
)

func (m *mapResults) String() string        { return "<map results>" }
func (m *mapResults) Type() string          { return "map_results" }
func (m *mapResults) Freeze()               {}
func (m *mapResults) Truth() starlark.Bool  { return true }
func (m *mapResults) Hash() (uint32, error) { return 0, errUnhashable("map_results") }

// NotShareable explains why map results cannot cross into a task.
func (m *mapResults) NotShareable() string {
	return "iterate the results in the thread that called map, and pass the values"
}

// Iterate returns an iterator over the remaining results.
func (m *mapResults) Iterate() starlark.Iterator {
	m.progress.start(m.results.Pending())
	return &mapIterator{m}
}

type mapIterator struct{ m *mapResults }

func (it *mapIterator) Next(p *starlark.Value) bool {
	v, ok, err := it.m.results.Next(it.m.thread)
	if err != nil {
		runtime.FailIteration(it.m.thread, err)
		return false
	}
	if ok {
		*p = v
		it.m.progress.follow(it.m.results.Pending())
	}
	return ok
}

// Done cancels the tasks whose results were not taken, as closing CPython's
// map generator does.
func (it *mapIterator) Done() {
	it.m.results.Close()
	it.m.progress.end()
}

// completions is the iterator as_completed returns.
type completions struct {
	thread   *starlark.Thread
	c        *runtime.Completions
	fs       []*runtime.Future // the futures, with progress=True
	progress *taskProgress     // nil without progress=True
}

var (
	_ starlark.Iterable   = (*completions)(nil)
	_ runtime.Unshareable = (*completions)(nil)
)

func (c *completions) String() string        { return "<as_completed iterator>" }
func (c *completions) Type() string          { return "as_completed" }
func (c *completions) Freeze()               {}
func (c *completions) Truth() starlark.Bool  { return true }
func (c *completions) Hash() (uint32, error) { return 0, errUnhashable("as_completed") }

// NotShareable explains why the iterator cannot cross into a task.
func (c *completions) NotShareable() string {
	return "iterate it in the thread that called as_completed, and pass the futures"
}

// Iterate returns an iterator over the futures not yet yielded.
func (c *completions) Iterate() starlark.Iterator {
	c.progress.start(c.fs)
	return c
}

func (c *completions) Next(p *starlark.Value) bool {
	f, ok, err := c.c.Next(c.thread)
	if err != nil {
		runtime.FailIteration(c.thread, fmt.Errorf("as_completed: %w", err))
		return false
	}
	if ok {
		*p = Future{f}
	}
	return ok
}

// Done stops watching the futures.
func (c *completions) Done() {
	c.c.Close()
	c.progress.end()
}
