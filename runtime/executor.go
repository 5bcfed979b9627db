package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.starlark.net/starlark"
)

// ExecutorOptions configure [NewExecutor]; they mirror the parameters of
// CPython's ThreadPoolExecutor.
type ExecutorOptions struct {
	MaxWorkers  int               // zero means the runtime's default
	NamePrefix  string            // worker names are NamePrefix_N; empty means "ThreadPoolExecutor-K"
	Initializer starlark.Callable // run by each worker before its first task; may be nil
	InitArgs    starlark.Tuple    // the initializer's arguments
}

// brokenMessage is CPython's BrokenThreadPool message.
const brokenMessage = "A thread initializer failed, the thread pool is not usable anymore"

// An Executor is a pool of goroutines that run Starlark tasks, with the
// semantics of CPython's ThreadPoolExecutor: workers start lazily, up to
// MaxWorkers, and are reused; each task runs on its own starlark.Thread.
// All methods are safe for concurrent use.
//
// An executor's workers exit once it is shut down and its queue is empty;
// the execution that created it shuts it down and waits for it when the
// script ends, so no worker outlives its script.
type Executor struct {
	ex          *execution
	maxWorkers  int
	prefix      string
	initializer starlark.Callable
	initArgs    starlark.Tuple
	ctx         context.Context // ends when the script is cancelled or shutdown(cancel_running=True)
	cancel      context.CancelCauseFunc

	mu         sync.Mutex
	wake       sync.Cond   // signals idle workers
	queue      []*Future   // pending tasks, FIFO from head
	head       int         // index of the next task in queue
	workers    int         // workers started and not yet exited
	started    int         // workers ever started, for their names
	idle       int         // workers waiting on wake and not yet signalled
	waiting    int         // workers waiting on wake
	closed     bool        // shutdown was called
	stopped    atomic.Bool // closed or broken, read without the lock
	broken     bool        // an initializer failed
	terminated chan struct{}
}

// NewExecutor creates an executor owned by the script that thread runs. The
// initializer and its arguments cross into the workers, so they are shared
// (frozen) under the sharing rule.
func NewExecutor(thread *starlark.Thread, opts ExecutorOptions) (*Executor, error) {
	ts := stateOf(thread)
	if ts == nil {
		return nil, errors.New("ThreadPoolExecutor: not called from a starpool script")
	}
	rt := ts.ex.rt
	if opts.MaxWorkers < 0 {
		return nil, &Exception{Class: "ValueError", Msg: "max_workers must be greater than 0"}
	}
	if opts.MaxWorkers == 0 {
		opts.MaxWorkers = rt.DefaultMaxWorkers()
	}
	n, err := rt.reserveWorkers(opts.MaxWorkers)
	if err != nil {
		return nil, err
	}
	opts.MaxWorkers = n
	if opts.Initializer != nil {
		if err := rt.share(thread, "ThreadPoolExecutor initializer", opts.Initializer, opts.InitArgs, nil); err != nil {
			return nil, err
		}
	}
	if opts.NamePrefix == "" {
		// As in CPython, only executors without a prefix are numbered.
		opts.NamePrefix = fmt.Sprintf("ThreadPoolExecutor-%d", rt.executorIDs.Add(1)-1)
	}
	ctx, cancel := context.WithCancelCause(ts.ex.ctx)
	e := &Executor{
		ex:          ts.ex,
		maxWorkers:  opts.MaxWorkers,
		prefix:      opts.NamePrefix,
		initializer: opts.Initializer,
		initArgs:    opts.InitArgs,
		ctx:         ctx,
		cancel:      cancel,
		terminated:  make(chan struct{}),
	}
	e.wake.L = &e.mu
	ts.ex.addExecutor(e)
	return e, nil
}

// MaxWorkers returns the most workers the executor runs at once.
func (e *Executor) MaxWorkers() int { return e.maxWorkers }

// Active returns how many of its tasks are queued or running now.
func (e *Executor) Active() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.queue) - e.head + e.workers - e.waiting
}

// NamePrefix returns the prefix of its workers' thread names.
func (e *Executor) NamePrefix() string { return e.prefix }

// stateError returns why the executor takes no new tasks, or nil. It is
// called with e.mu held.
func (e *Executor) stateError() error {
	switch {
	case e.broken:
		return &Exception{Class: "BrokenThreadPool", Msg: brokenMessage}
	case e.closed:
		return &Exception{Class: "RuntimeError", Msg: "cannot schedule new futures after shutdown"}
	case e.ctx.Err() != nil:
		return ContextError(e.ctx) // the script was cancelled
	}
	return nil
}

