package runtime_test

import (
	"fmt"
	"testing"
)

// TestMapStopCancelsTheRest stops map loops early, by a break and by a
// failing task, many times over, while the only worker takes tasks from the
// queue. The loop must cancel every task still queued at once, not one by
// one while the worker takes them: the tasks that ran are always the first
// ones, with no gap, and when task 1 holds the worker none after it runs.
func TestMapStopCancelsTheRest(t *testing.T) {
	for _, stop := range []string{"break", "failure"} {
		for _, hold := range []string{"True", "False"} {
			t.Run(fmt.Sprintf("%s/hold=%s", stop, hold), func(t *testing.T) {
				h := newHarness(t)
				g := h.run(fmt.Sprintf(`
STOP = %q
HOLD = %s
N = 200

def task(i, mark, gate):
    if i == 0 and STOP == "failure":
        return 1 // 0
    if i == 1 and HOLD:
        gate.result()
    mark.set_result(i)
    return i

def loop(pool, marks, gate):
    for _ in pool.map(task, range(N), marks, [gate] * N):
        break

outer = ThreadPoolExecutor(max_workers=1)

def trial():
    pool = ThreadPoolExecutor(max_workers=1)
    gate = Future()
    marks = [Future() for _ in range(N)]
    if STOP == "break":
        loop(pool, marks, gate)
    elif outer.submit(loop, pool, marks, gate).exception() == None:
        fail("the loop did not fail")
    gate.set_result(True)
    pool.shutdown()
    return [i for i in range(N) if marks[i].done()]

ran = [trial() for _ in range(100)]
# The tasks that ran are consecutive: the worker never skipped a cancelled
# task to start a later one.
gaps = len([r for r in ran if r and r != list(range(r[0], r[-1] + 1))])
# With task 1 holding the worker, no task after it ran.
beyond = len([r for r in ran if HOLD and r and r[-1] > 1])
`, stop, hold))
				expect(t, g, "gaps", "0")
				expect(t, g, "beyond", "0")
			})
		}
	}
}
