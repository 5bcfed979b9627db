package starpool_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/starpool/starpool"
	"github.com/starpool/starpool/runtime"
)

// run executes src in a new runtime with opts and returns its output.
func run(t *testing.T, opts starpool.Options, src string) (string, starlark.StringDict, error) {
	t.Helper()
	var out bytes.Buffer
	if opts.Stdout == nil {
		opts.Stdout = &out
	}
	if opts.Stderr == nil {
		opts.Stderr = &out
	}
	rt := starpool.New(opts)
	defer rt.Close()
	globals, err := rt.ExecFile(context.Background(), "embed.py", src)
	return out.String(), globals, err
}

// TestOptions exercises each option of starpool.New.
func TestOptions(t *testing.T) {
	hostModule := starlark.StringDict{"greet": starlark.NewBuiltin("greet", func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		return starlark.String("hello " + string(args[0].(starlark.String))), nil
	})}
	tests := []struct {
		name    string
		opts    starpool.Options
		src     string
		want    string // output, or the error for wantErr
		wantErr bool
	}{
		{"args", starpool.Options{Args: []string{"job.py", "x"}}, "import sys\nprint(sys.argv)", "['job.py', 'x']\n", false},
		{"max workers", starpool.Options{MaxWorkers: 3}, "from concurrent.futures import ThreadPoolExecutor\nprint(ThreadPoolExecutor()._max_workers)", "3\n", false},
		{"host module", starpool.Options{Modules: map[string]starlark.StringDict{"host": hostModule}}, "from host import greet\nprint(greet('go'))", "hello go\n", false},
		{"host builtin", starpool.Options{Predeclared: starlark.StringDict{"VERSION": starlark.String("1.2")}}, "print(VERSION)", "1.2\n", false},
		{"without", starpool.Options{Without: []string{"requests"}}, "import requests", "No module named 'requests'", true},
		{"strict", starpool.Options{Strict: true}, "import time", "got import", true},
		{"steps", starpool.Options{MaxSteps: 1000}, "while True:\n    pass", "limit of 1000 steps", true},
		{"timeout", starpool.Options{Timeout: 50 * time.Millisecond}, "import time\ntime.sleep(10)", "ran longer than 50ms", true},
		{"output", starpool.Options{OutputLimit: 10}, "print('x' * 100)", "limit of 10 bytes", true},
		{"permissions", starpool.Options{}, "import os\nos.getenv('HOME')", "is not allowed", true},
		{"worker limit", starpool.Options{WorkerLimit: 2}, "from concurrent.futures import ThreadPoolExecutor\nThreadPoolExecutor(max_workers=5)", "above the limit of 2 workers per executor", true},
		{"pending limit", starpool.Options{PendingLimit: 1}, `
from concurrent.futures import ThreadPoolExecutor, Future
gate = Future()
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(gate.result)
pool.submit(abs, 1)
pool.submit(abs, 2)`, "the limit of 1 tasks waiting to start", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := run(t, tt.opts, tt.src)
			switch {
			case tt.wantErr && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error: got %v; want one containing %q", err, tt.want)
			case !tt.wantErr && err != nil:
				t.Errorf("error: got %v; want none", err)
			case !tt.wantErr && out != tt.want:
				t.Errorf("output: got %q; want %q", out, tt.want)
			}
		})
	}
}

// TestContextCancels checks that cancelling Options.Context stops a
// running script and its tasks.
func TestContextCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, _, err := run(t, starpool.Options{Context: ctx}, `
from concurrent.futures import ThreadPoolExecutor
import time
with ThreadPoolExecutor(max_workers=2) as pool:
    pool.submit(time.sleep, 60).result()`)
	var ce *runtime.CancelError
	if !errors.As(err, &ce) {
		t.Errorf("error: got %v; want a cancellation", err)
	}
}

