package runtime

import (
	"fmt"
	"io"
	"os"

	"go.starlark.net/starlark"
)

// layerBuiltins are the hidden helpers that the rewritten source calls,
// and __name__, so that "if __name__ == '__main__':" works.
func (rt *Runtime) layerBuiltins() starlark.StringDict {
	return starlark.StringDict{
		"__with__":       starlark.NewBuiltin("with", withOne),
		"__with_all__":   starlark.NewBuiltin("with", withAll),
		"__import__":     starlark.NewBuiltin("import", rt.importModule),
		"__format__":     starlark.NewBuiltin("format", pyFormat),
		"__str_format__": starlark.NewBuiltin("format", strFormat),
		"__assert__":     starlark.NewBuiltin("assert", pyAssert),
		"__name__":       starlark.String("__main__"),
	}
}

// pyAssert implements the assert statement: __assert__(cond, msg=None).
func pyAssert(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cond, msg starlark.Value = nil, starlark.None
	if err := starlark.UnpackPositionalArgs("assert", args, kwargs, 1, &cond, &msg); err != nil {
		return nil, err
	}
	if cond.Truth() {
		return starlark.None, nil
	}
	if msg == starlark.None {
		return nil, fmt.Errorf("AssertionError")
	}
	return nil, fmt.Errorf("AssertionError: %s", PyStr(msg))
}

// source returns the text of a file to execute: src if given (a string,
// []byte or io.Reader), else the file's contents.
func source(filename string, src any) (string, error) {
	switch src := src.(type) {
	case nil:
		data, err := os.ReadFile(filename)
		return string(data), err
	case string:
		return src, nil
	case []byte:
		return string(src), nil
	case io.Reader:
		data, err := io.ReadAll(src)
		return string(data), err
	}
	return "", fmt.Errorf("invalid source: %T", src)
}
