package runtime_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/starpool/starpool/runtime"
)

// TestTaskPanic checks that a Go panic in a builtin fails only what called
// it: the task's future (or the script, or nothing but a report for a
// done-callback), and that the pool, the runtime and the process go on.
func TestTaskPanic(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		wantErr   string // "" means the script must succeed
		wantPanic any    // the panic value the error must carry, if any
		stderr    string // stderr must contain it
	}{
		{
			name: "exception() of the task",
			src: `
pool = ThreadPoolExecutor(max_workers=2)
f = pool.submit(lambda: boom("kaput"))
msg = str(f.exception())
if "panic" not in msg or "kaput" not in msg:
    fail("exception(): got %r; want the panic" % msg)
if pool.submit(lambda x: x + 1, 1).result() != 2:
    fail("the pool stopped working after a panic")
if list(pool.map(lambda x: x * 2, range(5))) != [0, 2, 4, 6, 8]:
    fail("map stopped working after a panic")
`,
		},
		{
			name: "result() of the task",
			src: `
pool = ThreadPoolExecutor(max_workers=2)
pool.submit(lambda: boom("kaput")).result()
`,
			wantErr:   "panic",
			wantPanic: "kaput",
		},
		{
			name: "map iteration",
			src: `
def task(x):
    if x == 3:
        boom("in map")
    return x
pool = ThreadPoolExecutor(max_workers=2)
for x in pool.map(task, range(6)):
    pass
`,
			wantErr:   "panic",
			wantPanic: "in map",
		},
		{
			name: "task run inline by a waiting worker",
			src: `
def inner():
    boom("inline")
def outer():
    return pool.submit(inner).result()
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(outer).result()
`,
			wantErr:   "panic",
			wantPanic: "inline",
		},
		{
			name:      "main thread",
			src:       `boom("main")`,
			wantErr:   "panic",
			wantPanic: "main",
		},
		{
			name: "done-callback",
			src: `
pool = ThreadPoolExecutor(max_workers=1)
f = pool.submit(lambda: 1)
f.add_done_callback(lambda f: boom("in callback"))
if f.result() != 1:
    fail("result changed by a failing callback")
pool.shutdown()
`,
			stderr: "in callback",
		},
		{
			name: "unretrieved",
			src: `
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(lambda: boom("nobody looked"))
`,
			stderr: "nobody looked",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.wantErr == "" {
				h.run(tt.src)
			} else {
				_, err := h.runErr(tt.src, tt.wantErr)
				var pe *runtime.PanicError
				if !errors.As(err, &pe) {
					t.Errorf("error: got %T (%v); want one wrapping *runtime.PanicError", err, err)
				} else if pe.Value != tt.wantPanic {
					t.Errorf("panic value: got %v; want %v", pe.Value, tt.wantPanic)
				}
			}
			if got := h.stderr.String(); !strings.Contains(got, tt.stderr) {
				t.Errorf("stderr: got %q; want it to contain %q", got, tt.stderr)
			}
			// The runtime still works.
			g := h.run(`
pool = ThreadPoolExecutor(max_workers=3)
total = sorted(list(pool.map(lambda x: x * x, range(10))))
`)
			expect(t, g, "total", "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]")
			h.rt.Close()
			goleak.VerifyNone(t)
		})
	}
}

// TestNestedSubmit checks that a task waiting on a future of its own pool
// cannot deadlock, even with a single worker: the waiting worker runs the
// pending task itself.
func TestNestedSubmit(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		src     string // defines outer(x); the script checks pool.submit(outer, 1).result() == want
		want    string
	}{
		{"result", 1, `
def outer(x):
    return pool.submit(inner, x).result()
`, "10"},
		{"result with timeout", 1, `
def outer(x):
    return pool.submit(inner, x).result(timeout=30)
`, "10"},
		{"exception", 1, `
def outer(x):
    f = pool.submit(inner, x)
    if f.exception() != None:
        fail("inner failed")
    return f.result()
`, "10"},
		{"wait", 1, `
def outer(x):
    fs = [pool.submit(inner, x), pool.submit(inner, x + 1)]
    done, not_done = wait(fs)
    if len(not_done) != 0:
        fail("wait returned early")
    return fs[0].result() + fs[1].result()
`, "30"},
		{"wait FIRST_COMPLETED", 1, `
def outer(x):
    fs = [pool.submit(inner, x)]
    done, not_done = wait(fs, return_when=FIRST_COMPLETED)
    return list(done)[0].result()
`, "10"},
		{"as_completed", 1, `
def outer(x):
    total = 0
    for f in as_completed([pool.submit(inner, x), pool.submit(inner, x + 1), pool.submit(inner, x + 2)]):
        total += f.result()
    return total
`, "60"},
		{"map", 1, `
def outer(x):
    return list(pool.map(inner, range(x, x + 3)))
`, "[10, 20, 30]"},
		{"three levels", 1, `
def middle(x):
    return pool.submit(inner, x).result() + 1
def outer(x):
    return pool.submit(middle, x).result() + 1
`, "12"},
		{"recursive fan-out, 1 worker", 1, `
def outer(n):
    return fib(12)
def fib(n):
    if n < 2:
        return n
    a = pool.submit(fib, n - 1)
    b = pool.submit(fib, n - 2)
    return a.result() + b.result()
`, "144"},
		{"recursive fan-out, 2 workers", 2, `
def outer(n):
    return fib(12)
def fib(n):
    if n < 2:
        return n
    fs = [pool.submit(fib, n - 1), pool.submit(fib, n - 2)]
    wait(fs)
    return fs[0].result() + fs[1].result()
`, "144"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			g, err := h.exec(ctx, tt.src+`
def inner(x):
    return x * 10
pool = ThreadPoolExecutor(max_workers=`+strconv.Itoa(tt.workers)+`)
got = pool.submit(outer, 1).result()
`)
			if err != nil {
				var ce *runtime.CancelError
				if errors.As(err, &ce) {
					t.Fatalf("nested submit: got a deadlock (cancelled after %v); want completion", patience)
				}
				t.Fatalf("nested submit: got %v; want success", err)
			}
			expect(t, g, "got", tt.want)
		})
	}
}