// TestCallAndSubmit calls script functions from Go, directly and on the
// runtime's pool, from many goroutines at once.
func TestCallAndSubmit(t *testing.T) {
	rt := starpool.New(starpool.Options{})
	defer rt.Close()
	globals, err := rt.ExecFile(context.Background(), "lib.py", `
def add(a, b):
    return a + b

def describe(d):
    return f"{d['name']} has {len(d['tags'])} tags"
`)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := rt.Call(ctx, globals["add"], i, 100)
			if err != nil || v.String() != fmt.Sprint(i+100) {
				errs <- fmt.Errorf("Call(add, %d, 100) = %v, %v; want %d", i, v, err, i+100)
			}
			f, err := rt.Submit(globals["add"].(starlark.Callable), i, i)
			if err != nil {
				errs <- err
				return
			}
			v, err = f.Get(ctx)
			if err != nil || v.String() != fmt.Sprint(2*i) {
				errs <- fmt.Errorf("Submit(add, %d, %d).Get() = %v, %v; want %d", i, i, v, err, 2*i)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	v, err := rt.Call(ctx, globals["describe"], map[string]any{"name": "job", "tags": []string{"a", "b"}})
	if err != nil || v.String() != `"job has 2 tags"` {
		t.Errorf("Call(describe) = %v, %v; want \"job has 2 tags\"", v, err)
	}
	if _, err := rt.Call(ctx, globals["add"], 1, "x"); err == nil || !strings.Contains(err.Error(), "unknown binary op") {
		t.Errorf("Call(add, 1, \"x\") error: got %v; want the script's error", err)
	}
	if _, err := rt.Call(ctx, globals["add"], make(chan int), 1); err == nil {
		t.Error("Call with a channel argument: got no error; want a conversion error")
	}
}

// TestConcurrentExecs runs scripts with pools in one runtime from many
// goroutines at once (under -race).
func TestConcurrentExecs(t *testing.T) {
	rt := starpool.New(starpool.Options{Stdout: &bytes.Buffer{}})
	defer rt.Close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			globals, err := rt.ExecFile(context.Background(), fmt.Sprintf("job%d.py", i), `
from concurrent.futures import ThreadPoolExecutor
def square(x):
    return x * x
with ThreadPoolExecutor(max_workers=4) as pool:
    total = sum(pool.map(square, range(100)))
`)
			if err != nil || globals["total"].String() != "328350" {
				t.Errorf("job %d: total %v, error %v; want 328350", i, globals["total"], err)
			}
		}()
	}
	wg.Wait()
}

// TestFiles loads the host's .star files from an fs.FS.
func TestFiles(t *testing.T) {
	files := fstest.MapFS{
		"lib/util.star": {Data: []byte("def double(x):\n    return 2 * x\nNAME = f'util'\n")},
		"lib/a.star":    {Data: []byte("load('lib/b.star', 'b')\na = 1\n")},
		"lib/b.star":    {Data: []byte("load('lib/a.star', 'a')\nb = 1\n")},
	}
	out, _, err := run(t, starpool.Options{Files: files}, `
load("lib/util.star", "double", "NAME")
from concurrent.futures import ThreadPoolExecutor
with ThreadPoolExecutor(max_workers=2) as pool:
    print(NAME, list(pool.map(double, [1, 2, 3])))
`)
	if err != nil || out != "util [2, 4, 6]\n" {
		t.Errorf("output %q, error %v; want \"util [2, 4, 6]\\n\"", out, err)
	}
	_, _, err = run(t, starpool.Options{Files: files}, "load('lib/a.star', 'a')")
	if err == nil || !strings.Contains(err.Error(), "cycle in load graph: lib/a.star -> lib/b.star -> lib/a.star") {
		t.Errorf("error: got %v; want a load cycle", err)
	}
	_, _, err = run(t, starpool.Options{Files: files}, "load('lib/none.star', 'x')")
	if err == nil || !strings.Contains(err.Error(), "No module named 'lib/none.star'") {
		t.Errorf("error: got %v; want No module named", err)
	}
}

// TestSerialized checks that a builtin that is not safe for concurrent use
// can be called by many tasks through Serialized (under -race).
func TestSerialized(t *testing.T) {
	count := 0 // guarded by Serialized
	incr := starpool.Serialized("incr", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		count++
		return starlark.MakeInt(count), nil
	})
	_, _, err := run(t, starpool.Options{Predeclared: starlark.StringDict{"incr": incr}}, `
from concurrent.futures import ThreadPoolExecutor, wait
with ThreadPoolExecutor(max_workers=8) as pool:
    wait([pool.submit(incr) for _ in range(200)])
`)
	if err != nil || count != 200 {
		t.Errorf("count %d, error %v; want 200", count, err)
	}
}

// TestLoadHook checks a host loader for its own load() names.
func TestLoadHook(t *testing.T) {
	load := func(_ *starlark.Thread, name string) (starlark.StringDict, error) {
		if name == "config" {
			return starlark.StringDict{"config": starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{"workers": starlark.MakeInt(2)})}, nil
		}
		return nil, fmt.Errorf("no such module")
	}
	out, _, err := run(t, starpool.Options{Load: load}, "from config import config\nprint(config.workers)")
	if err != nil || out != "2\n" {
		t.Errorf("output %q, error %v; want \"2\\n\"", out, err)
	}
}
