package builtins

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/runtime"
)

// The builtin open and the file objects it returns. Every open asks the
// runtime's permissions first (read for mode "r", write for "w", "a" and
// "x") and opens the resolved path the check returns. Writes are not
// buffered, so what a script wrote is on disk even if it never closes the
// file; a file is closed by close() or at the end of its with-block (files
// left open are released by the Go runtime when they are unreachable).
// Text mode is UTF-8 and keeps line endings as they are ("\r\n" is not
// translated); lines end at "\n".

// open implements open(file, mode="r", encoding="utf-8").
func open(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	const fn = "open"
	var (
		name     string
		mode     = "r"
		encoding starlark.Value
	)
	if err := starlark.UnpackArgs(fn, args, kwargs, "file", &name, "mode?", &mode, "encoding?", &encoding); err != nil {
		return nil, err
	}
	m, err := parseMode(fn, mode)
	if err != nil {
		return nil, err
	}
	if encoding != nil && encoding != starlark.None {
		enc, ok := starlark.AsString(encoding)
		switch {
		case !ok:
			return nil, pyError(fn, "TypeError", "open() argument 'encoding' must be str or None, not %s", encoding.Type())
		case m.binary:
			return nil, pyError(fn, "ValueError", "binary mode doesn't take an encoding argument")
		case !isUTF8(enc):
			return nil, pyError(fn, "LookupError", "unsupported encoding: %s (starpool reads and writes text as UTF-8; open the file in binary mode, e.g. 'rb', to handle other encodings as bytes)", enc)
		}
	}
	rt := runtime.Of(thread)
	if rt == nil {
		return nil, fmt.Errorf("%s: no runtime: files are not available outside a starpool script", fn)
	}
	var path string
	if m.write {
		path, err = rt.CheckWrite(fn, name)
	} else {
		path, err = rt.CheckRead(fn, name)
	}
	if err != nil {
		return nil, err
	}
	if m.flags&(os.O_CREATE|os.O_EXCL) == os.O_CREATE {
		// The check resolved every symbolic link that leads somewhere;
		// one left at the end of the path dangles, and creating the file
		// would follow it to a place the check never saw.
		if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return nil, pyError(fn, "PermissionError", "[Errno 13] Permission denied: %s (a symbolic link to a file that does not exist; starpool does not create files through such links)", pyRepr(name))
		}
	}
	osf, err := os.OpenFile(path, m.flags, 0o666)
	if err != nil {
		return nil, osError(fn, name, err)
	}
	if !m.write {
		// A directory opens for reading on most systems; Python refuses it.
		if info, err := osf.Stat(); err == nil && info.IsDir() {
			osf.Close()
			return nil, osError(fn, name, &fs.PathError{Op: "open", Path: path, Err: syscall.EISDIR})
		}
	}
	f := &file{f: osf, name: name, mode: mode, binary: m.binary, writable: m.write, owner: thread}
	if !m.write {
		f.r = bufio.NewReaderSize(osf, 64<<10)
	}
	return f, nil
}

// fileMode is a parsed mode argument of open.
type fileMode struct {
	flags  int  // for os.OpenFile
	write  bool // w, a or x; otherwise r
	binary bool
}

// parseMode parses open's mode as CPython does: exactly one of r, w, a, x,
// optionally b or t. starpool does not offer "+" (read and write at once).
func parseMode(fn, mode string) (fileMode, error) {
	var m fileMode
	seen := map[rune]bool{}
	kinds := 0
	text := false
	for _, c := range mode {
		if seen[c] || !strings.ContainsRune("rwaxbt+", c) {
			return m, pyError(fn, "ValueError", "invalid mode: %s", pyRepr(mode))
		}
		seen[c] = true
		switch c {
		case 'r':
			m.flags = os.O_RDONLY
		case 'w':
			m.flags, m.write = os.O_WRONLY|os.O_CREATE|os.O_TRUNC, true
		case 'a':
			m.flags, m.write = os.O_WRONLY|os.O_CREATE|os.O_APPEND, true
		case 'x':
			m.flags, m.write = os.O_WRONLY|os.O_CREATE|os.O_EXCL, true
		case 'b':
			m.binary = true
		case 't':
			text = true
		}
		if strings.ContainsRune("rwax", c) {
			kinds++
		}
	}
	switch {
	case text && m.binary:
		return m, pyError(fn, "ValueError", "can't have text and binary mode at once")
	case kinds != 1:
		return m, pyError(fn, "ValueError", "must have exactly one of create/read/write/append mode")
	case seen['+']:
		return m, pyError(fn, "ValueError", "unsupported mode: %s: starpool does not open a file for reading and writing at once; open it once to read and again to write", pyRepr(mode))
	}
	return m, nil
}

