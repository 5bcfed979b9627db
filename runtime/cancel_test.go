package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/starpool/starpool/runtime"
)

// blockedScripts each call ready() and then block the script until it is
// cancelled, with tasks still running (sleeping or spinning).
var blockedScripts = []struct {
	name string
	src  string
}{
	{"result", `
pool = ThreadPoolExecutor(max_workers=2)
f = pool.submit(sleep, 60)
ready()
f.result()
`},
	{"result of a spinning task", `
def spin():
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=2)
f = pool.submit(spin)
ready()
f.result()
`},
	{"result of a script-made future", `
f = Future()
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(sleep, 60)
ready()
f.result()
`},
	{"wait", `
pool = ThreadPoolExecutor(max_workers=2)
fs = [pool.submit(sleep, 60), pool.submit(sleep, 60), pool.submit(sleep, 60)]
ready()
wait(fs)
`},
	{"wait FIRST_COMPLETED", `
def spin():
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=2)
fs = [pool.submit(spin), pool.submit(sleep, 60)]
ready()
wait(fs, return_when=FIRST_COMPLETED)
`},
	{"as_completed iteration", `
pool = ThreadPoolExecutor(max_workers=2)
fs = [pool.submit(lambda: 1), pool.submit(sleep, 60)]
for f in as_completed(fs):
    ready()
`},
	{"map iteration", `
def task(x):
    if x > 0:
        sleep(60)
    return x
pool = ThreadPoolExecutor(max_workers=2)
for x in pool.map(task, range(5)):
    ready()
`},
	{"list(map)", `
def spin(x):
    ready()
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=2)
list(pool.map(spin, range(4)))
`},
	{"sleep", `
def spin():
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=2)
pool.submit(spin)
pool.submit(sleep, 60)
ready()
sleep(60)
`},
	{"shutdown(wait=True)", `
pool = ThreadPoolExecutor(max_workers=2)
pool.submit(sleep, 60)
ready()
pool.shutdown(wait=True)
`},
	{"infinite loop in the script", `
pool = ThreadPoolExecutor(max_workers=2)
pool.submit(sleep, 60)
ready()
while True:
    pass
`},
	{"inside a task", `
def outer():
    f = pool.submit(sleep, 60)
    ready()
    return f.result()
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(outer).result()
`},
}

// TestCancelWhileBlocked cancels the execution's context while the script
// waits in each blocking call: ExecFile must return promptly with a
// *runtime.CancelError, and the tasks must have stopped (ExecFile returns
// only when the executors' workers have exited; goleak checks after Close).
func TestCancelWhileBlocked(t *testing.T) {
	for _, tt := range blockedScripts {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cancelled := cancelWhenReady(h.probe, cancel)
			_, err := h.exec(ctx, tt.src)
			elapsed := time.Since(<-cancelled)
			checkCancelled(t, err, context.Canceled)
			if elapsed > prompt {
				t.Errorf("ExecFile returned %v after the cancellation; want < %v", elapsed, prompt)
			}
			h.rt.Close()
			goleak.VerifyNone(t)
		})
	}
}

// TestCancelRuntimeContext cancels Options.Context, which cancels every
// execution of the runtime.
func TestCancelRuntimeContext(t *testing.T) {
	for _, tt := range blockedScripts[:4] {
		t.Run(tt.name, func(t *testing.T) {
			root, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			h := newHarness(t, withContext(root))
			stop := errors.New("host is stopping")
			cancelled := cancelWhenReady(h.probe, func() { cancel(stop) })
			_, err := h.exec(context.Background(), tt.src)
			elapsed := time.Since(<-cancelled)
			checkCancelled(t, err, stop)
			if elapsed > prompt {
				t.Errorf("ExecFile returned %v after the cancellation; want < %v", elapsed, prompt)
			}
			h.rt.Close()
			goleak.VerifyNone(t)
		})
	}
}

