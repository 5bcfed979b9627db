package builtins

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/runtime"
)

// Executor is the Starlark value of a [runtime.Executor], as
// ThreadPoolExecutor(...) returns it. It is a context manager: a with-block
// enters it and shuts it down, waiting, when the block ends.
type Executor struct {
	e       *runtime.Executor
	methods map[string]*starlark.Builtin // bound once: pool.submit costs no allocation
}

var (
	_ starlark.HasAttrs      = (*Executor)(nil)
	_ runtime.ContextManager = (*Executor)(nil)
)

// newExecutorValue returns the Starlark value of e, with its methods bound.
func newExecutorValue(e *runtime.Executor) *Executor {
	ev := &Executor{e: e, methods: make(map[string]*starlark.Builtin, len(executorMethods))}
	for name, m := range executorMethods {
		ev.methods[name] = m.BindReceiver(ev)
	}
	return ev
}

// Engine returns the engine's executor.
func (ev *Executor) Engine() *runtime.Executor { return ev.e }

// String shows the executor's name and size.
func (ev *Executor) String() string {
	return fmt.Sprintf("<ThreadPoolExecutor %s max_workers=%d>", ev.e.NamePrefix(), ev.e.MaxWorkers())
}

// Type is "ThreadPoolExecutor".
func (ev *Executor) Type() string { return "ThreadPoolExecutor" }

// Freeze does nothing: an executor is internally synchronized.
func (ev *Executor) Freeze() {}

// Truth is True.
func (ev *Executor) Truth() starlark.Bool { return true }

// Hash hashes the executor by identity.
func (ev *Executor) Hash() (uint32, error) {
	return starlark.String(fmt.Sprintf("%p", ev.e)).Hash()
}

// Attr returns a method of the executor, or one of the attributes CPython
// scripts read: _max_workers and _thread_name_prefix.
func (ev *Executor) Attr(name string) (starlark.Value, error) {
	switch name {
	case "_max_workers":
		return starlark.MakeInt(ev.e.MaxWorkers()), nil
	case "_thread_name_prefix":
		return starlark.String(ev.e.NamePrefix()), nil
	}
	if m, ok := ev.methods[name]; ok {
		return m, nil
	}
	return nil, nil
}

// AttrNames lists the executor's methods.
func (ev *Executor) AttrNames() []string { return sortedKeys(executorMethods) }

// Enter starts a with-block: it returns the executor itself.
func (ev *Executor) Enter(*starlark.Thread) (starlark.Value, error) { return ev, nil }

// Exit ends a with-block: shutdown(wait=True).
func (ev *Executor) Exit(thread *starlark.Thread, _ error) error {
	return ev.e.Shutdown(thread, true, false, false)
}

// executorMethods are the methods of ThreadPoolExecutor:
//
//	submit(fn, /, *args, **kwargs) - schedule fn(*args, **kwargs); return its Future
//	map(fn, *iterables, timeout=None, chunksize=1, buffersize=None, progress=False) - results of fn over the zipped iterables, in order; progress=True draws a progress bar
//	shutdown(wait=True, *, cancel_futures=False, cancel_running=False) - stop taking tasks; optionally wait, cancel pending or interrupt running ones
var executorMethods = map[string]*starlark.Builtin{
	"submit":   starlark.NewBuiltin("submit", executorSubmit),
	"map":      starlark.NewBuiltin("map", executorMap),
	"shutdown": starlark.NewBuiltin("shutdown", executorShutdown),
}

func executorOf(b *starlark.Builtin) *runtime.Executor { return b.Receiver().(*Executor).e }

