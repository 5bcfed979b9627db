package runtime

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.starlark.net/starlark"
)

// FutureState is the life-cycle stage of a [Future].
type FutureState uint8

// The states of a future, as in CPython. A future moves from Pending to
// Running to Finished, or from Pending to Cancelled.
const (
	Pending FutureState = iota
	Running
	Cancelled
	Finished
)

// String names the state as CPython's repr does.
func (s FutureState) String() string {
	return [...]string{"pending", "running", "cancelled", "finished"}[s]
}

// A Future is the eventual outcome of a task: a value, an error or a
// cancellation. All of its methods are safe for concurrent use.
//
// Ownership of a result moves to the first thread that retrieves it, which
// may mutate it. A future that becomes reachable from a second thread (it
// crosses into a task, or a done-callback receives it) is shared: its result
// is frozen.
type Future struct {
	id   uint64
	exec *Executor // nil for a future created by the script itself
	task task      // for a future of an executor

	mu        sync.Mutex
	state     FutureState
	value     starlark.Value
	err       error
	done      chan struct{} // closed when the future is cancelled or finished; made when first awaited
	callbacks []func(*Future)
	waiters   []chan<- *Future
	shared    bool
	retrieved bool  // a failure reached some caller
	cause     error // why a running task was interrupted
}

// task is the call a future stands for.
type task struct {
	fn     starlark.Callable
	args   starlark.Tuple
	kwargs []starlark.Tuple
	where  starlark.CallFrame // the call that submitted it
}

// NewFuture returns a pending future not tied to any executor, for scripts
// that complete futures themselves (set_result, set_exception).
func (rt *Runtime) NewFuture() *Future {
	return &Future{id: rt.futureIDs.Add(1)}
}

// ID returns a number unique to the future within its runtime.
func (f *Future) ID() uint64 { return f.id }

// State returns the future's current state.
func (f *Future) State() FutureState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

// Done reports whether the future was cancelled or has finished.
func (f *Future) Done() bool {
	s := f.State()
	return s == Cancelled || s == Finished
}

// Running reports whether the future's task is running now.
func (f *Future) Running() bool { return f.State() == Running }

// Cancelled reports whether the future was cancelled.
func (f *Future) Cancelled() bool { return f.State() == Cancelled }

// Cancel cancels a pending future and reports whether the future is now
// cancelled. As in CPython, a running or finished future cannot be
// cancelled.
func (f *Future) Cancel() bool {
	f.mu.Lock()
	if f.markCancelled() {
		f.settle()
		return true
	}
	defer f.mu.Unlock()
	return f.state == Cancelled
}

// markCancelled moves a pending future to Cancelled and reports whether it
// did; f.mu is held, and the caller settles f after.
func (f *Future) markCancelled() bool {
	if f.state != Pending {
		return false
	}
	f.state = Cancelled
	if f.exec != nil {
		f.exec.ex.rt.counters.dropped()
	}
	return true
}

// cancelRunning cancels a future whose task was interrupted by the
// cancellation of its script or executor; cause says why.
func (f *Future) cancelRunning(cause error) {
	f.mu.Lock()
	if f.state == Cancelled || f.state == Finished {
		f.mu.Unlock()
		return
	}
	f.state = Cancelled
	f.cause = cause
	f.settle()
}

// cancelled is the error of result() and exception() on a cancelled future.
func (f *Future) cancelled() error {
	if f.cause != nil {
		return &Exception{Class: "CancelledError", Msg: f.cause.Error(), Cause: f.cause}
	}
	return &Exception{Class: "CancelledError"}
}

// claim moves a pending future to Running, for the goroutine that will run
// its task; it reports false if the future was cancelled or claimed first.
// The caller counts the start in the runtime's statistics.
func (f *Future) claim() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state != Pending {
		return false
	}
	f.state = Running
	return true
}

// SetRunningOrNotifyCancel marks a pending future running and returns true,
// or returns false if it was cancelled, as CPython's method of that name.
func (f *Future) SetRunningOrNotifyCancel() (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.state {
	case Cancelled:
		return false, nil
	case Pending:
		f.state = Running
		return true, nil
	}
	return false, &Exception{Class: "RuntimeError", Msg: "Future in unexpected state"}
}

// SetResult completes the future with v. Completing a future twice fails
// with InvalidStateError, as in CPython.
func (f *Future) SetResult(v starlark.Value) error { return f.complete(v, nil) }

// SetException completes the future with the failure err.
func (f *Future) SetException(err error) error { return f.complete(nil, err) }

func (f *Future) complete(v starlark.Value, err error) error {
	f.mu.Lock()
	if f.state == Cancelled || f.state == Finished {
		defer f.mu.Unlock()
		return &Exception{Class: "InvalidStateError", Msg: fmt.Sprintf("%s: %s", upper(f.state), f.repr())}
	}
	f.state = Finished
	f.value, f.err = v, err
	if f.shared && v != nil {
		v.Freeze()
	}
	f.settle()
	return nil
}