// Submit schedules fn(*args, **kwargs) and returns its future. It never
// blocks on the task. The callable and its arguments cross into the task and
// are shared (frozen) under the sharing rule; a crossing the rule refuses
// fails here, before anything is scheduled.
func (e *Executor) Submit(thread *starlark.Thread, fn starlark.Callable, args starlark.Tuple, kwargs []starlark.Tuple) (*Future, error) {
	return e.submit(thread, "submit", fn, args, kwargs)
}

// submit is Submit for the crossing named crossing.
func (e *Executor) submit(thread *starlark.Thread, crossing string, fn starlark.Callable, args starlark.Tuple, kwargs []starlark.Tuple) (*Future, error) {
	// Refuse before sharing (freezing) anything; the check under the
	// lock below is the one that counts.
	if e.stopped.Load() || e.ctx.Err() != nil {
		e.mu.Lock()
		err := e.stateError()
		e.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	if err := e.ex.rt.share(thread, crossing, fn, args, kwargs); err != nil {
		return nil, err
	}
	f := &Future{id: e.ex.rt.futureIDs.Add(1), exec: e, task: task{fn: fn, args: args, kwargs: kwargs}}
	if thread != nil && thread.CallStackDepth() > 1 {
		f.task.where = thread.CallFrame(1)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.stateError(); err != nil {
		return nil, err
	}
	rt := e.ex.rt
	if limit := rt.opts.PendingLimit; limit > 0 && rt.counters.queued.Load() >= int64(limit) {
		return nil, &LimitError{Limit: "pending tasks", Value: limit}
	}
	rt.counters.enqueued()
	e.queue = append(e.queue, f)
	switch {
	case e.idle > 0:
		e.idle--
		e.wake.Signal()
	case e.workers < e.maxWorkers:
		name := fmt.Sprintf("%s_%d", e.prefix, e.started)
		e.workers++
		e.started++
		go e.work(name)
	}
	return f, nil
}

// work is a worker goroutine's life: run the initializer, then tasks until
// the executor is shut down and its queue is empty.
func (e *Executor) work(name string) {
	defer e.exit()
	w := newWorker(e, name)
	defer w.done()
	if e.initializer != nil && !e.initialize(w) {
		return
	}
	for {
		f := e.next()
		if f == nil {
			return
		}
		e.execute(f, w)
	}
}

// next takes the next task from the queue and claims it, skipping those
// cancelled meanwhile, waiting for one while the executor is open; it
// returns nil when the worker should exit. The claim is made under the
// queue lock, so a task is always either queued or running: one that
// cancel_futures or a stopped map loop did not cancel has started.
func (e *Executor) next() *Future {
	e.mu.Lock()
	defer e.mu.Unlock()
	for {
		if e.broken {
			return nil
		}
		if e.head < len(e.queue) {
			f := e.queue[e.head]
			e.queue[e.head] = nil
			e.head++
			if e.head == len(e.queue) {
				e.queue, e.head = e.queue[:0], 0
			}
			if f.claim() {
				return f
			}
			continue
		}
		if e.closed {
			return nil
		}
		e.idle++
		e.waiting++
		e.wake.Wait()
		e.waiting--
	}
}

// exit records that a worker has exited, and marks the executor terminated
// when it was the last one of a shut-down executor.
func (e *Executor) exit() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.workers--
	if e.workers == 0 && e.closed {
		e.terminate()
	}
}

// terminate is called with e.mu held once the executor is shut down and has
// no workers left.
func (e *Executor) terminate() {
	select {
	case <-e.terminated:
	default:
		close(e.terminated)
		e.ex.removeExecutor(e)
		e.ex.rt.releaseWorkers(e.maxWorkers)
		e.cancel(context.Canceled)
	}
}

// execute runs f's task on the thread of worker w, which took it claimed
// from next, or, for a task run inline (w == nil), on a new thread named
// name, unless f was cancelled or claimed by another goroutine. It reports
// whether it ran the task.
func (e *Executor) execute(f *Future, w *worker, name ...string) bool {
	if w == nil && !f.claim() {
		return false
	}
	e.ex.rt.counters.started()
	if e.ctx.Err() != nil {
		e.ex.rt.counters.finished(0, true, false)
		f.cancelRunning(ContextError(e.ctx))
		return true
	}
	var thread *starlark.Thread
	var ts *threadState
	if w != nil {
		thread, ts = w.thread, w.ts
		ts.iterErr = nil
	} else {
		thread, ts = e.ex.newThread(name[0], e.ctx, e)
	}
	var v starlark.Value
	start := time.Now()
	err := ts.run(thread, func() (err error) {
		v, err = starlark.Call(thread, f.task.fn, f.task.args, f.task.kwargs)
		return err
	})
	if w != nil && !w.reusable(err) {
		w.renew()
	}
	if err == nil {
		err = returnable(v)
	}
	cancelled := err != nil && e.ctx.Err() != nil
	e.ex.rt.counters.finished(time.Since(start), cancelled, err != nil)
	switch {
	case cancelled:
		f.cancelRunning(ContextError(e.ctx))
	case err != nil:
		e.ex.addFailure(f)
		f.complete(nil, &TaskError{Task: taskName(f.task.fn), Thread: thread.Name, Submitted: f.task.where, Err: err}) //nolint:errcheck // f is running: complete cannot fail
	default:
		f.complete(v, nil) //nolint:errcheck // as above
	}
	return true
}

// runInline runs a pending future of this executor on the calling worker,
// which would otherwise block on it; it reports whether it did.
func (e *Executor) runInline(thread *starlark.Thread, f *Future) bool {
	return e.execute(f, nil, thread.Name)
}

// initialize runs the initializer on a worker; if it fails, the executor is
// broken: its pending tasks fail with BrokenThreadPool, and so does every
// later submit.
func (e *Executor) initialize(w *worker) bool {
	err := w.ts.run(w.thread, func() error {
		_, err := starlark.Call(w.thread, e.initializer, e.initArgs, nil)
		return err
	})
	if err == nil {
		if !w.reusable(err) {
			w.renew()
		}
		return true
	}
	e.ex.rt.stderr.println("Exception in initializer:\n" + Backtrace(err))
	e.mu.Lock()
	e.broken = true
	e.stopped.Store(true)
	pending := e.queue[e.head:]
	e.queue, e.head = nil, 0
	e.idle = 0
	e.wake.Broadcast()
	e.mu.Unlock()
	for _, f := range pending {
		if f.claim() {
			e.ex.rt.counters.started()
			e.ex.rt.counters.finished(0, false, true)
			f.complete(nil, &Exception{Class: "BrokenThreadPool", Msg: brokenMessage}) //nolint:errcheck // f was just claimed
		}
	}
	return false
}

// Shutdown stops the executor taking new tasks, as CPython's shutdown does.
// With cancelFutures, tasks not yet started are cancelled; with
// cancelRunning (an extension), running tasks are interrupted too and their
// futures cancelled. With wait, Shutdown blocks until every worker has
// exited, or until thread is cancelled; a worker of the executor itself
// does not wait, since it would wait for itself.
func (e *Executor) Shutdown(thread *starlark.Thread, wait, cancelFutures, cancelRunning bool) error {
	e.mu.Lock()
	e.closed = true
	e.stopped.Store(true)
	var cancelled []*Future
	if cancelFutures {
		cancelled = e.queue[e.head:]
		e.queue, e.head = nil, 0
	}
	e.idle = 0
	e.wake.Broadcast()
	if e.workers == 0 {
		e.terminate()
	}
	e.mu.Unlock()
	for _, f := range cancelled {
		f.Cancel()
	}
	if cancelRunning {
		e.cancel(errors.New("interrupted by shutdown(cancel_running=True)"))
	}
	if !wait {
		return nil
	}
	if ts := stateOf(thread); ts != nil && ts.executor == e {
		return nil
	}
	return waitChan(threadContext(thread), e.terminated, -1)
}

// cancelQueued cancels those of fs that have not started. It holds the
// queue lock while it marks them, so that no worker starts one of them part
// way through: a task still queued when it is called never runs.
func (e *Executor) cancelQueued(fs []*Future) {
	var cancelled []*Future
	e.mu.Lock()
	for _, f := range fs {
		f.mu.Lock()
		if f.markCancelled() {
			cancelled = append(cancelled, f)
		}
		f.mu.Unlock()
	}
	e.mu.Unlock()
	for _, f := range cancelled {
		f.mu.Lock()
		f.settle()
	}
}

// taskName names a task's callable in messages.
func taskName(fn starlark.Callable) string {
	if f, ok := fn.(*starlark.Function); ok && f.Name() == "lambda" {
		return "lambda"
	}
	return fn.Name()
}
