package starpool_test

import (
	"context"
	"fmt"
	"os"
	"strings"

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