// TestFutureSemantics checks CPython's Future and wait/as_completed
// behaviour, script by script.
func TestFutureSemantics(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr string
		stderr  string
	}{
		{
			name: "result and exception of a successful task",
			src: `
pool = ThreadPoolExecutor(max_workers=2)
f = pool.submit(lambda a, b=0: a + b, 1, b=2)
if f.result() != 3 or f.exception() != None or not f.done() or f.running() or f.cancelled():
    fail("got %s" % f)
`,
		},
		{
			name: "cancel: pending yes, running and finished no",
			src: `
def block():
    tick()
    wait_gate()
    return 1
pool = ThreadPoolExecutor(max_workers=1)
running = pool.submit(block)
pending = pool.submit(lambda: 2)
await_ticks(1)
if not running.running():
    fail("running(): got False; want True")
if running.cancel():
    fail("cancel() of a running future: got True; want False")
if not pending.cancel() or not pending.cancelled() or not pending.done():
    fail("cancel() of a pending future: got False; want True")
if not pending.cancel():
    fail("cancel() twice: got False; want True")
open_gate()
if running.result() != 1:
    fail("running: got %s" % running.result())
if running.cancel():
    fail("cancel() of a finished future: got True; want False")
pending.result()
`,
			wantErr: "CancelledError",
		},
		{
			name: "result(timeout) fails with TimeoutError",
			src: `
pool = ThreadPoolExecutor(max_workers=1)
f = pool.submit(wait_gate)
err = fails(lambda: f.result(timeout=0.01))
open_gate()
if err == None or "TimeoutError" not in err:
    fail("got %s; want TimeoutError" % err)
if f.result() != None:
    fail("the task's result changed")
`,
		},
		{
			name: "exception() of a failed task; failure not re-reported",
			src: `
pool = ThreadPoolExecutor(max_workers=1)
f = pool.submit(lambda: fail("task broke"))
e = f.exception()
if "task broke" not in str(e):
    fail("got %s" % e)
`,
		},
		{
			name: "unretrieved failure is reported",
			src: `
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(lambda: fail("lost error"))
`,
			stderr: "lost error",
		},
		{
			name: "wait FIRST_COMPLETED, FIRST_EXCEPTION and timeout",
			src: `
pool = ThreadPoolExecutor(max_workers=3)
slow = pool.submit(wait_gate)
fast = pool.submit(lambda: 1)
bad = pool.submit(lambda: fail("x"))
done, not_done = wait([slow, fast], return_when=FIRST_COMPLETED)
if fast not in done or slow not in not_done:
    fail("FIRST_COMPLETED: got %s %s" % (done, not_done))
done, not_done = wait([slow, bad, fast], return_when=FIRST_EXCEPTION)
if bad not in done or slow not in not_done:
    fail("FIRST_EXCEPTION: got %s %s" % (done, not_done))
r = wait([slow, fast], timeout=0.02)
if slow not in r.not_done or fast not in r.done:
    fail("timeout: got %s" % r)
open_gate()
done, not_done = wait([slow, fast, slow])
if len(done) != 2 or len(not_done) != 0:
    fail("ALL_COMPLETED: got %s" % (done, not_done))
bad.exception()
`,
		},
		{
			name: "as_completed yields each future once; done ones first",
			src: `
pool = ThreadPoolExecutor(max_workers=2)
a = pool.submit(lambda: "a")
a.result()
b = pool.submit(wait_gate)
order = []
for f in as_completed([a, b, a]):
    order.append(f)
    if f == a:
        open_gate()
if order != [a, b]:
    fail("got %s" % order)
`,
		},
		{
			name: "as_completed timeout",
			src: `
pool = ThreadPoolExecutor(max_workers=2)
a = pool.submit(lambda: 1)
a.result()
fs = [a, Future()]
for f in as_completed(fs, timeout=0.05):
    pass
`,
			wantErr: "TimeoutError: 1 (of 2) futures unfinished",
		},
		{
			name: "map timeout",
			src: `
pool = ThreadPoolExecutor(max_workers=2)

def consume():
    for x in pool.map(lambda x: wait_gate(), range(2), timeout=0.02):
        pass

exc = ThreadPoolExecutor(max_workers=1).submit(consume).exception()
open_gate()
if "TimeoutError" not in str(exc):
    fail("map loop past its timeout: got %s; want TimeoutError" % exc)
`,
		},
		{
			name: "done callbacks: after completion, and at once when already done",
			src: `
pool = ThreadPoolExecutor(max_workers=1)
f = pool.submit(wait_gate)
f.add_done_callback(lambda fut: tick())
if ticks() != 0:
    fail("callback ran before completion")
open_gate()
f.result()
pool.shutdown()
if ticks() != 1:
    fail("callback calls after completion: got %d; want 1" % ticks())
f.add_done_callback(lambda fut: tick())
if ticks() != 2:
    fail("callback on a done future: got %d calls; want 2" % ticks())
`,
		},
		{
			name: "a script-made Future completed by the script, awaited by a task",
			src: `
f = Future()
pool = ThreadPoolExecutor(max_workers=1)
g = pool.submit(lambda fut: fut.result() * 2, f)
f.set_result(21)
if g.result() != 42:
    fail("got %s" % g.result())
err = fails(lambda: f.set_result(1))
if err == None or "InvalidStateError" not in err:
    fail("set_result twice: got %s" % err)
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.wantErr == "" {
				h.run(tt.src)
			} else {
				h.runErr(tt.src, tt.wantErr)
			}
			got := h.stderr.String()
			if tt.stderr == "" && got != "" {
				t.Errorf("stderr: got %q; want nothing", got)
			}
			if !strings.Contains(got, tt.stderr) {
				t.Errorf("stderr: got %q; want it to contain %q", got, tt.stderr)
			}
		})
	}
}

// TestNestedSubmitNoRace submits, from a task, functions that no crossing
// has shared yet (a nested def, a lambda), while the script keeps
// rebinding a global no task reads. Sharing them must not read the
// script's globals from the worker goroutine: under -race, any such read
// is reported.
func TestNestedSubmitNoRace(t *testing.T) {
	tests := []struct {
		name  string
		outer string
	}{
		{"lambda", `
def outer(x):
    wait_gate()
    return pool.submit(lambda: leaf(x)).result()
`},
		{"nested def", `
def outer(x):
    wait_gate()
    def inner():
        return leaf(x)
    return pool.submit(inner).result()
`},
		{"nested def through map", `
def outer(x):
    wait_gate()
    def inner(y):
        return leaf(y)
    return list(pool.map(inner, [x]))[0]
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			g := h.run(tt.outer + `
LIMIT = 3
def leaf(x):
    return x + LIMIT
pool = ThreadPoolExecutor(max_workers=2)
fs = [pool.submit(outer, i) for i in range(20)]
open_gate()
counter = 0
for i in range(5000):
    counter += 1
results = [f.result() for f in fs]
`)
			expect(t, g, "results", "[3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]")
		})
	}
}

