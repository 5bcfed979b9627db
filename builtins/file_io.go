package builtins

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"syscall"
	"unicode/utf8"

	"go.starlark.net/starlark"
)

// Reading and decoding a file, and CPython's error messages for it.

// read reads n characters (bytes in binary mode), or all that is left if
// n < 0; f.mu is held and f is readable.
func (f *file) read(fn string, n int) (starlark.Value, error) {
	if n < 0 {
		data, err := io.ReadAll(f.r)
		start := f.pos
		f.pos += int64(len(data))
		if err != nil {
			return nil, osError(fn, f.name, err)
		}
		return f.value(fn, data, start)
	}
	if f.binary {
		data, err := io.ReadAll(io.LimitReader(f.r, int64(n)))
		f.pos += int64(len(data))
		if err != nil {
			return nil, osError(fn, f.name, err)
		}
		return starlark.Bytes(data), nil
	}
	return f.readChars(fn, n, false)
}

// readline reads up to and including the next "\n", at most n characters
// (bytes in binary mode) if n >= 0; f.mu is held and f is readable.
func (f *file) readline(fn string, n int) (starlark.Value, error) {
	if n < 0 {
		data, err := f.r.ReadBytes('\n')
		start := f.pos
		f.pos += int64(len(data))
		if err != nil && err != io.EOF {
			return nil, osError(fn, f.name, err)
		}
		return f.value(fn, data, start)
	}
	if f.binary {
		var line []byte
		for len(line) < n {
			c, err := f.r.ReadByte()
			if err == io.EOF {
				break
			} else if err != nil {
				return nil, osError(fn, f.name, err)
			}
			f.pos++
			line = append(line, c)
			if c == '\n' {
				break
			}
		}
		return starlark.Bytes(line), nil
	}
	return f.readChars(fn, n, true)
}

// readChars reads up to n characters of a text file, stopping after a
// "\n" if line is set; f.mu is held and f is readable.
func (f *file) readChars(fn string, n int, line bool) (starlark.Value, error) {
	var buf strings.Builder
	for range n {
		r, err := f.readRune(fn)
		if err != nil {
			return nil, err
		}
		if r < 0 {
			break
		}
		buf.WriteRune(r)
		if line && r == '\n' {
			break
		}
	}
	return starlark.String(buf.String()), nil
}

// readRune reads one UTF-8 character, or returns -1 at the end of the file.
func (f *file) readRune(fn string) (rune, error) {
	head, err := f.r.Peek(utf8.UTFMax)
	if len(head) == 0 {
		if err != nil && err != io.EOF {
			return 0, osError(fn, f.name, err)
		}
		return -1, nil
	}
	r, size := utf8.DecodeRune(head)
	if r == utf8.RuneError && size == 1 {
		return 0, decodeError(fn, f.name, head, f.pos)
	}
	f.r.Discard(size)
	f.pos += int64(size)
	return r, nil
}

// value returns data read from f as bytes or, in text mode, as a string,
// checking that it is UTF-8; start is the offset of data in the file.
func (f *file) value(fn string, data []byte, start int64) (starlark.Value, error) {
	if f.binary {
		return starlark.Bytes(data), nil
	}
	if !utf8.Valid(data) {
		return nil, decodeError(fn, f.name, data, start)
	}
	return starlark.String(data), nil
}

// decodeError describes the first invalid UTF-8 sequence of data, which
// starts at offset start of the file, as CPython's UnicodeDecodeError
// does.
func decodeError(fn, name string, data []byte, start int64) error {
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	c := data[i]
	reason := "invalid start byte"
	if c >= 0xC2 && c <= 0xF4 {
		reason = "invalid continuation byte"
		if !utf8.FullRune(data[i:]) {
			reason = "unexpected end of data"
		}
	}
	return pyError(fn, "UnicodeDecodeError", "'utf-8' codec can't decode byte 0x%02x in position %d: %s (the file %s is not UTF-8 text; open it in binary mode, e.g. 'rb', to read bytes)",
		c, start+int64(i), reason, pyRepr(name))
}

// osError turns an error of the os package about the file the script
// calls name into CPython's OSError subclass and message, such as
// "FileNotFoundError: [Errno 2] No such file or directory: 'x'".
func osError(fn, name string, err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return pyError(fn, "OSError", "%s: %s", pyRepr(name), unwrapPathError(err))
	}
	class := "OSError"
	switch {
	case errors.Is(errno, fs.ErrNotExist):
		class = "FileNotFoundError"
	case errors.Is(errno, fs.ErrExist):
		class = "FileExistsError"
	case errors.Is(errno, fs.ErrPermission):
		class = "PermissionError"
	case errno == syscall.EISDIR:
		class = "IsADirectoryError"
	case errno == syscall.ENOTDIR:
		class = "NotADirectoryError"
	}
	text := errno.Error()
	if text != "" {
		text = strings.ToUpper(text[:1]) + text[1:]
	}
	return pyError(fn, class, "[Errno %d] %s: %s", int(errno), text, pyRepr(name))
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// pyRepr quotes s as Python's repr of a str does.
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var buf bytes.Buffer
	buf.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			buf.WriteByte('\\')
			buf.WriteRune(r)
		case r == '\n':
			buf.WriteString(`\n`)
		case r == '\r':
			buf.WriteString(`\r`)
		case r == '\t':
			buf.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&buf, `\x%02x`, r)
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte(quote)
	return buf.String()
}
