package runtime_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMaxWorkersNeverExceeded counts the tasks running at once: never more
// than max_workers, and exactly max_workers at some point (the barrier in
// enter() holds the first max_workers tasks until they are all in).
func TestMaxWorkersNeverExceeded(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		tasks   int
		via     string // how the script hands out the tasks
	}{
		{"submit/1 worker", 1, 50, "submit"},
		{"submit/3 workers", 3, 200, "submit"},
		{"map/3 workers", 3, 200, "map"},
		{"map buffersize/3 workers", 3, 100, "map_buffered"},
		{"as_completed/4 workers", 4, 100, "as_completed"},
		{"submit/8 workers", 8, 200, "submit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withBarrier(tt.workers))
			g := h.run(fmt.Sprintf(`
N = %d
VIA = %q
def task(i):
    enter()
    sleep(0.001)
    leave()
    return i

pool = ThreadPoolExecutor(max_workers=%d)
if VIA == "submit":
    results = [f.result() for f in [pool.submit(task, i) for i in range(N)]]
elif VIA == "map":
    results = list(pool.map(task, range(N)))
elif VIA == "map_buffered":
    results = list(pool.map(task, range(N), buffersize=2 * %d))
else:
    results = sorted([f.result() for f in as_completed([pool.submit(task, i) for i in range(N)])])
pool.shutdown()
ok = results == list(range(N))
`, tt.tasks, tt.via, tt.workers, tt.workers))
			expect(t, g, "ok", "True")
			if got := h.probe.peak.Load(); got != int64(tt.workers) {
				t.Errorf("peak running tasks: got %v; want %v (max_workers)", got, tt.workers)
			}
			if got := h.probe.running.Load(); got != 0 {
				t.Errorf("tasks still running after shutdown: got %v; want %v", got, 0)
			}
		})
	}
}

var workerName = regexp.MustCompile(`^(.*)_(\d+)$`)

// TestWorkerNames checks CPython's thread names, ThreadPoolExecutor-N_K:
// N numbers the executors of the runtime, K the workers of the executor,
// with K < max_workers because workers are reused.
func TestWorkerNames(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		tasks   int
		create  string // the constructor call
		prefix  string // wanted worker-name prefix
	}{
		{"first executor", 2, 50, "ThreadPoolExecutor(max_workers=2)", "ThreadPoolExecutor-0"},
		{"second executor", 3, 60, "[ThreadPoolExecutor(max_workers=1), ThreadPoolExecutor(max_workers=3)][1]", "ThreadPoolExecutor-1"},
		{"thread_name_prefix", 4, 40, `ThreadPoolExecutor(max_workers=4, thread_name_prefix="crawler")`, "crawler"},
		{"a prefixed executor is not numbered", 2, 20, `[ThreadPoolExecutor(max_workers=1, thread_name_prefix="p"), ThreadPoolExecutor(max_workers=2)][1]`, "ThreadPoolExecutor-0"},
		{"single worker", 1, 30, "ThreadPoolExecutor(1)", "ThreadPoolExecutor-0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withBarrier(tt.workers))
			h.run(fmt.Sprintf(`
def task(i):
    enter()
    leave()
    return thread_name()

pool = %s
names = [f.result() for f in [pool.submit(task, i) for i in range(%d)]]
pool.shutdown()
`, tt.create, tt.tasks))
			h.probe.mu.Lock()
			defer h.probe.mu.Unlock()
			total := 0
			for name, n := range h.probe.names {
				total += n
				m := workerName.FindStringSubmatch(name)
				if m == nil || m[1] != tt.prefix {
					t.Errorf("thread name: got %q; want %s_K", name, tt.prefix)
					continue
				}
				if k, _ := strconv.Atoi(m[2]); k >= tt.workers {
					t.Errorf("worker index in %q: got %v; want < %v (max_workers)", name, k, tt.workers)
				}
			}
			if total != tt.tasks {
				t.Errorf("tasks that reported their thread: got %v; want %v", total, tt.tasks)
			}
			if got := len(h.probe.names); got != tt.workers {
				t.Errorf("distinct workers: got %v; want %v", got, tt.workers)
			}
		})
	}
}

