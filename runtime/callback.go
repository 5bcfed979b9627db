package runtime

import (
	"errors"

	"go.starlark.net/starlark"
)

// AddStarlarkCallback arranges for fn(arg) to be called once f is done, as
// CPython's add_done_callback: by the goroutine that completes or cancels f,
// or at once if f is done already. arg is the script's value for f.
//
// fn and arg cross to another thread, so they are shared under the sharing
// rule (sharing arg marks f shared, freezing its result). The callback runs
// on a thread of its own in the caller's script; if it fails, the failure is
// reported on stderr, as CPython logs "exception calling callback".
func (f *Future) AddStarlarkCallback(thread *starlark.Thread, fn starlark.Callable, arg starlark.Value) error {
	ts := stateOf(thread)
	if ts == nil {
		return errors.New("add_done_callback: not called from a starpool script")
	}
	ex := ts.ex
	if err := ex.rt.share(thread, "add_done_callback", fn, starlark.Tuple{arg}, nil); err != nil {
		return err
	}
	f.addDoneCallback(func(f *Future, now bool) {
		// Later, the callback runs on the worker that completed f: its
		// thread belongs to that executor, so that it cannot wait for itself.
		executor, name := f.exec, "done-callback"
		if now {
			executor, name = ts.executor, thread.Name
		}
		cbThread, cbState := ex.newThread(name, ex.ctx, executor)
		err := cbState.run(cbThread, func() error {
			_, err := starlark.Call(cbThread, fn, starlark.Tuple{arg}, nil)
			return err
		})
		if err != nil {
			ex.rt.stderr.println("exception calling callback for " + f.String() + "\n" + Backtrace(err))
		}
	})
	return nil
}