// TestExecAfterRuntimeContextCancelled checks that a runtime whose
// Options.Context is done runs nothing more: like a closed runtime, it fails
// every ExecFile at once.
func TestExecAfterRuntimeContextCancelled(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"assignment", `x = 1`},
		{"print", `print("ran")`},
		{"a task", `
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(tick).result()
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, cancel := context.WithCancelCause(context.Background())
			stop := errors.New("host is stopping")
			cancel(stop)
			h := newHarness(t, withContext(root))
			_, err := h.exec(context.Background(), tt.src)
			checkCancelled(t, err, stop)
			if got := h.stdout.String() + fmt.Sprint(h.probe.ticks.Load()); got != "0" {
				t.Errorf("what the script did: got %q; want nothing", got)
			}
		})
	}
}

// cancelWhenReady calls cancel once the script has called ready() and has
// had a moment to block (or after patience, if it never does), and sends
// the time it did.
func cancelWhenReady(p *probe, cancel func()) <-chan time.Time {
	at := make(chan time.Time, 1)
	go func() {
		select {
		case <-p.ready:
			time.Sleep(20 * time.Millisecond) // let the script block
		case <-time.After(patience):
		}
		at <- time.Now()
		cancel()
	}()
	return at
}

// checkCancelled checks that err reports a cancellation whose cause is
// cause.
func checkCancelled(t *testing.T, err, cause error) {
	t.Helper()
	var ce *runtime.CancelError
	if !errors.As(err, &ce) {
		t.Fatalf("error: got %v (%T); want one wrapping *runtime.CancelError", err, err)
	}
	if !errors.Is(err, cause) {
		t.Errorf("cause: got %v; want %v", ce.Cause, cause)
	}
}

// TestCloseCancelsRunningScripts runs several blocked scripts at once and
// closes the runtime: Close returns promptly, every ExecFile has failed with
// the runtime's closing, and no goroutine remains.
func TestCloseCancelsRunningScripts(t *testing.T) {
	h := newHarness(t)
	scripts := []string{`
pool = ThreadPoolExecutor(max_workers=2)
f = pool.submit(sleep, 60)
tick()
f.result()
`, `
def spin():
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=3)
fs = [pool.submit(spin) for _ in range(5)]
tick()
wait(fs)
`, `
pool = ThreadPoolExecutor(max_workers=1)
tick()
for x in pool.map(sleep, [60, 60]):
    pass
`, `
tick()
sleep(60)
`}
	errs := make(chan error, len(scripts))
	for _, src := range scripts {
		go func() { _, err := h.exec(context.Background(), src); errs <- err }()
	}
	deadline := time.Now().Add(patience)
	for h.probe.ticks.Load() < int64(len(scripts)) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the scripts block

	start := time.Now()
	if err := h.rt.Close(); err != nil {
		t.Errorf("Close: got %v; want nil", err)
	}
	if got := time.Since(start); got > prompt {
		t.Errorf("Close took %v; want < %v", got, prompt)
	}
	for range scripts {
		select {
		case err := <-errs:
			var ce *runtime.CancelError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), "the runtime was closed") {
				t.Errorf("ExecFile during Close: got %v; want a *runtime.CancelError saying the runtime was closed", err)
			}
		case <-time.After(prompt):
			t.Fatalf("ExecFile still running %v after Close returned; want it ended", prompt)
		}
	}
	goleak.VerifyNone(t)

	if _, err := h.exec(context.Background(), `x = 1`); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("ExecFile after Close: got %v; want an error saying the runtime is closed", err)
	}
	if err := h.rt.Close(); err != nil {
		t.Errorf("second Close: got %v; want nil", err)
	}
}

// TestStepLimitStopsInfiniteLoop checks that MaxSteps stops an infinite
// loop wherever it runs, with an error naming the step limit.
func TestStepLimitStopsInfiniteLoop(t *testing.T) {
	const limit = 100000
	tests := []struct {
		name string
		src  string
	}{
		{"script", `
while True:
    pass
`},
		{"task, script in result()", `
def spin():
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=2)
pool.submit(spin).result()
`},
		{"task, script in map", `
def spin(x):
    wait_gate()
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=2)
it = pool.map(spin, range(3))
open_gate()
list(it)
`},
		{"task, script in as_completed", `
def spin(x):
    wait_gate()
    while x >= 0:
        x += 1
pool = ThreadPoolExecutor(max_workers=4)
fs = [pool.submit(spin, i) for i in range(8)]
open_gate()
for f in as_completed(fs):
    f.result()
`},
		{"task, script in sleep", `
def spin():
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=2)
pool.submit(spin)
sleep(60)
`},
		{"task inline in a task", `
def spin():
    while True:
        pass
