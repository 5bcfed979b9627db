package starpool

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/runtime"
)

// filesLoader serves load() from fsys, running each file once; names it
// does not have go to next, if any.
func filesLoader(fsys fs.FS, next func(*starlark.Thread, string) (starlark.StringDict, error)) func(*starlark.Thread, string) (starlark.StringDict, error) {
	type entry struct {
		once    sync.Once
		globals starlark.StringDict
		err     error
	}
	var mu sync.Mutex
	cache := map[string]*entry{}
	return func(thread *starlark.Thread, name string) (starlark.StringDict, error) {
		src, err := fs.ReadFile(fsys, strings.TrimPrefix(name, "/"))
		if errors.Is(err, fs.ErrNotExist) && next != nil {
			return next(thread, name)
		}
		if err != nil {
			//lint:ignore ST1005 this is CPython's message
			return nil, fmt.Errorf("No module named '%s'", name)
		}
		chain := runtime.LoadChain(thread)
		for _, loading := range chain {
			if loading == name {
				return nil, fmt.Errorf("cycle in load graph: %s -> %s", strings.Join(chain, " -> "), name)
			}
		}
		mu.Lock()
		e, ok := cache[name]
		if !ok {
			e = &entry{}
			cache[name] = e
		}
		mu.Unlock()
		e.once.Do(func() { e.globals, e.err = runtime.ExecModule(thread, name, src) })
		return e.globals, e.err
	}
}