// TestWorkersStartLazily checks that an executor starts no goroutine until
// a task needs one, and never more workers than tasks submitted so far.
func TestWorkersStartLazily(t *testing.T) {
	h := newHarness(t)
	g := h.run(`
g0 = goroutines()
pool = ThreadPoolExecutor(max_workers=32)
g1 = goroutines()
first = pool.submit(thread_name).result()
g2 = goroutines()
for i in range(20):
    name = pool.submit(thread_name).result()
    k = int(name.split("_")[-1])
    if k > i + 1:
        fail("task %d ran on worker %d: more workers than tasks" % (i + 2, k))
pool.shutdown()
`)
	expect(t, g, "first", `"ThreadPoolExecutor-0_0"`)
	g0, g1, g2 := intGlobal(t, g, "g0"), intGlobal(t, g, "g1"), intGlobal(t, g, "g2")
	// Goroutines of earlier tests may still be ending, so the counts are
	// upper bounds.
	if g1 > g0 {
		t.Errorf("goroutines started by ThreadPoolExecutor(max_workers=32): got %v; want %v", g1-g0, 0)
	}
	if g2-g0 > 1 {
		t.Errorf("goroutines after one task: got %v; want at most %v (one idle worker)", g2-g0, 1)
	}
}

// TestManyTasks runs 10,000 tasks through submit+result and through map,
// and fewer through the other ways of handing them out.
func TestManyTasks(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		workers string
		collect string // an expression for the results, in input order
	}{
		{"submit+result", 10000, "8", "[f.result() for f in [pool.submit(square, i) for i in range(N)]]"},
		{"map", 10000, "8", "list(pool.map(square, range(N)))"},
		{"submit+result/1 worker", 2000, "1", "[f.result() for f in [pool.submit(square, i) for i in range(N)]]"},
		{"map/default workers", 2000, "None", "list(pool.map(square, range(N)))"},
		{"map two iterables", 2000, "4", "list(pool.map(mul, range(N), range(N)))"},
		{"map buffersize", 2000, "4", "list(pool.map(square, range(N), buffersize=16))"},
		{"as_completed", 2000, "8", "sorted([f.result() for f in as_completed([pool.submit(square, i) for i in range(N)])])"},
		{"wait", 2000, "8", "[f.result() for f in sorted(list(wait([pool.submit(square, i) for i in range(N)]).done), key=lambda f: f.result())]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			g := h.run(fmt.Sprintf(`
N = %d
def square(x):
    return x * x
def mul(x, y):
    return x * y
pool = ThreadPoolExecutor(max_workers=%s)
results = %s
pool.shutdown()
count = len(results)
ok = results == [i * i for i in range(N)]
`, tt.n, tt.workers, tt.collect))
			expect(t, g, "count", strconv.Itoa(tt.n))
			expect(t, g, "ok", "True")
		})
	}
}

// TestShutdown covers shutdown's options, including from inside a map
// iteration. Each script checks its own expectations with fail(), or must
// fail with wantErr.
func TestShutdown(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr string // "" means the script must succeed
		stdout  string // if not empty, the script's output
	}{
		{
			name: "wait=True waits for running and queued tasks",
			src: `
def task(i):
    sleep(0.02)
    tick()
    return i
pool = ThreadPoolExecutor(max_workers=2)
fs = [pool.submit(task, i) for i in range(6)]
pool.shutdown(wait=True)
if ticks() != 6:
    fail("after shutdown(wait=True): got %d finished tasks; want 6" % ticks())
if not all([f.done() for f in fs]):
    fail("after shutdown(wait=True): got futures not done; want all done")
if [f.result() for f in fs] != list(range(6)):
    fail("results: got %s" % [f.result() for f in fs])
`,
		},
		{
			name: "wait=False returns while a task runs, which still completes",
			src: `
def task():
    wait_gate()
    return "finished"
pool = ThreadPoolExecutor(max_workers=1)
f = pool.submit(task)
g = pool.submit(task)
pool.shutdown(wait=False)
if f.done() or g.done():
    fail("got done futures; want the first blocked and the second queued")
open_gate()
if (f.result(), g.result()) != ("finished", "finished"):
    fail("got %s %s" % (f.result(), g.result()))
`,
		},
		{
			name: "submit after shutdown fails",
			src: `
pool = ThreadPoolExecutor(max_workers=1)
pool.shutdown()
pool.submit(tick)
`,
			wantErr: "RuntimeError: cannot schedule new futures after shutdown",
		},
		{
			name: "shutdown twice is harmless",
			src: `
pool = ThreadPoolExecutor(max_workers=1)
f = pool.submit(lambda: 1)
pool.shutdown()
pool.shutdown(wait=False)
pool.shutdown(cancel_futures=True)
if f.result() != 1:
    fail("got %s" % f.result())
`,
		},
		{
			name: "cancel_futures cancels pending, not running",
			src: `
def task(i):
    if i == 0:
        tick()
        wait_gate()
    return i
pool = ThreadPoolExecutor(max_workers=1)
fs = [pool.submit(task, i) for i in range(6)]
await_ticks(1)
pool.shutdown(wait=False, cancel_futures=True)
got = [f.cancelled() for f in fs]
if got != [False, True, True, True, True, True]:
    fail("cancelled(): got %s" % got)
if not all([f.done() for f in fs[1:]]):
    fail("cancelled futures must be done")
open_gate()
if fs[0].result() != 0:
    fail("running task: got %s; want 0" % fs[0].result())
for f in fs[1:]:
    err = fails(f.result)
    if err == None or "CancelledError" not in err:
        fail("result() of a cancelled future: got %s; want CancelledError" % err)
    err = fails(f.exception)
    if err == None or "CancelledError" not in err:
        fail("exception() of a cancelled future: got %s; want CancelledError" % err)
`,
		},
		{
			name: "cancel_futures with wait=True waits for the running task",
			src: `
def task(i):
    if i == 0:
        tick()
        wait_gate()  # until shutdown has cancelled fs[1]
        sleep(0.05)
    return i
pool = ThreadPoolExecutor(max_workers=1)
fs = [pool.submit(task, i) for i in range(5)]
fs[1].add_done_callback(lambda f: open_gate())
await_ticks(1)
pool.shutdown(cancel_futures=True)
if not fs[0].done() or fs[0].result() != 0:
    fail("running task: got done=%s; want finished with 0" % fs[0].done())
if [f.cancelled() for f in fs] != [False, True, True, True, True]:
    fail("cancelled(): got %s" % [f.cancelled() for f in fs])
fs[3].result()
`,
			wantErr: "CancelledError",
		},
		{
			name: "cancel_running interrupts a running sleep(60)",
			src: `
def task():
    tick()
    sleep(60)
    return "finished"
pool = ThreadPoolExecutor(max_workers=2)
fs = [pool.submit(task) for _ in range(3)]
await_ticks(2)
pool.shutdown(cancel_futures=True, cancel_running=True)
if not all([f.done() for f in fs]):
    fail("done(): got %s; want all done" % [f.done() for f in fs])
if not all([f.cancelled() for f in fs]):
    fail("cancelled(): got %s; want all cancelled" % [f.cancelled() for f in fs])
if ticks() != 2:
    fail("started tasks: got %d; want 2 (the third was pending)" % ticks())
fs[0].result()
`,
			wantErr: "CancelledError",
		},
		{
			name: "shutdown(wait=True) inside map iteration",
			src: `
def task(i):
    sleep(0.001)
    return i * 2
pool = ThreadPoolExecutor(max_workers=2)
out = []
for x in pool.map(task, range(50)):
    if x == 10:
        pool.shutdown(wait=True)
    out.append(x)
if out != [i * 2 for i in range(50)]:
    fail("got %s" % out)
`,
		},
		{
			name: "shutdown(wait=False) inside map iteration",
			src: `
pool = ThreadPoolExecutor(max_workers=3)
out = []
for x in pool.map(lambda i: i + 1, range(40)):
    if x == 1:
        pool.shutdown(wait=False)
    out.append(x)
if out != list(range(1, 41)):
    fail("got %s" % out)
`,
		},
		{
			name: "shutdown(cancel_futures=True) inside map iteration",
			src: `
def task(i):
    if i == 1:
        tick()
        wait_gate()
    return i
pool = ThreadPoolExecutor(max_workers=1)
for x in pool.map(task, range(10)):
    print(x)
    if x == 0:
        await_ticks(1)
        pool.shutdown(wait=False, cancel_futures=True)
        open_gate()
print("not reached")
`,
			wantErr: "CancelledError",
			stdout:  "0\n1\n",
		},
		{
			name: "shutdown inside a task of its own pool",
			src: `
def task():
    pool.shutdown(wait=True)
    return "ok"
pool = ThreadPoolExecutor(max_workers=1)
if pool.submit(task).result() != "ok":
    fail("task did not return")
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			start := time.Now()
			var err error
			if tt.wantErr == "" {
				h.run(tt.src)
			} else {
				_, err = h.runErr(tt.src, tt.wantErr)
			}
			if tt.stdout != "" {
				if got := h.stdout.String(); got != tt.stdout {
					t.Errorf("stdout: got %q; want %q", got, tt.stdout)
				}
			}
			if got := time.Since(start); got > 3*prompt {
				t.Errorf("script ran: got %v; want < %v (err %v)", got, 3*prompt, err)
			}
			h.rt.Close()
			goleak.VerifyNone(t)
		})
	}
}

