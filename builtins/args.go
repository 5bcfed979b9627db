package builtins

import (
	"fmt"
	"math"
	"time"

	"go.starlark.net/starlark"
)

// timeoutArg converts a Python timeout (None, int or float seconds) to a
// duration; None is -1, "no timeout", and a negative number is 0, as a
// timeout that has already passed.
func timeoutArg(fn string, v starlark.Value) (time.Duration, error) {
	if v == nil || v == starlark.None {
		return -1, nil
	}
	secs, err := seconds(fn, "timeout", v)
	if err != nil {
		return 0, err
	}
	return max(0, secs), nil
}

// seconds converts an int or float number of seconds to a duration.
func seconds(fn, param string, v starlark.Value) (time.Duration, error) {
	f, ok := starlark.AsFloat(v)
	if !ok {
		return 0, fmt.Errorf("%s: for parameter %s: got %s, want int or float", fn, param, v.Type())
	}
	if math.IsNaN(f) {
		return 0, fmt.Errorf("%s: %s: Invalid value NaN (not a number)", fn, param)
	}
	if f*float64(time.Second) >= math.MaxInt64 {
		return math.MaxInt64, nil
	}
	return time.Duration(f * float64(time.Second)), nil
}

// noArgs checks that a method was called without arguments.
func noArgs(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) error {
	return starlark.UnpackArgs(b.Name(), args, kwargs)
}

// identityHash hashes a value by a number unique to it.
func identityHash(id uint64) uint32 {
	return uint32(id ^ id>>32)
}
