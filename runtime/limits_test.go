package runtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/starpool/starpool/runtime"
)

func withOptions(f func(*runtime.Options)) config {
	return func(o *runtime.Options, _ *probe) { f(o) }
}

// TestLimits runs hostile scripts under each limit and checks that the
// host regains control, with an error naming the limit, and that no
// goroutine is left.
func TestLimits(t *testing.T) {
	tests := []struct {
		name  string
		opts  func(*runtime.Options)
		src   string
		limit string // the LimitError's Limit
		want  string
	}{
		{"steps: infinite loop in a task", func(o *runtime.Options) { o.MaxSteps = 100000 }, `
def spin():
    while True:
        pass
ThreadPoolExecutor(2).submit(spin).result()
`, "steps", "reached the limit of 100000 steps"},
		{"steps: deep recursion", func(o *runtime.Options) { o.MaxSteps = 100000 }, `
def down(n):
    return down(n + 1)
down(0)
`, "steps", "limit of 100000 steps"},
		{"timeout: tasks that never end", func(o *runtime.Options) { o.Timeout = 200 * time.Millisecond }, `
pool = ThreadPoolExecutor(4)
fs = [pool.submit(sleep, 60) for _ in range(8)]
wait(fs)
`, "timeout", "ran longer than 200ms"},
		{"timeout: giant allocation in a loop", func(o *runtime.Options) { o.Timeout = 200 * time.Millisecond }, `
big = []
while True:
    big.append("x" * 1000)
    if len(big) > 100000:
        big = []
`, "timeout", "ran longer than 200ms"},
		{"workers per executor: refused", func(o *runtime.Options) { o.WorkerLimit = 8 },
			`ThreadPoolExecutor(max_workers=1000000)`, "workers per executor", "max_workers=1000000 is above the limit of 8 workers per executor"},
		{"workers: all executors", func(o *runtime.Options) { o.TotalWorkerLimit = 10 }, `
a = ThreadPoolExecutor(max_workers=6)
b = ThreadPoolExecutor(max_workers=6)
`, "workers", "max_workers=6 is above the 4 workers left of the limit of 10"},
		{"pending tasks: fork bomb of submits", func(o *runtime.Options) { o.PendingLimit = 100 }, `
pool = ThreadPoolExecutor(1)
gate = Future()
pool.submit(gate.result)
while True:
    pool.submit(abs, 1)
`, "pending tasks", "the limit of 100 tasks waiting to start"},
		{"output: huge print", func(o *runtime.Options) { o.OutputLimit = 1000 }, `
for i in range(100000):
    print("spam " * 10)
`, "output", "more than the limit of 1000 bytes"},
		{"output: tasks printing", func(o *runtime.Options) { o.OutputLimit = 1000 }, `
def chatty(n):
    for i in range(10000):
        print("task", n, i)
pool = ThreadPoolExecutor(4)
wait([pool.submit(chatty, n) for n in range(4)])
`, "output", "more than the limit of 1000 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, withOptions(tt.opts))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := h.exec(ctx, tt.src)
			var le *runtime.LimitError
			if !errors.As(err, &le) || le.Limit != tt.limit {
				t.Fatalf("error: got %v; want a %q limit error", err, tt.limit)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error: got %v; want one containing %q", err, tt.want)
			}
			h.rt.Close()
			goleak.VerifyNone(t, goleak.IgnoreCurrent())
		})
	}
}

// TestCapWorkers checks that with CapWorkers, executors get what the
// limits leave instead of failing.
func TestCapWorkers(t *testing.T) {
	h := newHarness(t, withOptions(func(o *runtime.Options) {
		o.WorkerLimit, o.TotalWorkerLimit, o.CapWorkers = 8, 10, true
	}))
	g := h.run(`
a = ThreadPoolExecutor(max_workers=1000000)
b = ThreadPoolExecutor(max_workers=5)
sizes = [a._max_workers, b._max_workers]
a.shutdown()
c = ThreadPoolExecutor(max_workers=9)
sizes.append(c._max_workers)
`)
	expect(t, g, "sizes", "[8, 2, 8]")
}

// TestStats checks the runtime's counters after a script whose tasks
// succeed, fail and are cancelled.
func TestStats(t *testing.T) {
	h := newHarness(t)
	h.run(`
def bad(x):
    return 1 // x
pool = ThreadPoolExecutor(max_workers=2)
ok = [pool.submit(abs, -i) for i in range(10)]
failed = [pool.submit(bad, 0) for _ in range(3)]
wait(ok + failed)
[f.exception() for f in failed]
gate = Future()
blocker = pool.submit(gate.result)
blocker2 = pool.submit(gate.result)
queued = [pool.submit(abs, 1) for _ in range(5)]
for f in queued:
    f.cancel()
gate.set_result(1)
pool.shutdown()
`)
	s := h.rt.Stats()
	if s.Submitted != 20 || s.Completed != 12 || s.Failed != 3 || s.Cancelled != 5 {
		t.Errorf("submitted/completed/failed/cancelled: got %d/%d/%d/%d; want 20/12/3/5", s.Submitted, s.Completed, s.Failed, s.Cancelled)
	}
	if s.PeakRunning < 1 || s.PeakRunning > 2 {
		t.Errorf("peak running: got %d; want 1 or 2 (max_workers=2)", s.PeakRunning)
	}
	if s.QueueHighWater < 5 {
		t.Errorf("queue high-water: got %d; want at least 5", s.QueueHighWater)
	}
	if s.Steps == 0 || s.TaskTime <= 0 {
		t.Errorf("steps %d, task time %v: want both above zero", s.Steps, s.TaskTime)
	}
}
