package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.starlark.net/starlark"
)

// An Exception is an error that stands for a CPython exception of the
// concurrent.futures API, such as CancelledError or TimeoutError. Its text
// is CPython's: the class name, then the message if there is one.
type Exception struct {
	Class string // CPython's exception class, e.g. "TimeoutError"
	Msg   string // CPython's message; may be empty
	Cause error  // what led to it, e.g. the cancellation behind a CancelledError
}

// Error returns CPython's text: the class, then the message.
func (e *Exception) Error() string {
	if e.Msg == "" {
		return e.Class
	}
	return e.Class + ": " + e.Msg
}

// Unwrap returns the cause.
func (e *Exception) Unwrap() error { return e.Cause }

// exceptionClass names the CPython class that err stands for; a Starlark
// failure is an "Error".
func exceptionClass(err error) string {
	var exc *Exception
	if errors.As(err, &exc) {
		return exc.Class
	}
	return "Error"
}

// A TaskError is the failure of a task, as result() and exception() hand it
// to the caller. It keeps the task's own Starlark backtrace and the call that
// submitted the task.
type TaskError struct {
	Task      string             // the task's function name
	Thread    string             // the worker thread that ran it
	Submitted starlark.CallFrame // the call that submitted it
	Err       error              // the failure, usually a *starlark.EvalError
}

// Error returns the task's error message, without the explanation of the
// sharing rule that its traceback shows.
func (e *TaskError) Error() string {
	msg, _, _ := strings.Cut(e.Err.Error(), "\n"+frozenNote)
	return msg
}

// Unwrap returns the task's own error.
func (e *TaskError) Unwrap() error { return e.Err }

// Backtrace returns the task's traceback, introduced by where it ran and
// where it was submitted.
func (e *TaskError) Backtrace() string {
	head := fmt.Sprintf("Task %s failed in thread %s", e.Task, e.Thread)
	if e.Submitted.Pos.IsValid() {
		head += fmt.Sprintf(" (submitted at %s in %s)", e.Submitted.Pos, e.Submitted.Name)
	}
	return head + ":\n" + Backtrace(e.Err)
}

// A LimitError reports that a script was stopped by one of the runtime's
// limits.
type LimitError struct {
	Limit string // which limit: "steps", "timeout", "output", "workers", ...
	Value any    // the limit's value
	Asked int    // for the worker limits: the max_workers asked for
	Left  int    // for the total worker limit: the workers left
}

// Error says which limit stopped the script.
func (e *LimitError) Error() string {
	switch e.Limit {
	case "steps":
		return fmt.Sprintf("too many steps: the script and its tasks reached the limit of %d steps", e.Value)
	case "timeout":
		return fmt.Sprintf("timeout: the script and its tasks ran longer than %v", e.Value)
	case "response body":
		return fmt.Sprintf("response body too large: more than %v", e.Value)
	case "output":
		return fmt.Sprintf("too much output: the script printed more than the limit of %v bytes", e.Value)
	case "pending tasks":
		return fmt.Sprintf("too many pending tasks: the limit of %v tasks waiting to start was reached; wait for results before submitting more", e.Value)
	case "workers per executor":
		return fmt.Sprintf("max_workers=%d is above the limit of %v workers per executor", e.Asked, e.Value)
	case "workers":
		return fmt.Sprintf("max_workers=%d is above the %d workers left of the limit of %v for all executors; shut an executor down first", e.Asked, e.Left, e.Value)
	}
	return fmt.Sprintf("limit %s reached (%v)", e.Limit, e.Value)
}

// errScriptFailed cancels the tasks of a script that failed.
var errScriptFailed = errors.New("the script failed")

// errRuntimeClosed cancels the executions of a runtime being closed.
var errRuntimeClosed = errors.New("the runtime was closed")

// ContextError is the error of an operation stopped because ctx, a
// thread's context (see [Context]), has ended: a *CancelError that says why.
func ContextError(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil {
		return &CancelError{Cause: cause}
	}
	return &CancelError{Cause: ctx.Err()}
}

// A CancelError reports that an operation was stopped because its script,
// its executor or its runtime was cancelled.
type CancelError struct {
	Cause error // why: a *LimitError, context.Canceled, ...
}

// Error says what was cancelled, and why.
func (e *CancelError) Error() string { return "cancelled: " + e.Cause.Error() }

// Unwrap returns the reason for the cancellation.
func (e *CancelError) Unwrap() error { return e.Cause }

// causedError is a Starlark error whose message was replaced by the error
// that really caused it, keeping the call stack where it surfaced.
type causedError struct {
	*starlark.EvalError
	cause error
}

func (e *causedError) Unwrap() error { return e.cause }

// Backtrace renders err as a Python-style traceback. A task failure that
// surfaced through result() or map shows the task's own traceback first,
// then the caller's, as CPython shows chained exceptions.
func Backtrace(err error) string {
	var b strings.Builder
	writeBacktrace(&b, err)
	return b.String()
}

func writeBacktrace(b *strings.Builder, err error) {
	var carrier *starlark.EvalError
	var cause error
	switch e := err.(type) {
	case *causedError:
		carrier, cause = e.EvalError, e.cause
	case *starlark.EvalError:
		carrier, cause = e, e.Unwrap()
	case *TaskError:
		b.WriteString(e.Backtrace())
		return
	case *PanicError:
		b.WriteString("Error: " + e.Error() + "\n\nGo stack:\n" + e.Stack)
		return
	default:
		b.WriteString("Error: " + err.Error())
		return
	}
	var te *TaskError
	if cause != nil && errors.As(cause, &te) {
		b.WriteString(te.Backtrace())
		b.WriteString("\n\nThe above exception was the direct cause of the following exception:\n\n")
	}
	b.WriteString(collapseRepeats(carrier.Backtrace()))
}

// collapseRepeats shortens runs of identical traceback lines, as a deep
// recursion makes, the way CPython does: three are shown, then a count.
func collapseRepeats(trace string) string {
	lines := strings.Split(trace, "\n")
	var out []string
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && lines[j] == lines[i] {
			j++
		}
		n := j - i
		if n > 3 {
			out = append(out, lines[i], lines[i], lines[i], fmt.Sprintf("  [Previous line repeated %d more times]", n-3))
		} else {
			out = append(out, lines[i:j]...)
		}
		i = j
	}
	return strings.Join(out, "\n")
}