// settle wakes everyone waiting on a future that has just become done. It
// is called with f.mu held and releases it.
func (f *Future) settle() {
	if f.done != nil {
		close(f.done)
	}
	callbacks, waiters := f.callbacks, f.waiters
	f.callbacks, f.waiters = nil, nil
	f.mu.Unlock()
	for _, ch := range waiters {
		ch <- f
	}
	for _, cb := range callbacks {
		cb(f)
	}
}

// AddDoneCallback arranges for cb to be called once with f when f is done:
// by the goroutine that completes or cancels it, or at once by the caller if
// f is done already.
func (f *Future) AddDoneCallback(cb func(*Future)) {
	f.addDoneCallback(func(f *Future, _ bool) { cb(f) })
}

// addDoneCallback is AddDoneCallback with a callback told whether it is
// called at once, by the caller.
func (f *Future) addDoneCallback(cb func(f *Future, now bool)) {
	f.mu.Lock()
	if f.state == Cancelled || f.state == Finished {
		f.mu.Unlock()
		cb(f, true)
		return
	}
	f.callbacks = append(f.callbacks, func(f *Future) { cb(f, false) })
	f.mu.Unlock()
}

// addWaiter arranges for f to be sent on ch when it is done, at once if it
// is done already; ch must have room.
func (f *Future) addWaiter(ch chan<- *Future) {
	f.mu.Lock()
	if f.state == Cancelled || f.state == Finished {
		f.mu.Unlock()
		ch <- f
		return
	}
	f.waiters = append(f.waiters, ch)
	f.mu.Unlock()
}

func (f *Future) removeWaiter(ch chan<- *Future) {
	f.mu.Lock()
	if i := slices.Index(f.waiters, ch); i >= 0 {
		f.waiters = slices.Delete(f.waiters, i, i+1)
	}
	f.mu.Unlock()
}

// Freeze marks the future shared: its result, now or when it arrives, is
// frozen, because more than one thread can reach it.
func (f *Future) Freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shared = true
	if f.value != nil {
		f.value.Freeze()
	}
}

// Wait blocks until f is done, thread is cancelled, or timeout passes (a
// negative timeout waits without limit). A worker waiting on a pending
// future of its own executor runs that future's task itself instead of
// blocking, so nested submits cannot deadlock.
func (f *Future) Wait(thread *starlark.Thread, timeout time.Duration) error {
	if f.Done() {
		return nil
	}
	ts := stateOf(thread)
	if ts != nil && ts.executor != nil && ts.executor == f.exec && f.exec.runInline(thread, f) {
		return nil
	}
	return waitChan(threadContext(thread), f.doneChan(), timeout)
}

// closedChan is a channel that is always closed.
var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// doneChan returns a channel closed when f is done, made on first use:
// most futures are done before anyone waits, and need none.
func (f *Future) doneChan() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state == Cancelled || f.state == Finished {
		return closedChan
	}
	if f.done == nil {
		f.done = make(chan struct{})
	}
	return f.done
}

// waitChan blocks until done is closed, ctx is cancelled or timeout passes.
func waitChan(ctx context.Context, done <-chan struct{}, timeout time.Duration) error {
	var expired <-chan time.Time
	if timeout >= 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ContextError(ctx)
	case <-expired:
		return &Exception{Class: "TimeoutError"}
	}
}

// Result waits as [Future.Wait] does and returns the task's value. It fails
// with the task's error, with CancelledError if the future was cancelled,
// or with TimeoutError.
func (f *Future) Result(thread *starlark.Thread, timeout time.Duration) (starlark.Value, error) {
	if err := f.Wait(thread, timeout); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.state == Cancelled:
		return nil, f.cancelled()
	case f.err != nil:
		f.retrieved = true
		return nil, f.err
	}
	return f.value, nil
}

// Exception waits as [Future.Wait] does and returns the task's error, or
// nil if it succeeded. It fails with CancelledError if the future was
// cancelled, or with TimeoutError.
func (f *Future) Exception(thread *starlark.Thread, timeout time.Duration) (error, error) {
	if err := f.Wait(thread, timeout); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state == Cancelled {
		return nil, f.cancelled()
	}
	f.retrieved = true
	return f.err, nil
}

// abandon marks f's error, now or to come, as seen: nobody can retrieve it.
func (f *Future) abandon() {
	f.mu.Lock()
	f.retrieved = true
	f.mu.Unlock()
}

// failed reports whether f finished with an error.
func (f *Future) failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state == Finished && f.err != nil
}

// unretrieved returns f's error if f failed and no caller has seen it.
func (f *Future) unretrieved() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state == Finished && f.err != nil && !f.retrieved {
		return f.err
	}
	return nil
}

// String returns the future as CPython's repr shows it, with its runtime
// number in place of an address.
func (f *Future) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.repr()
}

// repr is String for a caller that holds f.mu.
func (f *Future) repr() string {
	s := fmt.Sprintf("<Future at %#x state=%s", f.id, f.state)
	if f.state == Finished {
		if f.err != nil {
			s += " raised " + exceptionClass(f.err)
		} else if f.value != nil {
			s += " returned " + f.value.Type()
		}
	}
	return s + ">"
}

func upper(s FutureState) string {
	return [...]string{"PENDING", "RUNNING", "CANCELLED", "FINISHED"}[s]
}
