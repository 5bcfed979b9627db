package runtime

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"go.starlark.net/starlark"
)

// threadKey is the starlark.Thread local under which the engine keeps its
// *threadState.
const threadKey = "starpool.thread"

// threadState is what the engine keeps on each Starlark thread it runs: the
// script it belongs to, what cancels it, and the executor whose worker runs
// it.
type threadState struct {
	ex       *execution
	ctx      context.Context
	executor *Executor // nil on a script's main thread
	granted  uint64    // steps drawn from the shared budget
	start    uint64    // the thread's Steps when the current run began
	iterErr  error     // why an iterator stopped the thread; see FailIteration
	hooked   bool      // a worker's hook cancels the thread: run needs none
}

func stateOf(thread *starlark.Thread) *threadState {
	if thread == nil {
		return nil
	}
	ts, _ := thread.Local(threadKey).(*threadState)
	return ts
}

// Context returns the context that ends thread's blocking calls: it is done
// when the thread's script, executor or runtime is cancelled. Builtins that
// block (sleep, network calls) must return when it is done.
func Context(thread *starlark.Thread) context.Context {
	return threadContext(thread)
}

func threadContext(thread *starlark.Thread) context.Context {
	if ts := stateOf(thread); ts != nil {
		return ts.ctx
	}
	return context.Background()
}

// Of returns the runtime that runs thread, or nil for a thread the engine
// did not create.
func Of(thread *starlark.Thread) *Runtime {
	if ts := stateOf(thread); ts != nil {
		return ts.ex.rt
	}
	return nil
}

// FailIteration stops thread with err. An iterator's Next cannot return an
// error, so an iterator whose source fails (a map task that raised, a
// timeout) calls FailIteration and reports exhaustion; the thread then stops
// before its next step, and its error is err at the position of the loop.
func FailIteration(thread *starlark.Thread, err error) {
	if ts := stateOf(thread); ts != nil && ts.iterErr == nil {
		ts.iterErr = err
	}
	thread.Cancel(err.Error())
}

// Recovered is for a Go builtin that calls Starlark code and handles the
// failure itself instead of returning it (as a test's assert.fails does).
// It returns the failure as the script should see it, and makes the thread
// runnable again if the failure came from an iterator (see FailIteration)
// and the thread is not otherwise cancelled.
func Recovered(thread *starlark.Thread, err error) error {
	ts := stateOf(thread)
	if ts == nil || ts.iterErr == nil {
		return err
	}
	err = ts.translate(err)
	ts.iterErr = nil
	if ts.ctx.Err() == nil { // a cancelled script stays cancelled
		thread.Uncancel()
	}
	return err
}

// newThread returns a thread of the execution ex, cancelled by ctx.
func (ex *execution) newThread(name string, ctx context.Context, executor *Executor) (*starlark.Thread, *threadState) {
	ts := &threadState{ex: ex, ctx: ctx, executor: executor}
	thread := &starlark.Thread{Name: name, Print: ex.rt.print, Load: ex.rt.load}
	thread.SetLocal(threadKey, ts)
	return thread, ts
}

// run runs body on thread: it draws the thread's steps from the shared
// budget, cancels the thread when its context ends, and turns a Go panic
// into an error, so that a failing builtin cannot take the process down.
func (ts *threadState) run(thread *starlark.Thread, body func() error) (err error) {
	if ts.ctx.Err() != nil {
		return ContextError(ts.ctx)
	}
	if !ts.hooked {
		stop := afterFunc(ts.ctx, func() { thread.Cancel(context.Cause(ts.ctx).Error()) })
		defer stop()
	}
	steps := ts.ex.steps
	steps.attach(thread, ts)
	defer steps.release(thread, ts)
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: string(debug.Stack())}
		}
	}()
	return ts.translate(body())
}

// afterFunc is context.AfterFunc whose stop also waits for f to return
// if it has started, so that no goroutine outlives the caller.
func afterFunc(ctx context.Context, f func()) (stop func()) {
	done := make(chan struct{})
	stopFunc := context.AfterFunc(ctx, func() {
		defer close(done)
		f()
	})
	return func() {
		if !stopFunc() {
			<-done
		}
	}
}

// cancelledPrefix starts the message of every Starlark computation stopped
// by Thread.Cancel.
const cancelledPrefix = "Starlark computation cancelled: "

// translate gives a thread stopped by Thread.Cancel the error that stopped
// it: an iterator's failure, or the reason its context ended.
func (ts *threadState) translate(err error) error {
	var evalErr *starlark.EvalError
	if err == nil || !errors.As(err, &evalErr) || !strings.HasPrefix(evalErr.Msg, cancelledPrefix) {
		return ts.explainFrozen(err)
	}
	switch {
	case ts.iterErr != nil:
		msg := ts.iterErr.Error()
		return &causedError{&starlark.EvalError{Msg: msg, CallStack: evalErr.CallStack}, ts.iterErr}
	case ts.ctx.Err() != nil:
		return &causedError{evalErr, ContextError(ts.ctx)}
	}
	return err
}

// explainFrozen adds the sharing rule's explanation to an error about a
// frozen value.
func (ts *threadState) explainFrozen(err error) error {
	evalErr, ok := err.(*starlark.EvalError)
	if !ok || !strings.Contains(evalErr.Msg, "cannot") || !strings.Contains(evalErr.Msg, "frozen") || strings.Contains(evalErr.Msg, frozenNote) {
		return err
	}
	msg := evalErr.Msg + ts.ex.frozenHint()
	return &causedError{&starlark.EvalError{Msg: msg, CallStack: evalErr.CallStack}, evalErr.Unwrap()}
}

// A PanicError is a Go panic inside a builtin, caught so that the process
// survives; it fails the task or script that called the builtin.
type PanicError struct {
	Value any    // what was passed to panic
	Stack string // the Go stack at the panic
}

// Error shows the panic's value; Stack has the Go stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("panic in a Go builtin: %v", e.Value)
}