// TestDoneCallbackShutdownOwnPool calls shutdown() from a done-callback
// that runs on a worker of the pool being shut down. The worker cannot wait
// for itself: CPython fails the join inside the callback (and logs it);
// it must never hang the script.
func TestDoneCallbackShutdownOwnPool(t *testing.T) {
	tests := []struct {
		name     string
		shutdown string
	}{
		{"shutdown()", "pool.shutdown()"},
		{"shutdown(wait=True, cancel_futures=True)", "pool.shutdown(wait=True, cancel_futures=True)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			_, err := h.exec(ctx, `
pool = ThreadPoolExecutor(max_workers=1)
f = pool.submit(wait_gate)
f.add_done_callback(lambda fut: `+tt.shutdown+`)
open_gate()
f.result()
pool.shutdown()
`)
			if err != nil {
				t.Errorf("shutdown from a done-callback on the pool's own worker: got %v (stderr %q); want the script to end", err, h.stderr.String())
			}
		})
	}
}

// TestIteratorReturnedByTask checks that a task cannot return a map or
// as_completed iterator it created: the iterator belongs to the task's
// thread, so the task fails with an error that says so, rather than the
// script's loop losing the errors the iteration would meet.
func TestIteratorReturnedByTask(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr string
	}{
		{"map with a failing task", `
def work(x):
    if x == 2:
        fail("work failed on 2")
    return x
def producer():
    return pool.map(work, range(5))
pool = ThreadPoolExecutor(max_workers=2)
out = []
for x in pool.submit(producer).result():
    out.append(x)
print(out)
`, "a task cannot return a value of type map_results"},
		{"as_completed timeout", `
def producer():
    return as_completed([Future()], timeout=0.01)
pool = ThreadPoolExecutor(max_workers=1)
for f in pool.submit(producer).result():
    pass
print("loop ended")
`, "a task cannot return a value of type as_completed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			_, err := h.exec(ctx, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error: got %v (stdout %q, stderr %q); want one containing %q", err, h.stdout.String(), h.stderr.String(), tt.wantErr)
			}
		})
	}
}
