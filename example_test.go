package starpool_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing/fstest"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool"
)

// A host runs a Python-flavored script whose tasks run on goroutines.
func ExampleNew() {
	rt := starpool.New(starpool.Options{Stdout: os.Stdout})
	defer rt.Close()
	_, err := rt.ExecFile(context.Background(), "job.py", `
from concurrent.futures import ThreadPoolExecutor

def square(n):
    return n * n

with ThreadPoolExecutor(max_workers=4) as pool:
    print(list(pool.map(square, range(6))))
`)
	if err != nil {
		fmt.Println(starpool.Backtrace(err))
	}
	// Output: [0, 1, 4, 9, 16, 25]
}

// A host calls a script's function with Go values.
func ExampleRuntime_Call() {
	rt := starpool.New(starpool.Options{})
	defer rt.Close()
	globals, _ := rt.ExecFile(context.Background(), "lib.py", `
def greet(user):
    return f"hello {user['name']}, you have {len(user['roles'])} roles"
`)
	v, err := rt.Call(context.Background(), globals["greet"], map[string]any{"name": "ada", "roles": []string{"admin", "dev"}})
	fmt.Println(v, err)
	// Output: "hello ada, you have 2 roles" <nil>
}

// A host hands script functions to the runtime's pool and waits for the
// futures from Go.
func ExampleRuntime_Submit() {
	rt := starpool.New(starpool.Options{})
	defer rt.Close()
	globals, _ := rt.ExecFile(context.Background(), "lib.py", `
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
`)
	fib := globals["fib"].(starlark.Callable)
	var futures []*starpool.Future
	for _, n := range []int{10, 20, 25} {
		f, _ := rt.Submit(fib, n)
		futures = append(futures, f)
	}
	for _, f := range futures {
		v, _ := f.Get(context.Background())
		fmt.Println(v)
	}
	// Output:
	// 55
	// 6765
	// 75025
}

// A host function that is not safe for concurrent use is wrapped with
// Serialized before tasks call it.
func ExampleSerialized() {
	var log []string // written by one call at a time
	record := starpool.Serialized("record", func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		log = append(log, args[0].String())
		return starlark.None, nil
	})
	rt := starpool.New(starpool.Options{Predeclared: starlark.StringDict{"record": record}})
	defer rt.Close()
	_, err := rt.ExecFile(context.Background(), "job.py", `
from concurrent.futures import ThreadPoolExecutor, wait
with ThreadPoolExecutor(max_workers=8) as pool:
    wait([pool.submit(record, n) for n in range(100)])
`)
	fmt.Println(len(log), err)
	// Output: 100 <nil>
}

// Scripts reach nothing outside unless the host grants it.
func ExamplePermissions() {
	rt := starpool.New(starpool.Options{
		Permissions: starpool.Permissions{Net: []string{"api.example.com"}},
	})
	defer rt.Close()
	_, err := rt.ExecFile(context.Background(), "job.py", `
import requests
requests.get("https://other.example.org/")
`)
	fmt.Println(strings.Contains(err.Error(), `network access to "other.example.org" is not allowed`))
	// Output: true
}

// A host reads what the pool did.
func ExampleRuntime_Stats() {
	rt := starpool.New(starpool.Options{})
	defer rt.Close()
	rt.ExecFile(context.Background(), "job.py", `
from concurrent.futures import ThreadPoolExecutor, wait
def check(n):
    if n == 3:
        fail("three")
    return n
with ThreadPoolExecutor(max_workers=4) as pool:
    futures = [pool.submit(check, n) for n in range(10)]
    wait(futures)
    futures[3].exception()
`)
	s := rt.Stats()
	fmt.Println(s.Submitted, s.Completed, s.Failed, s.Cancelled)
	// Output: 10 9 1 0
}

// A failed script's error renders as a Python-style traceback, with the
// failed task's own traceback first.
func ExampleBacktrace() {
	rt := starpool.New(starpool.Options{})
	defer rt.Close()
	_, err := rt.ExecFile(context.Background(), "job.py", `
from concurrent.futures import ThreadPoolExecutor
def parse(text):
    return int(text)
with ThreadPoolExecutor(max_workers=1) as pool:
    pool.submit(parse, "x").result()
`)
	fmt.Println(starpool.Backtrace(err))
	// Output:
	// Task parse failed in thread ThreadPoolExecutor-0_0 (submitted at job.py:6:16 in <toplevel>):
	// Traceback (most recent call last):
	//   job.py:4:15: in parse
	// Error in int: int: invalid literal with base 10: x
	//
	// The above exception was the direct cause of the following exception:
	//
	// Traceback (most recent call last):
	//   job.py:6:35: in <toplevel>
	// Error in result: int: invalid literal with base 10: x
}

// A host serves its own .star libraries to load() from an fs.FS.
func ExampleOptions_files() {
	libs := fstest.MapFS{"lib/text.star": {Data: []byte("def shout(s):\n    return s.upper() + '!'\n")}}
	rt := starpool.New(starpool.Options{Files: libs, Stdout: os.Stdout})
	defer rt.Close()
	rt.ExecFile(context.Background(), "job.py", `
load("lib/text.star", "shout")
from concurrent.futures import ThreadPoolExecutor
with ThreadPoolExecutor(max_workers=2) as pool:
    print(list(pool.map(shout, ["hi", "go"])))
`)
	// Output: ['HI!', 'GO!']
}
