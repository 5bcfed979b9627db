package runtime

import (
	"context"
	"sync/atomic"

	"go.starlark.net/starlark"
)

// A worker is one goroutine of an executor. It keeps one Starlark thread
// from task to task, as CPython's worker threads are long-lived, and one
// cancellation hook on the executor's context for its whole life, so that a
// task costs neither a new thread nor a new hook.
type worker struct {
	e       *Executor
	name    string
	thread  *starlark.Thread
	ts      *threadState
	current atomic.Pointer[starlark.Thread] // the thread the hook cancels
	stop    func()                          // removes the hook
}

func newWorker(e *Executor, name string) *worker {
	w := &worker{e: e, name: name}
	w.renew()
	w.stop = afterFunc(e.ctx, func() {
		if t := w.current.Load(); t != nil {
			t.Cancel(context.Cause(e.ctx).Error())
		}
	})
	return w
}

// renew gives the worker a fresh thread, after one that a task left
// cancelled or broken.
func (w *worker) renew() {
	w.thread, w.ts = w.e.ex.newThread(w.name, w.e.ctx, w.e)
	w.ts.hooked = true
	w.current.Store(w.thread)
	// A cancellation that came before the store must still reach it.
	if err := w.e.ctx.Err(); err != nil {
		w.thread.Cancel(context.Cause(w.e.ctx).Error())
	}
}

// done ends the worker: its hook is removed.
func (w *worker) done() { w.stop() }

// reusable reports whether the worker's thread can run another task: not
// if the last one stopped it (an iteration failure, a cancellation, a
// panic).
func (w *worker) reusable(err error) bool {
	if w.ts.iterErr != nil || w.e.ctx.Err() != nil {
		return false
	}
	if _, panicked := err.(*PanicError); panicked {
		return false
	}
	return w.thread.CallStackDepth() == 0
}
