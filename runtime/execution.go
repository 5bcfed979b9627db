package runtime

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// fileOptions are the Starlark dialect of every file: the Python habits
// that go.starlark.net can allow. Global reassignment is safe because of
// the sharing rule.
var fileOptions = &syntax.FileOptions{
	Set:             true,
	While:           true,
	TopLevelControl: true,
	GlobalReassign:  true,
	Recursion:       true,
}

// execution is one run of a script: its context, its shared step budget,
// and the executors and failed futures it must account for when it ends.
type execution struct {
	rt     *Runtime
	ctx    context.Context
	cancel context.CancelCauseFunc // cancels and releases the context
	stop   context.CancelCauseFunc // cancels the script and its tasks
	steps  *stepBudget

	shared     sync.Map                          // weak pointers to the values already shared by a crossing -> struct{}
	lastShared atomic.Pointer[starlark.Function] // the function shared last: submit's fast path

	mu        sync.Mutex
	output    atomic.Int64           // bytes printed, for OutputLimit
	executors map[*Executor]struct{} // not yet terminated
	failures  []*Future              // failed tasks, checked for retrieval at the end
	files     []*fileInfo            // the static analysis of the files run
	frozen    map[string]string      // global name -> the crossing that froze it
}

// begin starts an execution under ctx and the runtime's own context.
func (rt *Runtime) begin(ctx context.Context) (*execution, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return nil, errRuntimeClosed
	}
	if rt.ctx.Err() != nil {
		return nil, ContextError(rt.ctx)
	}
	cancelTimeout := context.CancelFunc(func() {})
	if rt.opts.Timeout > 0 {
		ctx, cancelTimeout = context.WithTimeoutCause(ctx, rt.opts.Timeout, &LimitError{Limit: "timeout", Value: rt.opts.Timeout})
	}
	ctx, cancel := context.WithCancelCause(ctx)
	stop := afterFunc(rt.ctx, func() { cancel(context.Cause(rt.ctx)) })
	ex := &execution{
		rt:        rt,
		ctx:       ctx,
		executors: make(map[*Executor]struct{}),
		frozen:    make(map[string]string),
	}
	ex.cancel = func(err error) { stop(); cancel(err); cancelTimeout() }
	ex.stop = cancel
	ex.steps = newStepBudget(rt.opts.MaxSteps, cancel)
	rt.active.Add(1)
	return ex, nil
}

// end shuts down the execution's executors, waits for their workers, reports
// task errors nobody retrieved, and releases the execution. It returns err,
// the script's own outcome, or the cancellation that stopped the tasks while
// the script waited for them.
func (ex *execution) end(err error) error {
	ex.waitExecutors()
	if err == nil && ex.ctx.Err() != nil {
		err = ContextError(ex.ctx)
	}
	ex.reportUnretrieved()
	ex.rt.counters.steps.Add(ex.steps.used.Load())
	ex.cancel(context.Canceled)
	ex.rt.active.Done()
	return err
}

// waitExecutors shuts down every executor of the execution and waits until
// all their workers have exited, as CPython does at interpreter exit. Tasks
// still queued run unless the execution was cancelled.
func (ex *execution) waitExecutors() {
	for {
		ex.mu.Lock()
		var open *Executor
		for e := range ex.executors {
			open = e
			break
		}
		ex.mu.Unlock()
		if open == nil {
			return
		}
		open.Shutdown(nil, true, ex.ctx.Err() != nil, false) //nolint:errcheck // a nil thread waits without limit
	}
}

func (ex *execution) addExecutor(e *Executor) {
	ex.mu.Lock()
	ex.executors[e] = struct{}{}
	ex.mu.Unlock()
}

func (ex *execution) removeExecutor(e *Executor) {
	ex.mu.Lock()
	delete(ex.executors, e)
	ex.mu.Unlock()
}

func (ex *execution) addFailure(f *Future) {
	ex.mu.Lock()
	ex.failures = append(ex.failures, f)
	ex.mu.Unlock()
}

// reportUnretrieved writes to stderr every task error that no result(),
// exception() or map iteration reached, so that no failure is silently lost.
func (ex *execution) reportUnretrieved() {
	ex.mu.Lock()
	failures := ex.failures
	ex.failures = nil
	ex.mu.Unlock()
	for _, f := range failures {
		if err := f.unretrieved(); err != nil {
			ex.rt.stderr.println(fmt.Sprintf("starpool: a task failed and its error was never retrieved (call result() or exception() to handle it):\n%s", Backtrace(err)))
		}
	}
}

// ExecFile runs a Starlark file and returns its globals, frozen. The
// filename and src are as for go.starlark.net's ExecFileOptions: src may be
// nil (read the file), a string, a []byte or an io.Reader. Unless the
// runtime is strict, the file is Python-flavored: see the source layer in
// dialect.go.
//
// ExecFile returns when the script has ended and every executor it opened
// has shut down and finished its tasks. Cancelling ctx cancels the script
// and its running tasks. A failure is an error whose [Backtrace] shows the
// script's traceback and, for a task's failure, the task's own.
func (rt *Runtime) ExecFile(ctx context.Context, filename string, src any) (starlark.StringDict, error) {
	f, prog, err := rt.compile(filename, src)
	if err != nil {
		return nil, err
	}
	ex, err := rt.begin(ctx)
	if err != nil {
		return nil, err
	}
	ex.files = append(ex.files, analyze(f))
	thread, ts := ex.newThread("MainThread", ex.ctx, nil)
	var globals starlark.StringDict
	err = ts.run(thread, func() (err error) {
		globals, err = prog.Init(thread, rt.predeclared)
		return err
	})
	if err != nil {
		// The script is dead: stop its tasks rather than wait for them.
		ex.stop(errScriptFailed)
	}
	err = ex.end(err)
	globals.Freeze()
	return globals, err
}

// compile reads, rewrites (unless strict), parses and resolves a file.
func (rt *Runtime) compile(filename string, src any) (*syntax.File, *starlark.Program, error) {
	text, err := source(filename, src)
	if err != nil {
		return nil, nil, err
	}
	if !rt.opts.Strict {
		if text, err = rewritePython(filename, text); err != nil {
			return nil, nil, err
		}
	}
	f, err := fileOptions.Parse(filename, text, 0)
	if err != nil {
		return nil, nil, err
	}
	prog, err := starlark.FileProgram(f, rt.predeclared.Has)
	return f, prog, err
}

func (rt *Runtime) print(thread *starlark.Thread, msg string) { rt.write(thread, msg+"\n") }

// load serves the runtime's modules to load().
func (rt *Runtime) load(thread *starlark.Thread, module string) (starlark.StringDict, error) {
	if m, ok := rt.opts.Modules[module]; ok {
		return m, nil
	}
	if rt.opts.Load != nil {
		return rt.opts.Load(thread, module)
	}
	//lint:ignore ST1005 this is CPython's message
	return nil, fmt.Errorf("No module named '%s'", module)
}
