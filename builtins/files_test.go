package builtins_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool"
)

// The tests of open, file objects and the os module's file and environment
// functions. Scripts are Python-flavored and see DIR, a fresh directory.

// commandHint completes refusals as the command does.
func commandHint(kind, target string) string {
	if kind == "env" {
		return "run with --allow-env"
	}
	return fmt.Sprintf("run with --allow-%s=%s", kind, target)
}

// filesDir returns a fresh directory, with its symbolic links resolved so
// that messages can be compared with it.
func filesDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// runFiles runs src with perms and DIR bound to dir; it returns the
// output, the globals (partial if the script failed) and the error.
func runFiles(t *testing.T, perms starpool.Permissions, dir, src string) (string, starlark.StringDict, error) {
	t.Helper()
	var out bytes.Buffer
	if perms.Hint == nil {
		perms.Hint = commandHint
	}
	rt := starpool.New(starpool.Options{
		Stdout:      &out,
		Stderr:      &out,
		Permissions: perms,
		Predeclared: starlark.StringDict{"DIR": starlark.String(dir)},
	})
	globals, err := rt.ExecFile(context.Background(), "files_test.py", src)
	rt.Close()
	return out.String(), globals, err
}

// all grants every file and the environment.
var all = starpool.Permissions{Read: []string{"*"}, Write: []string{"*"}, Env: true}

