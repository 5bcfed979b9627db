package builtins

import (
	"fmt"
	"io"
	"math"
	"unicode/utf8"

	"go.starlark.net/starlark"
)

// The methods of a file object, as Starlark calls them.

// fileOf returns the file a method was called on, locked and checked usable
// by thread; the caller must unlock it.
func fileOf(thread *starlark.Thread, b *starlark.Builtin) (*file, error) {
	f := b.Receiver().(*file)
	f.mu.Lock()
	if err := f.usable(thread, b.Name()); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	return f, nil
}

// readableFileOf is fileOf for a method that reads: the file must also be
// open for reading.
func readableFileOf(thread *starlark.Thread, b *starlark.Builtin) (*file, error) {
	f, err := fileOf(thread, b)
	if err != nil {
		return nil, err
	}
	if err := f.readable(b.Name()); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	return f, nil
}

// sizeArg converts a size argument: an int, or None for -1.
func sizeArg(fn string, v starlark.Value) (int, error) {
	if v == nil || v == starlark.None {
		return -1, nil
	}
	i, ok := v.(starlark.Int)
	if !ok {
		return 0, pyError(fn, "TypeError", "argument should be integer or None, not '%s'", v.Type())
	}
	n, ok := i.Int64()
	if !ok || n < 0 {
		return -1, nil
	}
	return int(min(n, int64(math.MaxInt))), nil
}

func fileRead(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return readSized(thread, b, args, kwargs, (*file).read)
}

func fileReadline(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return readSized(thread, b, args, kwargs, (*file).readline)
}

// readSized implements the methods that take size=-1: read and readline.
func readSized(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple,
	read func(f *file, fn string, n int) (starlark.Value, error)) (starlark.Value, error) {
	var size starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "size?", &size); err != nil {
		return nil, err
	}
	n, err := sizeArg(b.Name(), size)
	if err != nil {
		return nil, err
	}
	f, err := readableFileOf(thread, b)
	if err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	return read(f, b.Name(), n)
}

func fileReadlines(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := noArgs(b, args, kwargs); err != nil {
		return nil, err
	}
	f, err := readableFileOf(thread, b)
	if err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	var lines []starlark.Value
	for {
		line, err := f.readline(b.Name(), -1)
		if err != nil {
			return nil, err
		}
		if lineLen(line) == 0 {
			return starlark.NewList(lines), nil
		}
		lines = append(lines, line)
	}
}

func fileWrite(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &s); err != nil {
		return nil, err
	}
	f, err := fileOf(thread, b)
	if err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	if f.shared.Load() {
		return nil, fmt.Errorf("%s: the file %s was shared with a task, so no thread may write to it any more; "+
			"open the file inside the task instead (or let the task return what to write, and write it in the script)", b.Name(), pyRepr(f.name))
	}
	if !f.writable {
		return nil, pyError(b.Name(), "UnsupportedOperation", "not writable")
	}
	var data string
	var count int
	switch s := s.(type) {
	case starlark.String:
		if f.binary {
			return nil, pyError(b.Name(), "TypeError", "a bytes-like object is required, not 'str'")
		}
		data, count = string(s), utf8.RuneCountInString(string(s))
	case starlark.Bytes:
		if !f.binary {
			return nil, pyError(b.Name(), "TypeError", "write() argument must be str, not bytes")
		}
		data, count = string(s), len(s)
	default:
		if f.binary {
			return nil, pyError(b.Name(), "TypeError", "a bytes-like object is required, not '%s'", s.Type())
		}
		return nil, pyError(b.Name(), "TypeError", "write() argument must be str, not %s", s.Type())
	}
	if _, err := io.WriteString(f.f, data); err != nil {
		return nil, osError(b.Name(), f.name, err)
	}
	return starlark.MakeInt(count), nil
}

func fileClose(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := noArgs(b, args, kwargs); err != nil {
		return nil, err
	}
	f := b.Receiver().(*file)
	f.mu.Lock()
	defer f.mu.Unlock()
	pending := f.pending(b.Name())
	if err := f.close(b.Name()); err != nil {
		return nil, err
	}
	if pending != nil {
		return nil, pending
	}
	return starlark.None, nil
}
