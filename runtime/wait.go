package runtime

import (
	"fmt"
	"time"

	"go.starlark.net/starlark"
)

// ReturnWhen says when [Wait] returns, as CPython's return_when.
type ReturnWhen int

// The conditions of [Wait], named as in CPython.
const (
	AllCompleted ReturnWhen = iota
	FirstCompleted
	FirstException
)

// distinct returns fs without repeats, in first-seen order.
func distinct(fs []*Future) []*Future {
	seen := make(map[*Future]bool, len(fs))
	out := make([]*Future, 0, len(fs))
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// helper runs, on a worker, pending futures of the worker's own executor
// that the worker is about to wait for, so that waiting cannot deadlock.
type helper struct {
	thread *starlark.Thread
	fs     []*Future
	next   int // fs[:next] are known not to be pending
}

// help runs one pending future of the thread's own executor inline and
// reports whether it did.
func (h *helper) help() bool {
	ts := stateOf(h.thread)
	if ts == nil || ts.executor == nil {
		return false
	}
	for ; h.next < len(h.fs); h.next++ {
		f := h.fs[h.next]
		if f.exec == ts.executor && f.State() == Pending && ts.executor.runInline(h.thread, f) {
			return true
		}
	}
	return false
}

// timer returns a channel that fires at deadline, or nil for a zero deadline.
func timer(deadline time.Time) (<-chan time.Time, func()) {
	if deadline.IsZero() {
		return nil, func() {}
	}
	t := time.NewTimer(time.Until(deadline))
	return t.C, func() { t.Stop() }
}

// deadlineOf turns a timeout (negative: none) into a deadline.
func deadlineOf(timeout time.Duration) time.Time {
	if timeout < 0 {
		return time.Time{}
	}
	return time.Now().Add(timeout)
}

// Wait blocks until the futures satisfy returnWhen, the timeout passes (a
// negative timeout waits without limit) or thread is cancelled, and returns
// the futures that are done and those that are not, each in input order. As
// in CPython, a timeout is not an error: it returns what is done so far.
func Wait(thread *starlark.Thread, fs []*Future, timeout time.Duration, returnWhen ReturnWhen) (done, notDone []*Future, err error) {
	fs = distinct(fs)
	ch := make(chan *Future, len(fs))
	for _, f := range fs {
		f.addWaiter(ch)
	}
	defer func() {
		for _, f := range fs {
			f.removeWaiter(ch)
		}
	}()
	expired, stop := timer(deadlineOf(timeout))
	defer stop()
	h := &helper{thread: thread, fs: fs}
	ctx := threadContext(thread)
	finished, failed := 0, false
	satisfied := func() bool {
		switch {
		case finished == len(fs):
			return true
		case returnWhen == FirstCompleted:
			return finished > 0
		case returnWhen == FirstException:
			return failed
		}
		return false
	}
	record := func(f *Future) {
		finished++
		failed = failed || f.failed()
	}
wait:
	for !satisfied() {
		select {
		case f := <-ch:
			record(f)
			continue
		default:
		}
		if h.help() {
			continue
		}
		select {
		case f := <-ch:
			record(f)
		case <-ctx.Done():
			return nil, nil, ContextError(ctx)
		case <-expired:
			break wait
		}
	}
	for _, f := range fs {
		if f.Done() {
			done = append(done, f)
		} else {
			notDone = append(notDone, f)
		}
	}
	return done, notDone, nil
}

// Completions yields futures as they complete; see [AsCompleted]. It
// belongs to the thread that iterates it.
type Completions struct {
	fs       []*Future
	ch       chan *Future
	left     int
	deadline time.Time
	helper   *helper
	closed   bool
}

// AsCompleted returns an iterator over fs (without repeats) that yields
// each future once, as it completes: those already done first, in input
// order. A negative timeout means none; otherwise it counts from this call,
// as in CPython.
func AsCompleted(thread *starlark.Thread, fs []*Future, timeout time.Duration) *Completions {
	fs = distinct(fs)
	c := &Completions{
		fs:       fs,
		ch:       make(chan *Future, len(fs)),
		left:     len(fs),
		deadline: deadlineOf(timeout),
		helper:   &helper{thread: thread, fs: fs},
	}
	for _, f := range fs {
		f.addWaiter(c.ch)
	}
	return c
}

// Next waits for the next future to complete. It returns false when every
// future has been yielded, and fails with TimeoutError ("N (of M) futures
// unfinished") or a cancellation.
func (c *Completions) Next(thread *starlark.Thread) (*Future, bool, error) {
	if c.left == 0 {
		c.Close()
		return nil, false, nil
	}
	for {
		select {
		case f := <-c.ch:
			c.left--
			return f, true, nil
		default:
		}
		if !c.helper.help() {
			break
		}
	}
	expired, stop := timer(c.deadline)
	defer stop()
	ctx := threadContext(thread)
	select {
	case f := <-c.ch:
		c.left--
		return f, true, nil
	case <-ctx.Done():
		c.Close()
		return nil, false, ContextError(ctx)
	case <-expired:
		c.Close()
		return nil, false, &Exception{Class: "TimeoutError", Msg: fmt.Sprintf("%d (of %d) futures unfinished", c.left, len(c.fs))}
	}
}

// Close stops watching the futures. Iteration that stops early calls it.
func (c *Completions) Close() {
	if c.closed {
		return
	}
	c.closed = true
	for _, f := range c.fs {
		f.removeWaiter(c.ch)
	}
}
