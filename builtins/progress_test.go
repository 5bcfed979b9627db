package builtins_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/starpool/starpool"
	"github.com/starpool/starpool/builtins"
	"github.com/starpool/starpool/internal/termtest"
)

// lockedBuffer is a buffer safe for the concurrent writes of a test's
// script and its tasks.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runProgress runs a Python-flavored script whose progress goes to a
// buffer in the given mode; stdout and stderr go through the display's
// Writer as the command's do. It returns the stdout text and what the
// display wrote (stderr included).
func runProgress(t *testing.T, opts builtins.ProgressOptions, src string) (stdout, progress string, err error) {
	t.Helper()
	var out, term lockedBuffer
	p := builtins.NewProgress(&term, opts)
	rt := starpool.New(starpool.Options{Stdout: p.Writer(&out), Stderr: p.Writer(&term)})
	defer rt.Close()
	_, err = rt.ExecFile(builtins.WithProgress(context.Background(), p), "test.py",
		"from concurrent.futures import ThreadPoolExecutor, as_completed\nimport time\n"+src)
	return out.String(), term.String(), err
}

// TestProgressPlain checks the summary line of progress(): the total from
// len() when the iterable has one, the description, and the count of loop
// bodies that finished.
func TestProgressPlain(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"list", `assert list(progress([3, 1, 2])) == [3, 1, 2]`, `progress: 3/3 done in \d+\.\d\d s`},
		{"range with desc", `for x in progress(range(5), desc="rows"): pass`, `rows: 5/5 done in \d+\.\d\d s`},
		{"dict", `assert sorted(progress({"a": 1, "b": 2})) == ["a", "b"]`, `progress: 2/2 done in`},
		{"total given", `for x in progress([1, 2], total=10, desc="d"): pass`, `d: 2/10 done in`},
		{"no len", `
with ThreadPoolExecutor(max_workers=2) as pool:
    assert list(progress(pool.map(abs, [-1, -2, -3]))) == [1, 2, 3]`, `progress: 3 done in`},
		{"break", `
for x in progress(range(10), desc="rows"):
    if x == 4:
        break`, `rows: 4/10 done in`},
		{"empty", `for x in progress([], desc="none"): pass`, `none: 0/0 done in`},
		{"map", `
def square(x):
    return x * x
with ThreadPoolExecutor(max_workers=4) as pool:
    assert list(pool.map(square, range(20), progress=True)) == [x * x for x in range(20)]`, `map: 20/20 done, 0 failed in \d+\.\d\d s`},
		{"map buffered", `
with ThreadPoolExecutor(max_workers=2) as pool:
    assert len(list(pool.map(abs, range(30), buffersize=3, progress=True))) == 30`, `map: 30/30 done, 0 failed in`},
		{"as_completed", `
def check(x):
    if x % 3 == 0:
        fail("multiple of 3")
    return x
with ThreadPoolExecutor(max_workers=4) as pool:
    fs = [pool.submit(check, x) for x in range(10)]
    n = len([f for f in as_completed(fs + fs, progress=True) if f.exception() != None])
    assert n == 4`, `as_completed: 10/10 done, 4 failed in \d+\.\d\d s`},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			_, got, err := runProgress(t, builtins.ProgressOptions{Mode: builtins.ProgressPlain}, test.src)
			if err != nil {
				t.Fatal(starpool.Backtrace(err))
			}
			if !regexp.MustCompile(`\A` + test.want + `.*\n\z`).MatchString(got) {
				t.Errorf("progress wrote %q; want one line matching %q", got, test.want)
			}
		})
	}
}

// TestProgressNested checks that each bar of nested loops writes its own
// line, inner ones first.
func TestProgressNested(t *testing.T) {
	_, got, err := runProgress(t, builtins.ProgressOptions{Mode: builtins.ProgressPlain}, `
for i in progress(range(2), desc="outer"):
    for j in progress(range(3), desc="inner"):
        pass`)
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`\Ainner: 3/3 done in .*\ninner: 3/3 done in .*\nouter: 2/2 done in .*\n\z`)
	if !want.MatchString(got) {
		t.Errorf("progress wrote %q; want two inner lines, then the outer one", got)
	}
}

// TestProgressOff checks that without a display, progress() and
// progress=True only iterate.
func TestProgressOff(t *testing.T) {
	for _, opts := range []builtins.ProgressOptions{{Mode: builtins.ProgressOff}, {}} {
		_, got, err := runProgress(t, opts, `
assert list(progress(range(3))) == [0, 1, 2]
with ThreadPoolExecutor() as pool:
    assert list(pool.map(abs, [-1], progress=True)) == [1]`)
		if err != nil || got != "" {
			t.Errorf("mode %v: got %q, %v; want nothing", opts.Mode, got, err)
		}
	}
	var out bytes.Buffer
	rt := starpool.New(starpool.Options{Stdout: &out, Stderr: &out})
	defer rt.Close()
	if _, err := rt.ExecFile(context.Background(), "test.py", "assert list(progress('ab'.elems())) == ['a', 'b']"); err != nil || out.Len() > 0 {
		t.Errorf("no display: got %q, %v; want nothing", out.String(), err)
	}
}