func isUTF8(enc string) bool {
	switch strings.ReplaceAll(strings.ToLower(enc), "_", "-") {
	case "utf-8", "utf8", "u8":
		return true
	}
	return false
}

// file is the object open returns. It belongs to the thread that opened
// it, but it is synchronized, so it may cross into a task: freezing it
// marks it shared, and a shared file can be read and closed but no longer
// written.
//
//	read(size=-1) - read and return at most size characters (bytes in binary mode), or all that is left
//	readline(size=-1) - read and return one line, with its "\n"; "" at the end of the file
//	readlines() - read and return the remaining lines, as a list
//	write(s) - write a string (bytes in binary mode); returns how many characters (bytes) were written
//	close() - close the file; closing it again does nothing
//	name - the path the file was opened with
//	mode - the mode the file was opened with
//	closed - whether the file is closed
type file struct {
	name     string // as the script gave it
	mode     string
	binary   bool
	writable bool // otherwise readable
	shared   atomic.Bool

	mu     sync.Mutex
	f      *os.File
	r      *bufio.Reader // nil for a file opened for writing
	pos    int64         // bytes read so far, for decoding errors
	closed bool
	owner  *starlark.Thread // the thread that last used the unshared file
	bound  *starlark.Thread // the thread inside a with-block on the file
	err    error            // a failure of iteration not yet reported
}

// fileMethods are the methods of a file.
var fileMethods = map[string]*starlark.Builtin{
	"read":      starlark.NewBuiltin("read", fileRead),
	"readline":  starlark.NewBuiltin("readline", fileReadline),
	"readlines": starlark.NewBuiltin("readlines", fileReadlines),
	"write":     starlark.NewBuiltin("write", fileWrite),
	"close":     starlark.NewBuiltin("close", fileClose),
}

// fileAttrs are the data attributes of a file.
var fileAttrs = []string{"closed", "mode", "name"}

var (
	_ starlark.HasAttrs      = (*file)(nil)
	_ starlark.Iterable      = (*file)(nil)
	_ runtime.ContextManager = (*file)(nil)
)

func (f *file) String() string {
	switch {
	case !f.binary:
		return fmt.Sprintf("<_io.TextIOWrapper name=%s mode=%s encoding='utf-8'>", pyRepr(f.name), pyRepr(f.mode))
	case f.writable:
		return fmt.Sprintf("<_io.BufferedWriter name=%s>", pyRepr(f.name))
	}
	return fmt.Sprintf("<_io.BufferedReader name=%s>", pyRepr(f.name))
}

func (f *file) Type() string          { return "file" }
func (f *file) Truth() starlark.Bool  { return true }
func (f *file) Hash() (uint32, error) { return 0, errUnhashable("file") }

// Freeze marks the file shared with a task: it can still be read, but no
// thread may write to it any more.
func (f *file) Freeze() { f.shared.Store(true) }

// Attr returns a method or attribute of the file.
func (f *file) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(f.name), nil
	case "mode":
		return starlark.String(f.mode), nil
	case "closed":
		f.mu.Lock()
		defer f.mu.Unlock()
		return starlark.Bool(f.closed), nil
	}
	if m, ok := fileMethods[name]; ok {
		return m.BindReceiver(f), nil
	}
	return nil, nil
}

// AttrNames lists the methods and attributes.
func (f *file) AttrNames() []string {
	return append(sortedKeys(fileMethods), fileAttrs...)
}

