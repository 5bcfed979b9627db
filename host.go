package starpool

import (
	"context"
	"fmt"
	"sync"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/runtime"
)

// Future is the Go side of a task handed to the pool with Submit; Get
// waits for it.
type Future = runtime.Future

// Call calls the script function fn (usually read from the globals
// ExecFile returned) with Go arguments, converted by ToStarlark, and
// returns its result. It blocks until the call and the tasks it started
// have ended, or ctx is cancelled.
func (r *Runtime) Call(ctx context.Context, fn starlark.Value, args ...any) (starlark.Value, error) {
	values, err := toTuple(args)
	if err != nil {
		return nil, err
	}
	return r.Runtime.Call(ctx, fn, values, nil)
}

// Submit hands fn(args...) to the runtime's own pool and returns at once
// with its future; the arguments are converted by ToStarlark. The pool
// lives until Close.
func (r *Runtime) Submit(fn starlark.Callable, args ...any) (*Future, error) {
	values, err := toTuple(args)
	if err != nil {
		return nil, err
	}
	return r.Runtime.Submit(fn, values, nil)
}

func toTuple(args []any) (starlark.Tuple, error) {
	values := make(starlark.Tuple, len(args))
	for i, a := range args {
		v, err := ToStarlark(a)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		values[i] = v
	}
	return values, nil
}

// A BuiltinFunc is the Go side of a builtin, as starlark.NewBuiltin takes.
type BuiltinFunc = func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// Serialized returns a builtin that calls fn under a lock, one call at a
// time, for a host function that is not safe for concurrent use.
//
// Every host builtin is called from many goroutines at once: pool tasks
// call it concurrently. A builtin must therefore (1) guard any Go state it
// shares between calls, (2) treat its arguments as read-only (they may be
// frozen values shared with other tasks) and not keep them after it
// returns unless they are frozen, (3) return new values or frozen ones,
// and (4) return promptly when runtime.Context(thread) is done if it
// blocks. Serialized takes care of (1) for the common case of a function
// written for one caller at a time; the others are the function's own.
func Serialized(name string, fn BuiltinFunc) *starlark.Builtin {
	var mu sync.Mutex
	return starlark.NewBuiltin(name, func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		mu.Lock()
		defer mu.Unlock()
		return fn(thread, b, args, kwargs)
	})
}