// TestInitializer checks that the initializer runs once per worker, before
// its first task, with initargs.
func TestInitializer(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		tasks   int
	}{
		{"1 worker", 1, 20},
		{"3 workers", 3, 60},
		{"5 workers", 5, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withBarrier(tt.workers))
			g := h.run(fmt.Sprintf(`
def init(tag, n):
    note("%%s-%%d" %% (tag, n))
def task(i):
    enter()
    leave()
    return thread_name()
pool = ThreadPoolExecutor(max_workers=%d, initializer=init, initargs=("x", 7))
names = [f.result() for f in [pool.submit(task, i) for i in range(%d)]]
more = [f.result() for f in [pool.submit(task, i) for i in range(%d)]]
pool.shutdown()
workers = sorted(set(names + more))
`, tt.workers, tt.tasks, tt.tasks))
			h.probe.mu.Lock()
			inits := append([]string(nil), h.probe.inits...)
			h.probe.mu.Unlock()
			if len(inits) != tt.workers {
				t.Fatalf("initializer calls: got %v; want %v (one per worker)", inits, tt.workers)
			}
			seen := make(map[string]bool)
			for _, in := range inits {
				name, arg, _ := strings.Cut(in, ":")
				if arg != `"x-7"` {
					t.Errorf("initializer argument: got %v; want %v", arg, `"x-7"`)
				}
				if seen[name] {
					t.Errorf("initializer ran twice on %s", name)
				}
				seen[name] = true
			}
			workers := g["workers"].String()
			for name := range seen {
				if !strings.Contains(workers, `"`+name+`"`) {
					t.Errorf("initializer thread %s: got no task on it; want it among the workers %s", name, workers)
				}
			}
		})
	}
}