// Enter starts a with-block: the file itself is bound by "as".
func (f *file) Enter(thread *starlark.Thread) (starlark.Value, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.usable(thread, "with"); err != nil {
		return nil, err
	}
	f.bound = thread
	return f, nil
}

// Exit closes the file. A failure of a for-loop over the file that its
// thread could not be told about fails the block, unless it failed anyway.
func (f *file) Exit(thread *starlark.Thread, cause error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bound = nil
	pending := f.pending("with")
	if err := f.close("with"); err != nil {
		return err
	}
	if cause == nil && pending != nil {
		return pending
	}
	return nil
}

// Iterate returns an iterator over the remaining lines.
func (f *file) Iterate() starlark.Iterator { return &fileLines{f} }

// fileLines iterates over the lines of a file.
type fileLines struct{ f *file }

// Next reads the next line. A failure (a closed file, text that is not
// UTF-8) stops the loop. Starlark does not tell an iterator which thread
// runs the loop, so the error fails the loop only where that thread is
// certain (see iterating); otherwise, and in any case, it is kept and
// reported by the next use of the file, its close() or the end of its
// with-block.
func (it *fileLines) Next(p *starlark.Value) bool {
	f := it.f
	f.mu.Lock()
	defer f.mu.Unlock()
	var line starlark.Value
	err := f.err
	if err == nil {
		if err = f.readable("for"); err == nil {
			line, err = f.readline("for", -1)
		}
		f.err = err
	}
	if err != nil {
		if thread := f.iterating(); thread != nil {
			runtime.FailIteration(thread, err)
		}
		return false
	}
	if lineLen(line) == 0 {
		return false
	}
	*p = line
	return true
}

func (it *fileLines) Done() {}

// mainThread is the name the engine gives the thread of a script and of
// each input at the prompt: such a thread runs nothing else, and a file
// cannot leave it without being shared.
const mainThread = "MainThread"

// iterating returns the thread that must be iterating f, or nil if that is
// not certain; f.mu is held. A shared file may be iterated by any thread
// that can see it. An unshared file inside a with-block belongs to the
// thread that entered the block: it can leave that thread only by being
// shared, or by a return that ends the block. Otherwise it belongs to the
// thread that last used it, unless it has moved since, as a task's result
// does: the task's worker then runs other tasks on the same thread, which
// must not be touched, so only a script's main thread is trusted.
func (f *file) iterating() *starlark.Thread {
	switch {
	case f.shared.Load():
		return nil
	case f.bound != nil:
		return f.bound
	case f.owner != nil && f.owner.Name == mainThread:
		return f.owner
	}
	return nil
}

func lineLen(v starlark.Value) int {
	if s, ok := v.(starlark.String); ok {
		return len(s)
	}
	return len(v.(starlark.Bytes))
}

// usable is called with f.mu held by every operation of thread on f: it
// reports a failed iteration not yet reported and a closed file, and makes
// thread the owner of an unshared file (ownership moves with a task's
// result, and from one input to the next at the prompt).
func (f *file) usable(thread *starlark.Thread, fn string) error {
	if err := f.pending(fn); err != nil {
		return err
	}
	if f.closed {
		return pyError(fn, "ValueError", "I/O operation on closed file.")
	}
	if !f.shared.Load() {
		f.owner = thread
	}
	return nil
}

// pending returns, and forgets, the failure of a for-loop over f that
// stopped early, for the operation fn; f.mu is held.
func (f *file) pending(fn string) error {
	err := f.err
	if err == nil {
		return nil
	}
	f.err = nil
	return fmt.Errorf("%s: an earlier for-loop over the file %s stopped at an error: %w", fn, pyRepr(f.name), err)
}

// readable checks that f is open for reading; f.mu is held.
func (f *file) readable(fn string) error {
	if f.closed {
		return pyError(fn, "ValueError", "I/O operation on closed file.")
	}
	if f.r == nil {
		return pyError(fn, "UnsupportedOperation", "not readable")
	}
	return nil
}

// close closes f; f.mu is held.
func (f *file) close(fn string) error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.r = nil
	if err := f.f.Close(); err != nil {
		return osError(fn, f.name, err)
	}
	return nil
}