// wantOutput runs src, which must succeed, and compares its output.
func wantOutput(t *testing.T, perms starpool.Permissions, dir, src, want string) {
	t.Helper()
	out, _, err := runFiles(t, perms, dir, src)
	if err != nil {
		t.Fatalf("script failed: %v\noutput:\n%s", err, out)
	}
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

// wantError runs src, which must fail with an error containing each of
// wants.
func wantError(t *testing.T, perms starpool.Permissions, dir, src string, wants ...string) {
	t.Helper()
	out, _, err := runFiles(t, perms, dir, src)
	if err == nil {
		t.Fatalf("script succeeded; want an error with %q\noutput:\n%s", wants, out)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error:\n%v\nwant it to contain:\n%s", err, w)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o666); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

func TestFilesTextRoundTrip(t *testing.T) {
	dir := filesDir(t)
	wantOutput(t, all, dir, `
p = DIR + "/t.txt"
with open(p, "w") as f:
    print(f.write("héllo\n"), f.write("wörld\nlast"))
    print(f.name == p, f.mode, f.closed)
print(f.closed)

with open(p) as f:
    print(f.read() == "héllo\nwörld\nlast")
with open(p, "rt", encoding="UTF-8") as f:
    print(f.read(2), f.read(3), repr(f.readline()), f.readline(2), repr(f.readline()), f.readline(), repr(f.readline()), repr(f.read()))

lines = []
for line in open(p):
    lines.append(line)
print(lines)
print(open(p).readlines() == lines, list(open(p)) == lines)

with open(p, "a") as f:
    print(f.write("\nmore\n"))
print(open(p).read().splitlines())
print(open(p, encoding=None).readlines()[-1] == "more\n")
`, `6 10
True w False
True
True
hé llo "\n" wö "rld\n" last "" ""
['héllo\n', 'wörld\n', 'last']
True True
6
['héllo', 'wörld', 'last', 'more']
True
`)
}

func TestFilesBinary(t *testing.T) {
	dir := filesDir(t)
	wantOutput(t, all, dir, `
b = DIR + "/b.bin"
data = b"\xff\x00\xfe\nab\n\x80"
with open(b, "wb") as f:
    print(f.write(data), f.mode)
with open(b, "rb") as f:
    print(f.read() == data)
with open(b, "br") as f:
    print(f.readline() == b"\xff\x00\xfe\n", f.read(1) == b"a", f.readline(1) == b"b", f.readlines() == [b"\n", b"\x80"], f.read() == b"")
lines = [line for line in open(b, "rb")]
print(len(lines), type(lines[0]))
with open(b, "ab") as f:
    f.write(b"\x01")
print(len(open(b, "rb").read()))
`, `8 wb
True
True True True True True
3 bytes
9
`)
}

func TestFilesNotUTF8(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/bad.txt", "ok\n\xff\n")
	writeFile(t, dir+"/cont.txt", "ok\n\xc3(\n")
	writeFile(t, dir+"/short.txt", "ab\xe2\x82")
	const hint = "is not UTF-8 text; open it in binary mode, e.g. 'rb', to read bytes"
	wantError(t, all, dir, `open(DIR + "/bad.txt").read()`,
		"read: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 3: invalid start byte", hint)
	wantError(t, all, dir, `open(DIR + "/cont.txt").readlines()`,
		"readlines: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xc3 in position 3: invalid continuation byte")
	wantError(t, all, dir, `open(DIR + "/short.txt").read()`,
		"read: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe2 in position 2: unexpected end of data")
	wantError(t, all, dir, `
f = open(DIR + "/short.txt")
f.read(2)
f.read(1)`,
		"read: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe2 in position 2: unexpected end of data")
	wantError(t, all, dir, `
f = open(DIR + "/bad.txt")
print(f.readline(5))
f.readline(5)`,
		"readline: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 3: invalid start byte")

	// A for-loop over the file fails at the loop, after the good lines.
	out, _, err := runFiles(t, all, dir, `
for line in open(DIR + "/bad.txt"):
    print(line.strip())
`)
	if err == nil || !strings.Contains(err.Error(), "for: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 3") {
		t.Errorf("for-loop over a bad file: error %v", err)
	}
	if out != "ok\n" {
		t.Errorf("for-loop over a bad file printed %q, want the good line", out)
	}

	// Binary mode reads any bytes.
	wantOutput(t, all, dir, `print(open(DIR + "/bad.txt", "rb").read() == b"ok\n\xff\n")`, "True\n")
}

func TestFilesExclusive(t *testing.T) {
	dir := filesDir(t)
	wantOutput(t, all, dir, `
with open(DIR + "/new.txt", "x") as f:
    f.write("first")
print(open(DIR + "/new.txt").read())
`, "first\n")
	wantError(t, all, dir, `open(DIR + "/new.txt", "x")`,
		fmt.Sprintf("open: FileExistsError: [Errno 17] File exists: '%s/new.txt'", dir))
	wantError(t, all, dir, `open(DIR + "/new.txt", "xb")`, "FileExistsError")
	wantOutput(t, all, dir, `print(open(DIR + "/new.txt").read())`, "first\n")
}

func TestFilesWithBlock(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/in.txt", "a\nb\n")
	writeFile(t, dir+"/bad.txt", "a\n\xff\n")

	wantOutput(t, all, dir, `
def first_line(p):
    with open(p) as f:
        return f, f.readline()

with open(DIR + "/in.txt") as f:
    print(f.closed)
print(f.closed)

g, line = first_line(DIR + "/in.txt")
print(g.closed, line.strip())

with open(DIR + "/in.txt") as a, open(DIR + "/out.txt", "w") as b:
    for line in a:
        b.write(line.upper())
print(a.closed, b.closed, open(DIR + "/out.txt").read().split())
`, "False\nTrue\nTrue a\nTrue True ['A', 'B']\n")

	// A with-block that fails closes its file.
	for name, body := range map[string]string{
		"fail":     `fail("boom")`,
		"bad loop": "for line in open(DIR + \"/bad.txt\"):\n        pass",
		"in loop":  "for line in held:\n        fail(\"boom\")",
		"closed":   "held.close()\n    held.read()",
	} {
		t.Run(name, func(t *testing.T) {
			_, globals, err := runFiles(t, all, dir, fmt.Sprintf(`
held = None
def use(p):
    with open(p) as f:
        return f

with open(DIR + "/bad.txt") as f:
    held = f
    %s
`, body))
			if err == nil {
				t.Fatal("the script did not fail")
			}
			if closed := attr(t, globals["held"], "closed"); closed != starlark.True {
				t.Errorf("after %v: closed = %v, want True", err, closed)
			}
		})
	}

	// A closed file cannot be entered, as in CPython.
	wantError(t, all, dir, `
f = open(DIR + "/in.txt")
f.close()
with f as g:
    pass
`, "with: ValueError: I/O operation on closed file.")
}

// attr returns v.name, failing the test if v has no such attribute.
func attr(t *testing.T, v starlark.Value, name string) starlark.Value {
	t.Helper()
	h, ok := v.(starlark.HasAttrs)
	if !ok {
		t.Fatalf("%v has no attributes", v)
	}
	x, err := h.Attr(name)
	if err != nil || x == nil {
		t.Fatalf("%v.%s: %v", v, name, err)
	}
	return x
}

func TestFilesLarge(t *testing.T) {
	dir := filesDir(t)
	var big strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&big, "line %06d of the large file, with some text é\n", i)
	}
	writeFile(t, dir+"/big.txt", big.String())
	wantOutput(t, all, dir, `
p = DIR + "/big.txt"
with open(p) as f:
    data = f.read()
print(len(data))
n = 0
total = 0
last = None
for line in open(p):
    n += 1
    total += len(line)
    last = line
print(n, total, last.strip())
print(len(open(p).readlines()))
size = 0
with open(p, "rb") as f:
    for i in range(1000):
        chunk = f.read(65536)
        if not chunk:
            break
        size += len(chunk)
print(size)

with open(DIR + "/copy.txt", "w") as out:
    for line in open(p):
        out.write(line)
print(open(DIR + "/copy.txt").read() == data)
`, fmt.Sprintf("%d\n100000 %d line 099999 of the large file, with some text é\n100000\n%d\nTrue\n", big.Len(), big.Len(), big.Len()))
}

func TestFilesErrors(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/in.txt", "text\n")
	if err := os.Mkdir(dir+"/sub", 0o777); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ src, want string }{
		{`open(DIR + "/nope")`, fmt.Sprintf("open: FileNotFoundError: [Errno 2] No such file or directory: '%s/nope'", dir)},
		{`open(DIR + "/nope/x.txt", "w")`, "open: FileNotFoundError: [Errno 2] No such file or directory"},
		{`open(DIR + "/sub")`, fmt.Sprintf("open: IsADirectoryError: [Errno 21] Is a directory: '%s/sub'", dir)},
		{`open(DIR + "/sub", "w")`, "open: IsADirectoryError: [Errno 21] Is a directory"},
		{`open(DIR + "/in.txt", "q")`, "open: ValueError: invalid mode: 'q'"},
		{`open(DIR + "/in.txt", "rr")`, "open: ValueError: invalid mode: 'rr'"},
		{`open(DIR + "/in.txt", "rw")`, "open: ValueError: must have exactly one of create/read/write/append mode"},
		{`open(DIR + "/in.txt", "b")`, "open: ValueError: must have exactly one of create/read/write/append mode"},
		{`open(DIR + "/in.txt", "rbt")`, "open: ValueError: can't have text and binary mode at once"},
		{`open(DIR + "/in.txt", "r+")`, "open: ValueError: unsupported mode: 'r+'"},
		{`open(DIR + "/in.txt", "rb", encoding="utf-8")`, "open: ValueError: binary mode doesn't take an encoding argument"},
		{`open(DIR + "/in.txt", encoding="latin-1")`, "open: LookupError: unsupported encoding: latin-1"},
		{`open(DIR + "/in.txt", buffering=1)`, "unexpected keyword argument"},
		{"f = open(DIR + \"/in.txt\")\nf.close()\nf.read()", "read: ValueError: I/O operation on closed file."},
		{"f = open(DIR + \"/in.txt\")\nf.close()\nf.readline()", "readline: ValueError: I/O operation on closed file."},
		{"f = open(DIR + \"/in.txt\")\nf.close()\nf.readlines()", "readlines: ValueError: I/O operation on closed file."},
		{"f = open(DIR + \"/o.txt\", \"w\")\nf.close()\nf.write(\"x\")", "write: ValueError: I/O operation on closed file."},
		{"f = open(DIR + \"/in.txt\")\nf.close()\nfor line in f:\n    pass", "for: ValueError: I/O operation on closed file."},
		{`open(DIR + "/in.txt").write("x")`, "write: UnsupportedOperation: not writable"},
		{`open(DIR + "/o.txt", "w").read()`, "read: UnsupportedOperation: not readable"},
		{`open(DIR + "/o.txt", "a").readline()`, "readline: UnsupportedOperation: not readable"},
		{`open(DIR + "/o.txt", "w").write(b"x")`, "write: TypeError: write() argument must be str, not bytes"},
		{`open(DIR + "/o.txt", "w").write(1)`, "write: TypeError: write() argument must be str, not int"},
		{`open(DIR + "/o.txt", "wb").write("x")`, "write: TypeError: a bytes-like object is required, not 'str'"},
		{`open(DIR + "/in.txt").read("x")`, "read: TypeError: argument should be integer or None, not 'string'"},
		{`open(1)`, "open: for parameter file: got int, want string"},
	} {
		wantError(t, all, dir, tc.src, tc.want)
	}
	// close twice, read(None), read(-1), negative sizes: as in Python.
	wantOutput(t, all, dir, `
f = open(DIR + "/in.txt")
print(f.read(None), f.read(-1) == "", f.readline(-5) == "")
f.close()
f.close()
print(f.closed, type(f), str(f) == "<_io.TextIOWrapper name='%s/in.txt' mode='r' encoding='utf-8'>" % DIR)
print(str(open(DIR + "/in.txt", "rb")) == "<_io.BufferedReader name='%s/in.txt'>" % DIR)
print(str(open(DIR + "/o.txt", "ab")) == "<_io.BufferedWriter name='%s/o.txt'>" % DIR)
print(sorted(dir(f)))
`, "text\n True True\nTrue file True\nTrue\nTrue\n['close', 'closed', 'mode', 'name', 'read', 'readline', 'readlines', 'write']\n")
}

