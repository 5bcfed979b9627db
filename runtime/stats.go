package runtime

import (
	"sync/atomic"
	"time"
)

// Stats count the work of a runtime's scripts and tasks since it was made.
type Stats struct {
	Submitted      int64         // tasks submitted
	Completed      int64         // tasks that returned a value
	Failed         int64         // tasks that failed
	Cancelled      int64         // tasks cancelled, before or while running
	PeakRunning    int64         // the most tasks running at once
	QueueHighWater int64         // the most tasks waiting to start at once
	Steps          uint64        // Starlark steps of the executions that ended
	TaskTime       time.Duration // the time tasks spent running, added up
}

// counters are the live values behind Stats.
type counters struct {
	submitted, completed, failed, cancelled atomic.Int64
	running, peakRunning                    atomic.Int64
	queued, peakQueued                      atomic.Int64
	steps                                   atomic.Uint64
	taskTime                                atomic.Int64 // nanoseconds
}

// Stats returns the runtime's counters. It is safe to call at any time,
// from any goroutine; the values are read one by one, not as a snapshot.
func (rt *Runtime) Stats() Stats {
	c := &rt.counters
	return Stats{
		Submitted:      c.submitted.Load(),
		Completed:      c.completed.Load(),
		Failed:         c.failed.Load(),
		Cancelled:      c.cancelled.Load(),
		PeakRunning:    c.peakRunning.Load(),
		QueueHighWater: c.peakQueued.Load(),
		Steps:          c.steps.Load(),
		TaskTime:       time.Duration(c.taskTime.Load()),
	}
}

// raise sets peak to v if v is higher.
func raise(peak *atomic.Int64, v int64) {
	for {
		p := peak.Load()
		if v <= p || peak.CompareAndSwap(p, v) {
			return
		}
	}
}

// enqueued counts a task that starts waiting.
func (c *counters) enqueued() {
	c.submitted.Add(1)
	raise(&c.peakQueued, c.queued.Add(1))
}

// started counts a task that stops waiting to run.
func (c *counters) started() {
	c.queued.Add(-1)
	raise(&c.peakRunning, c.running.Add(1))
}

// finished counts a task that ran for d and ended in state (Finished,
// with failed telling how, or Cancelled).
func (c *counters) finished(d time.Duration, cancelled, failed bool) {
	c.running.Add(-1)
	c.taskTime.Add(int64(d))
	switch {
	case cancelled:
		c.cancelled.Add(1)
	case failed:
		c.failed.Add(1)
	default:
		c.completed.Add(1)
	}
}

// dropped counts a waiting task that was cancelled before it started.
func (c *counters) dropped() {
	c.queued.Add(-1)
	c.cancelled.Add(1)
}