const brokenPool = "BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore"

// TestInitializerFailure checks that a failing initializer breaks the pool:
// pending futures fail with BrokenThreadPool, and so does every later
// submit.
func TestInitializerFailure(t *testing.T) {
	tests := []struct {
		name    string
		init    string // the body of init()
		workers int
		stderr  string // the stderr must contain it
	}{
		{"fail()", `fail("init exploded")`, 1, "init exploded"},
		{"fail() with 3 workers", `fail("init exploded")`, 3, "init exploded"},
		{"Go panic", `boom("init panicked")`, 2, "init panicked"},
		{"wrong arguments", `len()`, 1, "len"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			src := fmt.Sprintf(`
def init():
    wait_gate()
    %s
def task(i):
    tick()
    return i
pool = ThreadPoolExecutor(max_workers=%d, initializer=init)
fs = [pool.submit(task, i) for i in range(6)]
open_gate()
errs = [str(f.exception()) for f in fs]
cancelled = [f.cancelled() for f in fs]
ran = ticks()
later = fails(lambda: pool.submit(task, 99))
`, tt.init, tt.workers)
			g := h.run(src)
			want := fmt.Sprintf("%q", brokenPool)
			expect(t, g, "errs", "["+strings.TrimSuffix(strings.Repeat(want+", ", 6), ", ")+"]")
			expect(t, g, "cancelled", "[False, False, False, False, False, False]")
			expect(t, g, "ran", "0")
			if got := g["later"].String(); !strings.Contains(got, brokenPool) {
				t.Errorf("submit to a broken pool: got %v; want an error containing %q", got, brokenPool)
			}
			if got := h.stderr.String(); !strings.Contains(got, "Exception in initializer") || !strings.Contains(got, tt.stderr) {
				t.Errorf("stderr: got %q; want the initializer's failure (%q)", got, tt.stderr)
			}
			// The script can still fail with the BrokenThreadPool of result().
			h2 := newHarness(t)
			h2.runErr(`
def init():
    fail("no")
pool = ThreadPoolExecutor(max_workers=1, initializer=init)
pool.submit(len, "abc").result()
`, brokenPool)
		})
	}
}

