// Command embed shows starpool embedded in a Go program: the host exposes
// a function of its own (a word-length lookup that is not safe for
// concurrent use, so it is serialized), runs a Python-flavored script
// whose pool calls it from many goroutines, and reads a result back.
//
//	go run ./examples/embed
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool"
)

// script is the user's code: it fans the words out to a pool.
const script = `
from concurrent.futures import ThreadPoolExecutor

def score(word):
    return word, lookup(word)

with ThreadPoolExecutor(max_workers=8) as pool:
    scores = dict(pool.map(score, WORDS))
best = max(scores.values())
print(f"{len(scores)} words scored; the longest has {best} letters")
`

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run runs the script and prints what the host reads back.
func run(stdout io.Writer) error {
	calls := 0 // guarded by Serialized: lookup runs one call at a time
	lookup := starpool.Serialized("lookup", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var word string
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &word); err != nil {
			return nil, err
		}
		calls++
		return starlark.MakeInt(len(word)), nil
	})
	words, err := starpool.ToStarlark([]string{"pool", "goroutine", "future", "executor", "starlark"})
	if err != nil {
		return err
	}
	rt := starpool.New(starpool.Options{
		Stdout:      stdout,
		Timeout:     10 * time.Second, // untrusted code gets a wall-time limit
		Predeclared: starlark.StringDict{"lookup": lookup, "WORDS": words},
	})
	defer rt.Close()
	globals, err := rt.ExecFile(context.Background(), "score.py", script)
	if err != nil {
		return fmt.Errorf("%s", starpool.Backtrace(err))
	}
	var scores map[string]int
	if err := starpool.FromStarlark(globals["scores"], &scores); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "host: lookup was called %d times; goroutine has %d letters\n", calls, scores["goroutine"])
	return nil
}