// newExecutor implements ThreadPoolExecutor(max_workers=None,
// thread_name_prefix="", initializer=None, initargs=()).
func newExecutor(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		maxWorkers  starlark.Value = starlark.None
		prefix      string
		initializer starlark.Value = starlark.None
		initargs    starlark.Tuple
	)
	if err := starlark.UnpackArgs(b.Name(), args, kwargs,
		"max_workers?", &maxWorkers, "thread_name_prefix?", &prefix,
		"initializer?", &initializer, "initargs?", &initargs); err != nil {
		return nil, err
	}
	opts := runtime.ExecutorOptions{NamePrefix: prefix, InitArgs: initargs}
	if maxWorkers != starlark.None {
		n, err := starlark.AsInt32(maxWorkers)
		if err != nil {
			return nil, fmt.Errorf("%s: for parameter max_workers: got %s, want int or None", b.Name(), maxWorkers.Type())
		}
		if n <= 0 {
			return nil, pyError(b.Name(), "ValueError", "max_workers must be greater than 0")
		}
		opts.MaxWorkers = n
	}
	if initializer != starlark.None {
		fn, ok := initializer.(starlark.Callable)
		if !ok {
			return nil, pyError(b.Name(), "TypeError", "initializer must be a callable")
		}
		opts.Initializer = fn
	}
	e, err := runtime.NewExecutor(thread, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return newExecutorValue(e), nil
}

func executorSubmit(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("%s: missing 1 required positional argument: 'fn'", b.Name())
	}
	fn, ok := args[0].(starlark.Callable)
	if !ok {
		return nil, pyError(b.Name(), "TypeError", "'%s' object is not callable", args[0].Type())
	}
	f, err := executorOf(b).Submit(thread, fn, args[1:], kwargs)
	if err != nil {
		return nil, prefixed(b, err)
	}
	return Future{f}, nil
}

func executorMap(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("%s: missing 1 required positional argument: 'fn'", b.Name())
	}
	fn, ok := args[0].(starlark.Callable)
	if !ok {
		return nil, pyError(b.Name(), "TypeError", "'%s' object is not callable", args[0].Type())
	}
	var (
		timeout    starlark.Value = starlark.None
		chunksize                 = 1
		buffersize starlark.Value = starlark.None
		showBar    bool
	)
	if err := starlark.UnpackArgs(b.Name(), nil, kwargs,
		"timeout?", &timeout, "chunksize?", &chunksize, "buffersize?", &buffersize, "progress?", &showBar); err != nil {
		return nil, err
	}
	d, err := timeoutArg(b.Name(), timeout)
	if err != nil {
		return nil, err
	}
	if chunksize < 1 {
		return nil, pyError(b.Name(), "ValueError", "chunksize must be >= 1.")
	}
	buffered := 0
	if buffersize != starlark.None {
		n, err := starlark.AsInt32(buffersize)
		if _, isBool := buffersize.(starlark.Bool); err != nil || isBool {
			return nil, pyError(b.Name(), "TypeError", "buffersize must be an integer or None")
		}
		if n < 1 {
			return nil, pyError(b.Name(), "ValueError", "buffersize must be None or > 0")
		}
		buffered = n
	}
	iterables := make([]starlark.Iterable, len(args)-1)
	for i, x := range args[1:] {
		it, ok := x.(starlark.Iterable)
		if !ok {
			return nil, pyError(b.Name(), "TypeError", "'%s' object is not iterable", x.Type())
		}
		iterables[i] = it
	}
	results, err := executorOf(b).Map(thread, fn, iterables, d, buffered)
	if err != nil {
		return nil, prefixed(b, err)
	}
	m := &mapResults{thread: thread, results: results}
	if showBar {
		total := int64(len(results.Pending()))
		if buffered > 0 {
			total = mapTotal(iterables)
		}
		m.progress = newTaskProgress(thread, "map", total)
	}
	return m, nil
}

func executorShutdown(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	wait, cancelFutures, cancelRunning := true, false, false
	if len(args) > 1 {
		return nil, fmt.Errorf("%s: got %d positional arguments, want at most 1 (cancel_futures and cancel_running are keyword-only)", b.Name(), len(args))
	}
	if err := starlark.UnpackArgs(b.Name(), args, kwargs,
		"wait?", &wait, "cancel_futures?", &cancelFutures, "cancel_running?", &cancelRunning); err != nil {
		return nil, err
	}
	if err := executorOf(b).Shutdown(thread, wait, cancelFutures || cancelRunning, cancelRunning); err != nil {
		return nil, err
	}
	return starlark.None, nil
}

// prefixed names the builtin in an engine error, unless the error is a
// task's own failure, which keeps its message.
func prefixed(b *starlark.Builtin, err error) error {
	if _, ok := err.(*runtime.Exception); ok {
		return fmt.Errorf("%s: %w", b.Name(), err)
	}
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