def outer():
    return pool.submit(spin).result()
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(outer).result()
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withMaxSteps(limit))
			start := time.Now()
			_, err := h.exec(context.Background(), tt.src)
			if got := time.Since(start); got > prompt {
				t.Errorf("ExecFile took %v; want < %v", got, prompt)
			}
			want := fmt.Sprintf("limit of %d steps", limit)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error: got %v (stderr %q); want one mentioning the %q", err, h.stderr.String(), want)
			}
			var le *runtime.LimitError
			if !errors.As(err, &le) || le.Limit != "steps" {
				t.Errorf("error: got %T; want one wrapping a *runtime.LimitError for steps", err)
			}
		})
	}
}

// stepCost measures, without a limit, the steps one iteration of work()
// costs and what a call costs besides.
func stepCost(t *testing.T) (perIter, fixed int64) {
	h := newHarness(t)
	g := h.run(workFunc + `
s1 = work(1000)
s2 = work(2000)
`)
	s1, s2 := intGlobal(t, g, "s1"), intGlobal(t, g, "s2")
	perIter = (s2 - s1) / 1000
	return perIter, s1 - 1000*perIter
}

// workFunc counts each iteration with tick() and returns the steps it used.
const workFunc = `
def work(n):
    s0 = steps()
    for i in range(n):
        tick()
    return steps() - s0
`

// TestStepBudgetShared checks that the script and all its tasks draw from
// one budget: tasks that each fit the budget cannot exceed it together, by
// more than a small margin, and the budget is not wasted either.
func TestStepBudgetShared(t *testing.T) {
	perIter, fixed := stepCost(t)
	if perIter <= 0 {
		t.Fatalf("steps per iteration: got %v; want > 0", perIter)
	}
	const limit = 200000
	const margin = 1000 // steps
	itersFor := func(fraction float64) int64 { return int64(fraction * limit / float64(perIter)) }
	tests := []struct {
		name    string
		tasks   int
		workers int
		iters   int64 // per task
		fits    bool  // whether the tasks together fit the budget
	}{
		{"2 tasks of 60%", 2, 2, itersFor(0.6), false},
		{"8 tasks of 40%", 8, 4, itersFor(0.4), false},
		{"16 tasks of 25%, 1 worker", 16, 1, itersFor(0.25), false},
		{"2 tasks of 30%", 2, 2, itersFor(0.3), true},
		{"8 tasks of 8%", 8, 4, itersFor(0.08), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withMaxSteps(limit))
			// The script waits in sleep() when the tasks cannot fit: only
			// the limit can end it, so the error is the limit's.
			end := "used = [f.result() for f in fs]"
			if !tt.fits {
				end = "sleep(60)"
			}
			_, err := h.exec(context.Background(), workFunc+fmt.Sprintf(`
def gated(n):
    wait_gate()
    return work(n)
pool = ThreadPoolExecutor(max_workers=%d)
fs = [pool.submit(gated, %d) for _ in range(%d)]
open_gate()
%s
`, tt.workers, tt.iters, tt.tasks, end))
			taskSteps := h.probe.ticks.Load() * perIter
			if tt.fits {
				if err != nil {
					t.Fatalf("tasks using %v steps of %v: got %v; want success", taskSteps, limit, err)
				}
				return
			}
			var le *runtime.LimitError
			if !errors.As(err, &le) {
				t.Fatalf("tasks needing %v steps of %v: got %v; want the step limit", int64(tt.tasks)*(tt.iters*perIter+fixed), limit, err)
			}
			if taskSteps > limit+margin {
				t.Errorf("steps run by the tasks: got %v; want <= %v (the limit) + %v", taskSteps, limit, margin)
			}
			if taskSteps < limit/2 {
				t.Errorf("steps run by the tasks: got %v; want >= %v (half the limit): the budget was wasted", taskSteps, limit/2)
			}
		})
	}
}

// TestStepBudgetPerExecution checks that each ExecFile gets a budget of its
// own.
func TestStepBudgetPerExecution(t *testing.T) {
	perIter, _ := stepCost(t)
	const limit = 100000
	h := newHarness(t, withMaxSteps(limit))
	src := workFunc + fmt.Sprintf(`
pool = ThreadPoolExecutor(max_workers=2)
fs = [pool.submit(work, %d) for _ in range(2)]
used = [f.result() for f in fs]
`, int64(0.3*limit)/perIter)
	for i := range 3 {
		if _, err := h.exec(context.Background(), src); err != nil {
			t.Fatalf("run %d of a script using 60%% of its budget: got %v; want success", i+1, err)
		}
	}
}

