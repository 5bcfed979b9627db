package builtins

import (
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/starpool/starpool/runtime"
)

// Futures is the module concurrent.futures:
//
//	ThreadPoolExecutor(max_workers=None, thread_name_prefix="", initializer=None, initargs=()) - a pool of goroutine workers
//	Future() - a future to complete by hand with set_result or set_exception
//	wait(fs, timeout=None, return_when=ALL_COMPLETED) - wait for futures; returns (done, not_done)
//	as_completed(fs, timeout=None, progress=False) - iterate over futures as they complete; progress=True draws a progress bar
//	FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED - the conditions of wait
var Futures = &starlarkstruct.Module{
	Name: "concurrent.futures",
	Members: starlark.StringDict{
		"ThreadPoolExecutor": starlark.NewBuiltin("ThreadPoolExecutor", newExecutor),
		"Future":             starlark.NewBuiltin("Future", newFuture),
		"wait":               starlark.NewBuiltin("wait", wait),
		"as_completed":       starlark.NewBuiltin("as_completed", asCompleted),
		"FIRST_COMPLETED":    starlark.String("FIRST_COMPLETED"),
		"FIRST_EXCEPTION":    starlark.String("FIRST_EXCEPTION"),
		"ALL_COMPLETED":      starlark.String("ALL_COMPLETED"),
	},
}

func newFuture(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := noArgs(b, args, kwargs); err != nil {
		return nil, err
	}
	rt := runtime.Of(thread)
	if rt == nil {
		return nil, fmt.Errorf("%s: not called from a starpool script", b.Name())
	}
	return Future{rt.NewFuture()}, nil
}

// futuresOf collects the futures of an iterable argument (a list, a set,
// the keys of a dict, ...).
func futuresOf(fn string, v starlark.Value) ([]*runtime.Future, error) {
	iterable, ok := v.(starlark.Iterable)
	if !ok {
		return nil, pyError(fn, "TypeError", "'%s' object is not iterable", v.Type())
	}
	var fs []*runtime.Future
	for x := range starlark.Elements(iterable) {
		f, ok := x.(Future)
		if !ok {
			return nil, fmt.Errorf("%s: element %d is %s, want Future", fn, len(fs), x.Type())
		}
		fs = append(fs, f.f)
	}
	return fs, nil
}

var returnWhen = map[string]runtime.ReturnWhen{
	"ALL_COMPLETED":   runtime.AllCompleted,
	"FIRST_COMPLETED": runtime.FirstCompleted,
	"FIRST_EXCEPTION": runtime.FirstException,
}

func wait(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		fsArg   starlark.Value
		timeout starlark.Value = starlark.None
		when                   = "ALL_COMPLETED"
	)
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "fs", &fsArg, "timeout?", &timeout, "return_when?", &when); err != nil {
		return nil, err
	}
	fs, err := futuresOf(b.Name(), fsArg)
	if err != nil {
		return nil, err
	}
	d, err := timeoutArg(b.Name(), timeout)
	if err != nil {
		return nil, err
	}
	rw, ok := returnWhen[when]
	if !ok {
		return nil, pyError(b.Name(), "ValueError", "Invalid return condition: %s", runtime.PyRepr(starlark.String(when)))
	}
	done, notDone, err := runtime.Wait(thread, fs, d, rw)
	if err != nil {
		return nil, err
	}
	return doneAndNotDone{done: setOf(done), notDone: setOf(notDone)}, nil
}

func setOf(fs []*runtime.Future) *starlark.Set {
	s := starlark.NewSet(len(fs))
	for _, f := range fs {
		s.Insert(Future{f}) //nolint:errcheck // futures are hashable and the set is new
	}
	return s
}

func asCompleted(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		fsArg   starlark.Value
		timeout starlark.Value = starlark.None
		showBar bool
	)
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "fs", &fsArg, "timeout?", &timeout, "progress?", &showBar); err != nil {
		return nil, err
	}
	fs, err := futuresOf(b.Name(), fsArg)
	if err != nil {
		return nil, err
	}
	d, err := timeoutArg(b.Name(), timeout)
	if err != nil {
		return nil, err
	}
	c := &completions{thread: thread, c: runtime.AsCompleted(thread, fs, d)}
	if showBar {
		c.fs = distinctFutures(fs)
		c.progress = newTaskProgress(thread, "as_completed", int64(len(c.fs)))
	}
	return c, nil
}
