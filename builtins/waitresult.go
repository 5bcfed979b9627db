package builtins

import (
	"fmt"

	"go.starlark.net/starlark"
)

// doneAndNotDone is the result of wait(): a pair of sets, done and
// not_done, readable as attributes or by unpacking, like CPython's named
// tuple DoneAndNotDoneFutures.
type doneAndNotDone struct {
	done, notDone *starlark.Set
}

var (
	_ starlark.Indexable = doneAndNotDone{}
	_ starlark.HasAttrs  = doneAndNotDone{}
)

func (w doneAndNotDone) String() string {
	return fmt.Sprintf("DoneAndNotDoneFutures(done=%s, not_done=%s)", w.done, w.notDone)
}
func (w doneAndNotDone) Type() string         { return "DoneAndNotDoneFutures" }
func (w doneAndNotDone) Freeze()              { w.done.Freeze(); w.notDone.Freeze() }
func (w doneAndNotDone) Truth() starlark.Bool { return true }
func (w doneAndNotDone) Hash() (uint32, error) {
	return 0, errUnhashable("DoneAndNotDoneFutures")
}

// Len is 2: the pair unpacks as done, not_done = wait(fs).
func (w doneAndNotDone) Len() int { return 2 }

// Index returns done (0) or not_done (1).
func (w doneAndNotDone) Index(i int) starlark.Value {
	if i == 0 {
		return w.done
	}
	return w.notDone
}

// Iterate yields done, then not_done.
func (w doneAndNotDone) Iterate() starlark.Iterator {
	return starlark.Tuple{w.done, w.notDone}.Iterate()
}

// Attr returns done or not_done.
func (w doneAndNotDone) Attr(name string) (starlark.Value, error) {
	switch name {
	case "done":
		return w.done, nil
	case "not_done":
		return w.notDone, nil
	}
	return nil, nil
}

// AttrNames lists the two attributes.
func (w doneAndNotDone) AttrNames() []string { return []string{"done", "not_done"} }

func errUnhashable(t string) error { return fmt.Errorf("unhashable type: %s", t) }