// TestExecutorDoesNotOutliveScript checks that a script that never shuts
// its executors down still has them shut down, their queued tasks run, when
// it ends.
func TestExecutorDoesNotOutliveScript(t *testing.T) {
	h := newHarness(t)
	h.run(`
def task(i):
    sleep(0.001)
    tick()
pools = [ThreadPoolExecutor(max_workers=2) for _ in range(3)]
for p in pools:
    for i in range(10):
        p.submit(task, i)
`)
	if got := h.probe.ticks.Load(); got != 30 {
		t.Errorf("tasks run by the end of the script: got %v; want %v", got, 30)
	}
	goleak.VerifyNone(t)
}

// TestMaxWorkersArgument checks max_workers's default, min(32, cpu_count +
// 4) as in CPython, and its validation.
func TestMaxWorkersArgument(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr string
	}{
		{"default", `
load("os", "cpu_count")
pool = ThreadPoolExecutor()
if pool._max_workers != min(32, cpu_count() + 4):
    fail("got %d; want %d" % (pool._max_workers, min(32, cpu_count() + 4)))
`, ""},
		{"None", `
load("os", "cpu_count")
if ThreadPoolExecutor(max_workers=None)._max_workers != min(32, cpu_count() + 4):
    fail("wrong default")
`, ""},
		{"explicit", `
if ThreadPoolExecutor(max_workers=7)._max_workers != 7:
    fail("got %d" % ThreadPoolExecutor(max_workers=7)._max_workers)
`, ""},
		{"zero", `ThreadPoolExecutor(max_workers=0)`, "max_workers must be greater than 0"},
		{"negative", `ThreadPoolExecutor(max_workers=-1)`, "max_workers must be greater than 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.wantErr == "" {
				h.run(tt.src)
			} else {
				h.runErr(tt.src, tt.wantErr)
			}
		})
	}
}

// TestCancelFuturesLeavesNoTaskBetween shuts pools down with
// cancel_futures=True while their only worker races through short tasks,
// many times over. When shutdown returns, every future has been cancelled
// or has started: none is still pending, taken from the queue but not yet
// running, to start later.
func TestCancelFuturesLeavesNoTaskBetween(t *testing.T) {
	h := newHarness(t)
	g := h.run(`
N = 200

def ident(x):
    return x

def trial():
    pool = ThreadPoolExecutor(max_workers=1)
    fs = [pool.submit(ident, i) for i in range(N)]
    pool.shutdown(wait=False, cancel_futures=True)
    return len([f for f in fs if not (f.cancelled() or f.running() or f.done())])

between = 0
for _ in range(200):
    between += trial()
`)
	expect(t, g, "between", "0")
}
