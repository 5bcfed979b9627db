package runtime

import "go.starlark.net/starlark"

// A ContextManager is a value a with-block can manage: Enter runs when the
// block starts and its result is bound by "as"; Exit runs when the block
// ends, normally, by return or by failure (err is then the failure), and
// an error from Exit fails the block. Executors are context managers whose
// Exit is shutdown(wait=True).
type ContextManager interface {
	starlark.Value
	Enter(thread *starlark.Thread) (starlark.Value, error)
	Exit(thread *starlark.Thread, err error) error
}

// An Unshareable value cannot cross into a task, because it belongs to the
// thread that made it (an iterator in progress, such as map's results). A crossing
// that reaches one fails with the reason NotShareable gives.
type Unshareable interface {
	starlark.Value
	NotShareable() string
}
