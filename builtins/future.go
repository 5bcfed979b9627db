package builtins

import (
	"fmt"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/runtime"
)

// Future is the Starlark value of a [runtime.Future]. Two values of the
// same future are equal and hash alike, so futures work in sets and as dict
// keys. Freezing a Future marks it shared (see runtime.Future.Freeze).
type Future struct{ f *runtime.Future }

var (
	_ starlark.HasAttrs = Future{}
)

// Engine returns the engine's future.
func (fv Future) Engine() *runtime.Future { return fv.f }

// String shows the future as CPython's repr does.
func (fv Future) String() string { return fv.f.String() }

// Type is "Future".
func (fv Future) Type() string { return "Future" }

// Freeze marks the future shared: see runtime.Future.Freeze.
func (fv Future) Freeze() { fv.f.Freeze() }

// Truth is True.
func (fv Future) Truth() starlark.Bool { return true }

// Hash hashes the future by identity, so futures work in sets and as keys.
func (fv Future) Hash() (uint32, error) { return identityHash(fv.f.ID()), nil }

// Attr returns a method of the future.
func (fv Future) Attr(name string) (starlark.Value, error) {
	if m, ok := futureMethods[name]; ok {
		return m.BindReceiver(fv), nil
	}
	return nil, nil
}

// AttrNames lists the future's methods.
func (fv Future) AttrNames() []string { return sortedKeys(futureMethods) }

// futureMethods are the methods of Future, as in CPython:
//
//	result(timeout=None) - wait for the task and return its value, or fail with its error
//	exception(timeout=None) - wait for the task and return its error, or None
//	done() - whether the future is finished or cancelled
//	running() - whether the task is running now
//	cancelled() - whether the future was cancelled
//	cancel() - cancel the future if it has not started; whether it is cancelled
//	add_done_callback(fn) - call fn(future) once the future is done
//	set_result(result) - complete the future with a value
//	set_exception(exception) - complete the future with an error
//	set_running_or_notify_cancel() - mark the future running, or False if cancelled
var futureMethods = map[string]*starlark.Builtin{
	"result":                       starlark.NewBuiltin("result", futureResult),
	"exception":                    starlark.NewBuiltin("exception", futureException),
	"done":                         starlark.NewBuiltin("done", futurePredicate((*runtime.Future).Done)),
	"running":                      starlark.NewBuiltin("running", futurePredicate((*runtime.Future).Running)),
	"cancelled":                    starlark.NewBuiltin("cancelled", futurePredicate((*runtime.Future).Cancelled)),
	"cancel":                       starlark.NewBuiltin("cancel", futurePredicate((*runtime.Future).Cancel)),
	"add_done_callback":            starlark.NewBuiltin("add_done_callback", futureAddDoneCallback),
	"set_result":                   starlark.NewBuiltin("set_result", futureSetResult),
	"set_exception":                starlark.NewBuiltin("set_exception", futureSetException),
	"set_running_or_notify_cancel": starlark.NewBuiltin("set_running_or_notify_cancel", futureSetRunning),
}

func receiver(b *starlark.Builtin) *runtime.Future { return b.Receiver().(Future).f }

func futureResult(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var timeout starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "timeout?", &timeout); err != nil {
		return nil, err
	}
	d, err := timeoutArg(b.Name(), timeout)
	if err != nil {
		return nil, err
	}
	return receiver(b).Result(thread, d)
}

func futureException(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var timeout starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "timeout?", &timeout); err != nil {
		return nil, err
	}
	d, err := timeoutArg(b.Name(), timeout)
	if err != nil {
		return nil, err
	}
	taskErr, err := receiver(b).Exception(thread, d)
	if err != nil {
		return nil, err
	}
	if taskErr == nil {
		return starlark.None, nil
	}
	return exception{taskErr}, nil
}

func futurePredicate(pred func(*runtime.Future) bool) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := noArgs(b, args, kwargs); err != nil {
			return nil, err
		}
		return starlark.Bool(pred(receiver(b))), nil
	}
}

func futureAddDoneCallback(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Callable
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "fn", &fn); err != nil {
		return nil, err
	}
	if err := receiver(b).AddStarlarkCallback(thread, fn, b.Receiver()); err != nil {
		return nil, err
	}
	return starlark.None, nil
}

func futureSetResult(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "result", &v); err != nil {
		return nil, err
	}
	if err := receiver(b).SetResult(v); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.None, nil
}

func futureSetException(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "exception", &v); err != nil {
		return nil, err
	}
	taskErr, err := errorOf(b.Name(), v)
	if err != nil {
		return nil, err
	}
	if err := receiver(b).SetException(taskErr); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.None, nil
}

func futureSetRunning(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := noArgs(b, args, kwargs); err != nil {
		return nil, err
	}
	ok, err := receiver(b).SetRunningOrNotifyCancel()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.Bool(ok), nil
}
