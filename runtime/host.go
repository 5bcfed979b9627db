package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.starlark.net/starlark"
)

// Call calls fn (a function from a script's globals, or any callable) from
// Go with Starlark arguments, on a new thread of a new execution under ctx,
// and returns its result. Like ExecFile, it returns when the call has
// ended and every executor the call opened has finished.
func (rt *Runtime) Call(ctx context.Context, fn starlark.Value, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ex, err := rt.begin(ctx)
	if err != nil {
		return nil, err
	}
	thread, ts := ex.newThread("MainThread", ex.ctx, nil)
	var result starlark.Value
	err = ts.run(thread, func() (err error) {
		result, err = starlark.Call(thread, fn, args, kwargs)
		return err
	})
	if err != nil {
		ex.stop(errScriptFailed)
	}
	return result, ex.end(err)
}

// Submit hands fn(*args, **kwargs) to the runtime's own pool from Go and
// returns its future, which Get waits on. The pool has the runtime's
// default number of workers and lives until Close. The callable and the
// arguments are frozen: tasks on other goroutines read them.
func (rt *Runtime) Submit(fn starlark.Callable, args starlark.Tuple, kwargs []starlark.Tuple) (*Future, error) {
	e, err := rt.hostExecutor()
	if err != nil {
		return nil, err
	}
	fn.Freeze()
	args.Freeze()
	for _, kv := range kwargs {
		kv.Freeze()
	}
	return e.Submit(nil, fn, args, kwargs)
}

// hostExecutor returns the pool of Submit, made on first use in an
// execution of its own that Close ends.
func (rt *Runtime) hostExecutor() (*Executor, error) {
	rt.hostMu.Lock()
	defer rt.hostMu.Unlock()
	if rt.host != nil {
		return rt.host, nil
	}
	ex, err := rt.begin(rt.ctx)
	if err != nil {
		return nil, err
	}
	thread, _ := ex.newThread("host", ex.ctx, nil)
	e, err := NewExecutor(thread, ExecutorOptions{NamePrefix: "HostPool"})
	if err != nil {
		ex.end(nil) //nolint:errcheck // nothing ran
		return nil, err
	}
	rt.host, rt.hostEx = e, ex
	return e, nil
}

// endHost ends the execution of the Submit pool, if there is one.
func (rt *Runtime) endHost() {
	rt.hostMu.Lock()
	ex := rt.hostEx
	rt.host, rt.hostEx = nil, nil
	rt.hostMu.Unlock()
	if ex != nil {
		ex.end(nil) //nolint:errcheck // the runtime is closing
	}
}

// Get waits until f is done or ctx ends, and returns the task's value or
// error (a *TaskError), or CancelledError if it was cancelled. It is the Go
// side's result().
func (f *Future) Get(ctx context.Context) (starlark.Value, error) {
	if err := waitChan(ctx, f.doneChan(), -1); err != nil {
		return nil, err
	}
	return f.Result(nil, time.Duration(-1))
}

// loadChainKey is the thread local that lists the modules a thread's
// module is being loaded for.
const loadChainKey = "starpool.loadchain"

// LoadChain returns the modules being loaded on thread's behalf, outermost
// first: a loader that finds the name it is asked for in it has a cycle.
func LoadChain(thread *starlark.Thread) []string {
	chain, _ := thread.Local(loadChainKey).([]string)
	return chain
}

// ExecModule runs the source of a module that thread's script loads, as
// part of the same execution, and returns its globals, frozen. A host's
// loader calls it for the .star files it serves (see Options.Load).
func ExecModule(thread *starlark.Thread, filename string, src any) (starlark.StringDict, error) {
	ts := stateOf(thread)
	if ts == nil {
		return nil, errors.New("ExecModule: not called from a starpool script")
	}
	rt := ts.ex.rt
	f, prog, err := rt.compile(filename, src)
	if err != nil {
		return nil, err
	}
	ts.ex.mu.Lock()
	ts.ex.files = append(ts.ex.files, analyze(f))
	ts.ex.mu.Unlock()
	modThread, modState := ts.ex.newThread(fmt.Sprintf("load(%s)", filename), ts.ctx, ts.executor)
	chain := LoadChain(thread)
	modThread.SetLocal(loadChainKey, append(chain[:len(chain):len(chain)], filename))
	var globals starlark.StringDict
	err = modState.run(modThread, func() (err error) {
		globals, err = prog.Init(modThread, rt.predeclared)
		return err
	})
	globals.Freeze()
	return globals, err
}
