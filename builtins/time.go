package builtins

import (
	"fmt"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/starpool/starpool/runtime"
)

// start anchors monotonic() and perf_counter().
var start = time.Now()

// Time is the module time, the part of Python's that scripts use with pools:
//
//	sleep(secs) - pause the calling thread; returns early, failing, if the script is cancelled
//	time() - seconds since the Unix epoch, as a float
//	monotonic() - seconds on a clock that never goes back, as a float
//	perf_counter() - seconds on the clock for timing, as a float
var Time = &starlarkstruct.Module{
	Name: "time",
	Members: starlark.StringDict{
		"sleep":        starlark.NewBuiltin("sleep", sleep),
		"time":         starlark.NewBuiltin("time", clock(func() float64 { return float64(time.Now().UnixNano()) / 1e9 })),
		"monotonic":    starlark.NewBuiltin("monotonic", clock(sinceStart)),
		"perf_counter": starlark.NewBuiltin("perf_counter", clock(sinceStart)),
	},
}

func sinceStart() float64 { return time.Since(start).Seconds() }

func clock(now func() float64) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := noArgs(b, args, kwargs); err != nil {
			return nil, err
		}
		return starlark.Float(now()), nil
	}
}

func sleep(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var secs starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &secs); err != nil {
		return nil, err
	}
	d, err := seconds(b.Name(), "secs", secs)
	if err != nil {
		return nil, err
	}
	if d < 0 {
		return nil, pyError(b.Name(), "ValueError", "sleep length must be non-negative")
	}
	t := time.NewTimer(d)
	defer t.Stop()
	ctx := runtime.Context(thread)
	select {
	case <-t.C:
		return starlark.None, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", b.Name(), runtime.ContextError(ctx))
	}
}
