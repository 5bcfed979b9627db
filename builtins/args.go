package builtins

import (
	"fmt"
	"math"
	"time"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/runtime"
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
		return 0, pyError(fn, "ValueError", "Invalid value NaN (not a number)")
	}
	if math.Abs(f*float64(time.Second)) >= math.MaxInt64 {
		return 0, pyError(fn, "OverflowError", "timestamp out of range for platform time_t")
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

// pyError returns the error of builtin fn that stands for a CPython
// exception: its text is "fn: Class: message", and errors.As finds the
// *runtime.Exception, so exception().type names the class.
func pyError(fn, class, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fn, &runtime.Exception{Class: class, Msg: fmt.Sprintf(format, args...)})
}