// TestStepBudgetManyLiveThreads checks that threads alive at the same time
// (tasks blocked in I/O, say) do not use up the budget by merely existing:
// 64 tasks of a few steps each, all running at once, fit a budget of
// 100,000 steps with room to spare.
func TestStepBudgetManyLiveThreads(t *testing.T) {
	tests := []struct {
		name    string
		limit   uint64
		workers int
	}{
		{"8 threads, 100000 steps", 100000, 8},
		{"32 threads, 100000 steps", 100000, 32},
		{"64 threads, 100000 steps", 100000, 64},
		{"4 threads, 10000 steps", 10000, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withMaxSteps(tt.limit), withBarrier(tt.workers))
			_, err := h.exec(context.Background(), fmt.Sprintf(`
def task(i):
    s0 = steps()
    enter()
    leave()
    return steps() - s0
pool = ThreadPoolExecutor(max_workers=%d)
fs = [pool.submit(task, i) for i in range(%d)]
used = 0
for f in fs:
    used += f.result()
`, tt.workers, tt.workers))
			if err != nil {
				t.Errorf("%d tasks of a few steps each, all alive at once, with a budget of %d: got %v; want success", tt.workers, tt.limit, err)
			}
		})
	}
}

// TestInterruptAfterScriptEnded stops the tasks of a script whose last
// statement has run, while ExecFile waits for its executors: ExecFile must
// not report success for a run whose tasks were cut short.
func TestInterruptAfterScriptEnded(t *testing.T) {
	src := `
def task():
    ready()
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=2)
pool.submit(task)
`
	t.Run("step limit", func(t *testing.T) {
		h := newHarness(t, withMaxSteps(50000))
		_, err := h.exec(context.Background(), src)
		var le *runtime.LimitError
		if !errors.As(err, &le) {
			t.Errorf("error: got %v (stderr %q); want one wrapping the *runtime.LimitError that stopped the task", err, h.stderr.String())
		}
	})
	t.Run("context", func(t *testing.T) {
		h := newHarness(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cancelled := cancelWhenReady(h.probe, cancel)
		_, err := h.exec(ctx, src)
		<-cancelled
		var ce *runtime.CancelError
		if !errors.As(err, &ce) {
			t.Errorf("error: got %v (stderr %q); want one wrapping the *runtime.CancelError that stopped the task", err, h.stderr.String())
		}
	})
}

// TestCancelCauseNotMasked cancels the execution just before the script
// calls submit, map or result() (after_cancel makes the interleaving
// certain): the script must fail with the cancellation (a CancelError, or
// the LimitError that caused it), not with a RuntimeError or a
// CancelledError that hides it from the embedder.
func TestCancelCauseNotMasked(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		maxSteps uint64 // with a limit, the script is stopped by it, not by its context
	}{
		{"submit, context", `
pool = ThreadPoolExecutor(max_workers=1)
ready()
after_cancel(pool.submit, tick)
`, 0},
		{"map, context", `
pool = ThreadPoolExecutor(max_workers=1)
ready()
after_cancel(pool.map, tick, [1])
`, 0},
		{"submit, step limit", `
def spin():
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(spin)
after_cancel(pool.submit, tick)
`, 50000},
		{"result() of an interrupted task, context", `
pool = ThreadPoolExecutor(max_workers=1)
f = pool.submit(sleep, 60)
ready()
after_cancel(f.result, wait_for=f)
`, 0},
		{"result() of an interrupted task, step limit", `
def spin():
    while True:
        pass
pool = ThreadPoolExecutor(max_workers=1)
f = pool.submit(spin)
after_cancel(f.result, wait_for=f)
`, 50000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withMaxSteps(tt.maxSteps))
			ctx := context.Background()
			if tt.maxSteps == 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
				cancelled := cancelWhenReady(h.probe, cancel)
				defer func() { <-cancelled }()
			}
			_, err := h.exec(ctx, tt.src)
			var ce *runtime.CancelError
			var le *runtime.LimitError
			switch {
			case tt.maxSteps == 0 && !errors.As(err, &ce):
				t.Errorf("error: got %v; want one wrapping *runtime.CancelError", err)
			case tt.maxSteps > 0 && !errors.As(err, &le):
				t.Errorf("error: got %v; want one wrapping *runtime.LimitError", err)
			}
		})
	}
}
