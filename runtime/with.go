package runtime

import (
	"errors"
	"fmt"

	"go.starlark.net/starlark"
)

// The run-time half of the with statement. The source layer rewrites
// "with E as x:" as "for x in __with__(E):"; the hidden loop's iterator
// enters the context manager on its first step and exits it in Done, which
// go.starlark.net calls however the loop ends: normally, by return, or by
// failure.

// errBlockIncomplete is what Exit is told when a with-block ended early,
// by return or by failure.
var errBlockIncomplete = errors.New("the with-block did not run to its end")

// withBlock is the one-element iterable of a rewritten with statement. It
// belongs to the thread that evaluates the statement.
type withBlock struct {
	thread  *starlark.Thread
	values  []starlark.Value    // the managers, for __with__
	thunks  []starlark.Callable // functions of the values entered so far, for __with_all__
	entered []ContextManager
	step    int // 0 before entering, 1 inside the block, 2 after it
}

var _ starlark.Iterable = (*withBlock)(nil)

func (w *withBlock) String() string        { return "<with block>" }
func (w *withBlock) Type() string          { return "with_block" }
func (w *withBlock) Freeze()               {}
func (w *withBlock) Truth() starlark.Bool  { return true }
func (w *withBlock) Hash() (uint32, error) { return 0, errors.New("unhashable type: with_block") }

// NotShareable keeps a with-block on its own thread.
func (w *withBlock) NotShareable() string { return "a with-block belongs to the thread that runs it" }

func (w *withBlock) Iterate() starlark.Iterator { return w }

// Next enters the managers on the first call and ends the loop on the
// second.
func (w *withBlock) Next(p *starlark.Value) bool {
	w.step++
	if w.step > 1 {
		return false
	}
	var results []starlark.Value
	n := len(w.values) + len(w.thunks)
	for i := range n {
		v, err := w.manager(i, results)
		if err == nil {
			v, err = w.enter(v)
		}
		if err != nil {
			w.exit(err)
			FailIteration(w.thread, err)
			return false
		}
		results = append(results, v)
	}
	if len(w.thunks) > 0 {
		*p = starlark.Tuple(results)
	} else {
		*p = results[0]
	}
	return true
}

// manager returns the i-th context manager, evaluating it if it was given
// as a function of the values entered before it.
func (w *withBlock) manager(i int, entered []starlark.Value) (starlark.Value, error) {
	if len(w.thunks) == 0 {
		return w.values[i], nil
	}
	return starlark.Call(w.thread, w.thunks[i], starlark.Tuple(entered[:i]), nil)
}

func (w *withBlock) enter(v starlark.Value) (starlark.Value, error) {
	cm, ok := v.(ContextManager)
	if !ok {
		return nil, fmt.Errorf("with: TypeError: '%s' object does not support the context manager protocol", v.Type())
	}
	result, err := cm.Enter(w.thread)
	if err != nil {
		return nil, err
	}
	w.entered = append(w.entered, cm)
	return result, nil
}

// Done exits the entered managers, last first.
func (w *withBlock) Done() {
	var cause error
	if w.step < 2 {
		cause = errBlockIncomplete
	}
	if err := w.exit(cause); err != nil {
		FailIteration(w.thread, err)
	}
}

// exit exits the entered managers in reverse order and returns the first
// error an exit reported.
func (w *withBlock) exit(cause error) error {
	var first error
	for i := len(w.entered) - 1; i >= 0; i-- {
		if err := w.entered[i].Exit(w.thread, cause); err != nil && first == nil {
			first = err
		}
	}
	w.entered = nil
	return first
}

// withOne implements __with__(manager).
func withOne(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs("with", args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	return &withBlock{thread: thread, values: []starlark.Value{v}}, nil
}

// withAll implements __with_all__(f0, f1, ...): fi is called with the
// values entered before it and returns the i-th manager.
func withAll(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	thunks := make([]starlark.Callable, len(args))
	for i, a := range args {
		fn, ok := a.(starlark.Callable)
		if !ok {
			return nil, fmt.Errorf("with: internal error: item %d is %s", i, a.Type())
		}
		thunks[i] = fn
	}
	return &withBlock{thread: thread, thunks: thunks}, nil
}