// TestProgressErrors checks the errors of bad arguments.
func TestProgressErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`progress(1)`, `progress: for parameter iterable: got int, want iterable`},
		{`progress([1], total=-1)`, `progress: ValueError: total must be None or >= 0`},
		{`progress([1], total="3")`, `progress: for parameter total: got string, want int or None`},
		{`progress([1], desc=1)`, `progress: for parameter "desc": got int, want string`},
		{`ThreadPoolExecutor().map(abs, [1], progress=1)`, `map: for parameter "progress": got int, want bool`},
		{`as_completed([], progress="yes")`, `as_completed: for parameter "progress": got string, want bool`},
		{`
def task(p):
    return 1
ThreadPoolExecutor().submit(task, progress([1]))`, `a value of type progress cannot cross into a task`},
	}
	for _, test := range tests {
		_, _, err := runProgress(t, builtins.ProgressOptions{Mode: builtins.ProgressPlain}, test.src)
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: got error %v; want %q", test.src, err, test.want)
		}
	}
}

// TestProgressBars checks a drawn bar: its description, count and
// percentage, cleared at the end or kept on a line of its own, and no
// goroutine left behind.
func TestProgressBars(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, keep := range []bool{false, true} {
		_, got, err := runProgress(t, builtins.ProgressOptions{Mode: builtins.ProgressBars, Keep: keep, Columns: func() int { return 100 }},
			`for x in progress(range(5), desc="rows"): time.sleep(0.01)`)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"\rrows   0% |", "\rrows 100% |", "| (5/5, "} {
			if !strings.Contains(got, want) {
				t.Errorf("keep=%v: the bar %q lacks %q", keep, got, want)
			}
		}
		end := "\r\x1b[K"
		if keep {
			end = "\x1b[0K\n"
		}
		if !strings.HasSuffix(got, end) {
			t.Errorf("keep=%v: the bar %q does not end with %q", keep, got, end)
		}
		for _, line := range strings.Split(termtest.Screen(got), "\n") {
			if n := utf8.RuneCountInString(line); n > 100 {
				t.Errorf("keep=%v: a line of %d columns is wider than the terminal: %q", keep, n, line)
			}
		}
	}
}

// TestProgressSharedTerminal prints from the script and from tasks while
// bars are drawn on the same terminal: every printed line stays whole on
// its own line, with the bar under it, and a line printed in two parts is
// not drawn over in between.
func TestProgressSharedTerminal(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var term lockedBuffer
	p := builtins.NewProgress(&term, builtins.ProgressOptions{Mode: builtins.ProgressBars, Keep: true})
	rt := starpool.New(starpool.Options{Stdout: p.Writer(&term), Stderr: p.Writer(&term)})
	defer rt.Close()
	_, err := rt.ExecFile(builtins.WithProgress(context.Background(), p), "test.py", `
from concurrent.futures import ThreadPoolExecutor
import time

def work(x):
    time.sleep(0.001 * (x % 5))
    print("task", x)
    return x

with ThreadPoolExecutor(max_workers=8) as pool:
    for x in pool.map(work, range(100), progress=True):
        print("result", x)
for x in progress(range(3), desc="rows"):
    print("partial", x, end="")
    time.sleep(0.4)  # the bar's ticker fires meanwhile
    print(" line", x)
print("done")
`)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(termtest.Screen(term.String()), "\n"), "\n")
	seen := map[string]bool{}
	for _, line := range lines {
		seen[line] = true
	}
	var want []string
	for x := range 100 {
		want = append(want, fmt.Sprint("task ", x), fmt.Sprint("result ", x))
	}
	for x := range 3 {
		want = append(want, fmt.Sprint("partial ", x, " line ", x))
	}
	for _, line := range want {
		if !seen[line] {
			t.Errorf("the screen has no line %q:\n%s", line, strings.Join(lines, "\n"))
		}
	}
	// The map's bar stays under the lines of its loop, the other under its own.
	if n := len(lines); n != len(want)+3 || !strings.HasPrefix(lines[200], "map (0 failed) 100% |") ||
		!strings.HasPrefix(lines[n-2], "rows 100% |") || lines[n-1] != "done" {
		t.Errorf("the screen has %d lines:\n%s\nwant %d: the loops' lines, each followed by its bar, and done", n, strings.Join(lines, "\n"), len(want)+3)
	}
}