// TestFilesShared checks the sharing rule for files: a file that crosses
// into a task is marked shared; tasks and the script may still read it
// (one at a time), but no thread may write to it.
func TestFilesShared(t *testing.T) {
	dir := filesDir(t)
	var lines strings.Builder
	for i := range 100 {
		fmt.Fprintf(&lines, "%d\n", i)
	}
	writeFile(t, dir+"/in.txt", lines.String())
	writeFile(t, dir+"/bad.txt", "a\nb\n\xff\n")
	wantOutput(t, all, dir, `
from concurrent.futures import ThreadPoolExecutor

def put(f):
    return f.write("from the task\n")

def take(f, n):
    return [int(f.readline().strip()) for i in range(n)]

def make(p):
    return open(p)

def count(f):
    n = 0
    for line in f:
        n += 1
    f.close()
    return n

out = open(DIR + "/out.txt", "w")
print(out.write("before\n"))
src = open(DIR + "/in.txt")
with ThreadPoolExecutor(max_workers=4) as pool:
    e = pool.submit(put, out).exception()
    got = []
    for fut in [pool.submit(take, src, 25) for i in range(4)]:
        got.extend(fut.result())
    mine = pool.submit(make, DIR + "/in.txt").result()
    bad = pool.submit(count, open(DIR + "/bad.txt")).exception()
print(e)
print(sorted(got) == list(range(100)))
print(mine.readline().strip(), mine.closed)
print(bad)
mine.close()
print(open(DIR + "/out.txt").read().strip())
`, "7\n"+
		"write: the file '"+dir+"/out.txt' was shared with a task, so no thread may write to it any more; "+
		"open the file inside the task instead (or let the task return what to write, and write it in the script)\n"+
		"True\n0 False\n"+
		"close: an earlier for-loop over the file '"+dir+"/bad.txt' stopped at an error: for: UnicodeDecodeError: "+
		"'utf-8' codec can't decode byte 0xff in position 4: invalid start byte "+
		"(the file '"+dir+"/bad.txt' is not UTF-8 text; open it in binary mode, e.g. 'rb', to read bytes)\n"+
		"before\n")

	// A for-loop in a task fails at the loop inside a with-block; a file
	// that a task returns moves to the caller, and the worker that opened
	// it, busy with another task, is not disturbed by its failures.
	out, _, err := runFiles(t, all, dir, `
from concurrent.futures import ThreadPoolExecutor
import time

def count(p):
    n = 0
    with open(p) as f:
        for line in f:
            n += 1
    return n

def make(p):
    return open(p)

def slow():
    time.sleep(0.2)
    return "slow done"

with ThreadPoolExecutor(max_workers=1) as pool:
    print(pool.submit(count, DIR + "/bad.txt").exception())
    moved = pool.submit(make, DIR + "/bad.txt").result()
    busy = pool.submit(slow)
    lines = []
    for line in moved:
        lines.append(line)
    print(lines, busy.result())
    moved.readline()
`)
	decodeErr := "for: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 4: invalid start byte " +
		"(the file '" + dir + "/bad.txt' is not UTF-8 text; open it in binary mode, e.g. 'rb', to read bytes)"
	if want := decodeErr + "\n['a\\n', 'b\\n'] slow done\n"; out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if want := "readline: an earlier for-loop over the file '" + dir + "/bad.txt' stopped at an error: " + decodeErr; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant %s", err, want)
	}

	// The script cannot write to a file it shared either.
	wantError(t, all, dir, `
from concurrent.futures import ThreadPoolExecutor
def size(f):
    return f.name
out = open(DIR + "/out.txt", "w")
with ThreadPoolExecutor() as pool:
    pool.submit(size, out).result()
out.write("x")
`, "write: the file '"+dir+"/out.txt' was shared with a task", "open the file inside the task instead")

	// A task that opens its own file writes to it.
	wantOutput(t, all, dir, `
from concurrent.futures import ThreadPoolExecutor
def save(p, text):
    with open(p, "w") as f:
        return f.write(text)
with ThreadPoolExecutor() as pool:
    ns = list(pool.map(save, [DIR + "/%d.txt" % i for i in range(8)], ["x" * i for i in range(8)]))
print(ns, [len(open(DIR + "/%d.txt" % i).read()) for i in range(8)])
`, "[0, 1, 2, 3, 4, 5, 6, 7] [0, 1, 2, 3, 4, 5, 6, 7]\n")
}

