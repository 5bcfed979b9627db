package runtime

import (
	"sync/atomic"

	"go.starlark.net/starlark"
)

// stepChunk is the most steps a thread draws from the shared budget at a
// time; a thread draws at most 1/256 of what remains, so that threads
// blocked with steps in hand cannot hold much of a small budget.
const stepChunk = 4096

// stepBudget is the execution-step budget shared by a script and all of its
// tasks. Each thread draws steps in chunks and returns what it did not use
// when it ends, so the limit holds across goroutines without a lock per step.
type stepBudget struct {
	limit     uint64
	remaining atomic.Int64
	used      atomic.Uint64
	exhausted func(error) // called when the budget is gone
	err       error       // what exhausted is told
}

func newStepBudget(limit uint64, exhausted func(error)) *stepBudget {
	b := &stepBudget{limit: limit, exhausted: exhausted, err: &LimitError{Limit: "steps", Value: limit}}
	b.remaining.Store(int64(min(limit, 1<<62)))
	return b
}

// take draws up to one chunk of steps; zero means the budget is spent.
func (b *stepBudget) take() uint64 {
	for {
		r := b.remaining.Load()
		if r <= 0 {
			return 0
		}
		g := min(r, max(min(r/256, stepChunk), 16))
		if b.remaining.CompareAndSwap(r, r-g) {
			return uint64(g)
		}
	}
}

// attach makes thread draw its steps from the budget.
func (b *stepBudget) attach(thread *starlark.Thread, ts *threadState) {
	ts.start = thread.Steps
	if b.limit == 0 {
		return
	}
	ts.granted = b.take()
	thread.SetMaxExecutionSteps(thread.Steps + max(ts.granted, 1))
	thread.OnMaxSteps = func(t *starlark.Thread) {
		g := b.take()
		if g == 0 {
			b.exhausted(b.err)
			t.Cancel(b.err.Error())
			return
		}
		ts.granted += g
		t.SetMaxExecutionSteps(t.Steps + g)
	}
}

// release returns the steps thread drew but did not use, and counts the
// ones it did.
func (b *stepBudget) release(thread *starlark.Thread, ts *threadState) {
	used := thread.Steps - ts.start
	b.used.Add(used)
	if b.limit != 0 && ts.granted > used {
		b.remaining.Add(int64(ts.granted - used))
	}
	ts.granted = 0
}
