package builtins

import (
	"errors"
	"fmt"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/runtime"
)

// exception is the Starlark value of an error, as future.exception() returns
// it: str() gives the message, as in Python, and the traceback attribute the
// failure's full traceback.
type exception struct {
	err error
}

var _ starlark.HasAttrs = exception{}

func (e exception) String() string        { return e.err.Error() }
func (e exception) Type() string          { return "exception" }
func (e exception) Freeze()               {}
func (e exception) Truth() starlark.Bool  { return true }
func (e exception) Hash() (uint32, error) { return starlark.String(e.err.Error()).Hash() }

// Attr returns an attribute: args (the message in a tuple, as Python's
// args), type (the name of the CPython class it stands for) and traceback.
func (e exception) Attr(name string) (starlark.Value, error) {
	switch name {
	case "args":
		if msg := message(e.err); msg != "" {
			return starlark.Tuple{starlark.String(msg)}, nil
		}
		return starlark.Tuple{}, nil
	case "type":
		return starlark.String(className(e.err)), nil
	case "traceback":
		return starlark.String(runtime.Backtrace(e.err)), nil
	}
	return nil, nil
}

// AttrNames lists the attributes.
func (e exception) AttrNames() []string { return []string{"args", "traceback", "type"} }

// message is the text of err without its CPython class.
func message(err error) string {
	var exc *runtime.Exception
	if errors.As(err, &exc) {
		return exc.Msg
	}
	return err.Error()
}

// className is the CPython class err stands for; a refused capability is a
// PermissionError, a runtime limit a LimitError, a Starlark failure "Error".
func className(err error) string {
	var (
		exc   *runtime.Exception
		perm  *runtime.PermissionError
		limit *runtime.LimitError
	)
	switch {
	case errors.As(err, &exc):
		return exc.Class
	case errors.As(err, &perm):
		return "PermissionError"
	case errors.As(err, &limit):
		return "LimitError"
	}
	return "Error"
}

// errorOf converts the argument of set_exception: an exception value, or a
// string taken as its message.
func errorOf(fn string, v starlark.Value) (error, error) {
	switch v := v.(type) {
	case exception:
		return v.err, nil
	case starlark.String:
		return errors.New(string(v)), nil
	}
	return nil, fmt.Errorf("%s: exceptions must be an exception (from future.exception()) or a message string, got %s", fn, v.Type())
}
