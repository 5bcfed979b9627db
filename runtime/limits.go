package runtime

import "go.starlark.net/starlark"

// reserveWorkers applies the worker limits to an executor that asks for n
// workers: it returns how many it gets, or an error naming the limit.
func (rt *Runtime) reserveWorkers(n int) (int, error) {
	if limit := rt.opts.WorkerLimit; limit > 0 && n > limit {
		if !rt.opts.CapWorkers {
			return 0, &LimitError{Limit: "workers per executor", Value: limit, Asked: n}
		}
		n = limit
	}
	rt.workersMu.Lock()
	defer rt.workersMu.Unlock()
	if limit := rt.opts.TotalWorkerLimit; limit > 0 {
		left := limit - rt.workersReserved
		if n > left {
			if !rt.opts.CapWorkers || left < 1 {
				return 0, &LimitError{Limit: "workers", Value: limit, Asked: n, Left: left}
			}
			n = left
		}
	}
	rt.workersReserved += n
	return n, nil
}

// releaseWorkers returns the workers of a terminated executor.
func (rt *Runtime) releaseWorkers(n int) {
	rt.workersMu.Lock()
	rt.workersReserved -= n
	rt.workersMu.Unlock()
}

// write prints text for thread, within the execution's output limit: the
// execution that prints past it is stopped.
func (rt *Runtime) write(thread *starlark.Thread, text string) {
	if limit := rt.opts.OutputLimit; limit > 0 {
		if ts := stateOf(thread); ts != nil {
			if ts.ex.output.Add(int64(len(text))) > limit {
				ts.ex.stop(&LimitError{Limit: "output", Value: limit})
				return
			}
		}
	}
	rt.stdout.Write([]byte(text)) //nolint:errcheck // print has nowhere to report a failed write
}

// Print writes text, which ends with its own newline if it has one, as
// print does: as one unit, within the output limit.
func Print(thread *starlark.Thread, text string) {
	if rt := Of(thread); rt != nil {
		rt.write(thread, text)
	}
}