func TestFilesPermissions(t *testing.T) {
	root := filesDir(t)
	granted, outside, other := root+"/granted", root+"/outside", root+"/other"
	for _, d := range []string{granted, outside, other} {
		if err := os.Mkdir(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, granted+"/in.txt", "inside\n")
	writeFile(t, outside+"/secret.txt", "secret\n")
	writeFile(t, other+"/o.txt", "other\n")
	symlink(t, outside, granted+"/link")                  // leads out of the granted dir
	symlink(t, outside+"/new.txt", granted+"/dangle")     // dangles, out of the granted dir
	symlink(t, granted, root+"/alias")                    // a granted path that is a link
	symlink(t, granted+"/in.txt", granted+"/inside-link") // stays inside

	refusedRead := func(path string) string {
		return fmt.Sprintf("open: read access to %q is not allowed; run with --allow-read=%s", path, path)
	}
	refusedWrite := func(path string) string {
		return fmt.Sprintf("open: write access to %q is not allowed; run with --allow-write=%s", path, path)
	}
	read := starpool.Permissions{Read: []string{granted}}
	write := starpool.Permissions{Write: []string{granted}}

	t.Run("nothing granted", func(t *testing.T) {
		wantError(t, starpool.Permissions{}, root, `open(DIR + "/granted/in.txt")`, refusedRead(granted+"/in.txt"))
		wantError(t, starpool.Permissions{}, root, `open(DIR + "/granted/x.txt", "w")`, refusedWrite(granted+"/x.txt"))
		wantError(t, starpool.Permissions{}, root, `open(DIR + "/granted/x.txt", "a")`, refusedWrite(granted+"/x.txt"))
		wantError(t, starpool.Permissions{}, root, `open(DIR + "/granted/x.txt", "xb")`, refusedWrite(granted+"/x.txt"))
		wantError(t, starpool.Permissions{}, root, `open("relative.txt")`, refusedRead("relative.txt"))
	})
	t.Run("read", func(t *testing.T) {
		wantOutput(t, read, root, `
print(open(DIR + "/granted/in.txt").read().strip())
print(open(DIR + "/granted/inside-link").read().strip())
print(open(DIR + "/granted/../granted/in.txt").read().strip())
`, "inside\ninside\ninside\n")
		wantError(t, read, root, `open(DIR + "/granted/x.txt", "w")`, refusedWrite(granted+"/x.txt"))
		wantError(t, read, root, `open(DIR + "/granted/in.txt", "a")`, refusedWrite(granted+"/in.txt"))
		wantError(t, read, root, `open(DIR + "/outside/secret.txt")`, refusedRead(outside+"/secret.txt"))
	})
	t.Run("write", func(t *testing.T) {
		wantOutput(t, write, root, `
with open(DIR + "/granted/new.txt", "w") as f:
    print(f.write("new"))
with open(DIR + "/granted/new.txt", "a") as f:
    f.write("er")
with open(DIR + "/granted/fresh.txt", "x") as f:
    f.write("x")
`, "3\n")
		if b, err := os.ReadFile(granted + "/new.txt"); err != nil || string(b) != "newer" {
			t.Errorf("new.txt: %q, %v", b, err)
		}
		// Writing does not grant reading.
		wantError(t, write, root, `open(DIR + "/granted/new.txt")`, refusedRead(granted+"/new.txt"))
		wantError(t, write, root, `open(DIR + "/other/o.txt", "w")`, refusedWrite(other+"/o.txt"))
	})
	t.Run("dot-dot", func(t *testing.T) {
		both := starpool.Permissions{Read: []string{granted}, Write: []string{granted}}
		wantError(t, both, root, `open(DIR + "/granted/../outside/secret.txt")`, refusedRead(granted+"/../outside/secret.txt"))
		wantError(t, both, root, `open(DIR + "/granted/../outside/new.txt", "w")`, refusedWrite(granted+"/../outside/new.txt"))
		wantError(t, both, root, `open(DIR + "/granted/nosuch/../../outside/new.txt", "w")`, "write access to")
		wantError(t, both, root, `open(DIR + "/granted/..")`, refusedRead(granted+"/.."))
	})
	t.Run("symlink out", func(t *testing.T) {
		both := starpool.Permissions{Read: []string{granted}, Write: []string{granted}}
		wantError(t, both, root, `open(DIR + "/granted/link/secret.txt")`, refusedRead(granted+"/link/secret.txt"))
		wantError(t, both, root, `open(DIR + "/granted/link/new.txt", "w")`, refusedWrite(granted+"/link/new.txt"))
		wantError(t, both, root, `open(DIR + "/granted/link/secret.txt", "a")`, refusedWrite(granted+"/link/secret.txt"))
		// A link to a file that does not exist yet is judged by where it
		// points: it must not create the file outside.
		wantError(t, both, root, `open(DIR + "/granted/dangle", "w")`, refusedWrite(granted+"/dangle"))
		wantError(t, both, root, `open(DIR + "/granted/dangle", "a")`, refusedWrite(granted+"/dangle"))
		wantError(t, both, root, `open(DIR + "/granted/dangle", "x")`, refusedWrite(granted+"/dangle"))
		wantError(t, both, root, `open(DIR + "/granted/dangle")`, refusedRead(granted+"/dangle"))
		if _, err := os.Lstat(outside + "/new.txt"); err == nil {
			t.Error("a file was created outside the granted directory")
		}
	})
	t.Run("granted symlink", func(t *testing.T) {
		alias := starpool.Permissions{Read: []string{root + "/alias"}, Write: []string{root + "/alias"}}
		wantOutput(t, alias, root, `
print(open(DIR + "/alias/in.txt").read().strip())
print(open(DIR + "/granted/in.txt").read().strip())
with open(DIR + "/alias/via-alias.txt", "w") as f:
    f.write("ok")
print(open(DIR + "/granted/via-alias.txt").read())
`, "inside\ninside\nok\n")
		wantError(t, alias, root, `open(DIR + "/other/o.txt")`, refusedRead(other+"/o.txt"))
	})
	t.Run("several grants", func(t *testing.T) {
		several := starpool.Permissions{Read: []string{root + "/nosuch", other, granted + "/"}, Write: []string{other + "/o.txt"}}
		wantOutput(t, several, root, `
print(open(DIR + "/granted/in.txt").read().strip(), open(DIR + "/other/o.txt").read().strip())
with open(DIR + "/other/o.txt", "a") as f:
    f.write("more\n")
`, "inside other\n")
		wantError(t, several, root, `open(DIR + "/outside/secret.txt")`, refusedRead(outside+"/secret.txt"))
		wantError(t, several, root, `open(DIR + "/other/p.txt", "w")`, refusedWrite(other+"/p.txt"))
	})
	t.Run("prefix is not a parent", func(t *testing.T) {
		wantError(t, starpool.Permissions{Read: []string{root + "/gran"}}, root, `open(DIR + "/granted/in.txt")`, refusedRead(granted+"/in.txt"))
	})
	t.Run("policy", func(t *testing.T) {
		var asked []string
		policy := starpool.Permissions{Policy: func(kind, target string) error {
			asked = append(asked, kind+" "+target)
			if strings.HasSuffix(target, "in.txt") {
				return nil
			}
			return fmt.Errorf("not on the list")
		}}
		wantOutput(t, policy, root, `print(open(DIR + "/alias/in.txt").read().strip())`, "inside\n")
		wantError(t, policy, root, `open(DIR + "/other/o.txt")`,
			fmt.Sprintf("open: read access to %q is not allowed: not on the list; run with --allow-read=%s", other+"/o.txt", other+"/o.txt"))
		if want := "read " + granted + "/in.txt"; len(asked) == 0 || asked[0] != want {
			t.Errorf("the policy was asked %q, want first %q (the resolved path)", asked, want)
		}
	})
}

func TestOSPermissions(t *testing.T) {
	root := filesDir(t)
	granted := root + "/granted"
	if err := os.Mkdir(granted, 0o777); err != nil {
		t.Fatal(err)
	}
	writeFile(t, granted+"/b.txt", "")
	writeFile(t, granted+"/a.txt", "")
	if err := os.Mkdir(granted+"/c", 0o777); err != nil {
		t.Fatal(err)
	}
	symlink(t, root, granted+"/up")
	read := starpool.Permissions{Read: []string{granted}}

	wantOutput(t, read, root, `
import os
print(os.listdir(DIR + "/granted"))
print(os.path.exists(DIR + "/granted/a.txt"), os.path.exists(DIR + "/granted/c"), os.path.exists(DIR + "/granted/nope"))
`, "['a.txt', 'b.txt', 'c', 'up']\nTrue True False\n")
	wantError(t, starpool.Permissions{}, root, "import os\nos.listdir(DIR)",
		fmt.Sprintf("os.listdir: read access to %q is not allowed; run with --allow-read=%s", root, root))
	wantError(t, read, root, "import os\nos.listdir(DIR + \"/granted/up\")", "os.listdir: read access to")
	wantError(t, read, root, "import os\nos.listdir(DIR + \"/granted/a.txt\")",
		fmt.Sprintf("os.listdir: NotADirectoryError: [Errno 20] Not a directory: '%s/granted/a.txt'", root))
	wantError(t, read, root, "import os\nos.listdir(DIR + \"/granted/nope\")",
		fmt.Sprintf("os.listdir: FileNotFoundError: [Errno 2] No such file or directory: '%s/granted/nope'", root))
	// A refused path is an error, not False: the script must not learn
	// what exists outside its grant.
	wantError(t, read, root, "import os\nos.path.exists(DIR + \"/granted/../x\")",
		fmt.Sprintf("os.path.exists: read access to %q is not allowed; run with --allow-read=%s", granted+"/../x", granted+"/../x"))
	wantError(t, starpool.Permissions{Write: []string{granted}}, root, "import os\nos.path.exists(DIR + \"/granted/a.txt\")",
		"os.path.exists: read access to")

	t.Setenv("STARPOOL_FILES_TEST", "yes")
	wantError(t, all, root, `
import os
os.getenv()`, "os.getenv: missing argument for key")
	wantError(t, starpool.Permissions{Read: []string{"*"}}, root, `
import os
os.getenv("STARPOOL_FILES_TEST")`,
		`os.getenv: access to the environment variable "STARPOOL_FILES_TEST" is not allowed; run with --allow-env`)
	wantError(t, starpool.Permissions{}, root, `
from os import getenv
getenv("STARPOOL_NOT_SET_ANYWHERE", "d")`,
		`os.getenv: access to the environment variable "STARPOOL_NOT_SET_ANYWHERE" is not allowed`)
	wantOutput(t, starpool.Permissions{Env: true}, root, `
import os
print(os.getenv("STARPOOL_FILES_TEST"), os.getenv("STARPOOL_NOT_SET_ANYWHERE"), os.getenv("STARPOOL_NOT_SET_ANYWHERE", "d"), os.getenv(key="STARPOOL_FILES_TEST", default=1))
`, "yes None d yes\n")
}

func TestOSPath(t *testing.T) {
	dir := filesDir(t)
	wantOutput(t, starpool.Permissions{}, dir, `
import os
import os.path
import os.path as osp
from os.path import join, basename, dirname
from os import path
print(join("a"), join("a", "b", "c"), join("a/", "b"), join("a", ""), join("", "b"), join("a", "/b", "c"), join("/", "x"))
print(basename("/x/y.txt"), basename("y"), repr(basename("a/")), basename("/"))
print(dirname("/x/y.txt"), repr(dirname("y")), dirname("a/"), dirname("/"), dirname("//a"), dirname("a//b"), dirname("/a/b/"))
print(os.path.join("p", "q"), osp.join("p", "q"), path.join("p", "q"), os.path == osp)
`, `a a/b/c a/b a/ b /b/c /x
y.txt y "" 
/x "" a / // a /a/b
p/q p/q p/q True
`)
	wantError(t, starpool.Permissions{}, dir, "from os.path import join\njoin()",
		"os.path.join: TypeError: join() missing 1 required positional argument: 'a'")
	wantError(t, starpool.Permissions{}, dir, "from os.path import join\njoin('a', 1)",
		"os.path.join: TypeError: expected str, bytes or os.PathLike object, not int")
	wantError(t, starpool.Permissions{}, dir, "from os.path import basename\nbasename('a', 'b')",
		"os.path.basename: TypeError: basename() takes 1 positional argument but 2 were given")
	wantError(t, starpool.Permissions{}, dir, "from os.path import dirname\ndirname(p='a')",
		"os.path.dirname: TypeError: dirname() got an unexpected keyword argument 'p'")
}

// TestFilesStrict checks open in plain Starlark, without the with-block.
func TestFilesStrict(t *testing.T) {
	dir := filesDir(t)
	var out bytes.Buffer
	rt := starpool.New(starpool.Options{
		Stdout:      &out,
		Strict:      true,
		Permissions: starpool.Permissions{Read: []string{dir}, Write: []string{dir}},
		Predeclared: starlark.StringDict{"DIR": starlark.String(dir)},
	})
	defer rt.Close()
	_, err := rt.ExecFile(context.Background(), "strict.star", `
load("os.path", "join")
f = open(join(DIR, "s.txt"), "w")
f.write("plain\n")
f.close()
print(open(join(DIR, "s.txt")).read().strip())
`)
	if err != nil || out.String() != "plain\n" {
		t.Errorf("got %q, %v", out.String(), err)
	}
}

// TestFilesPrompt checks files at the interactive prompt, where each input
// runs on a thread of its own.
func TestFilesPrompt(t *testing.T) {
	dir := filesDir(t)
	writeFile(t, dir+"/in.txt", "a\nb\n")
	writeFile(t, dir+"/bad.txt", "a\n\xff\n")
	var out bytes.Buffer
	rt := starpool.New(starpool.Options{Stdout: &out, Permissions: all, Predeclared: starlark.StringDict{"DIR": starlark.String(dir)}})
	defer rt.Close()
	s, err := rt.NewSession(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(true)
	exec := func(src string) error {
		t.Helper()
		_, err := s.Exec(context.Background(), src)
		return err
	}
	for _, src := range []string{
		`f = open(DIR + "/in.txt")`,
		"for line in f:\n    print(line.strip())\n",
		`print(f.read() == "", f.closed)`,
		`f.close()`,
		`g = open(DIR + "/out.txt", "w")`,
		`g.write("one")`,
		`g.close()`,
		`print(open(DIR + "/out.txt").read())`,
		`bad = open(DIR + "/bad.txt")`,
	} {
		if err := exec(src); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
	// A loop over a file opened by an earlier input cannot fail at the
	// loop (see file.iterating); the next use of the file reports it.
	loopErr := exec("for line in bad:\n    print(line.strip())\n")
	closeErr := exec("bad.close()")
	const want = "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 2"
	if (loopErr == nil || !strings.Contains(loopErr.Error(), want)) && (closeErr == nil || !strings.Contains(closeErr.Error(), want)) {
		t.Errorf("the decoding error was lost: loop %v, close %v", loopErr, closeErr)
	}
	if got := out.String(); got != "a\nb\nTrue False\none\na\n" {
		t.Errorf("output %q", got)
	}
}
