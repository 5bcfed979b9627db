// Package runtime is the starpool engine.
//
// It executes Starlark files on threads that can be cancelled, hosts the
// goroutine pools ([Executor]) and futures ([Future]) that back the
// concurrent.futures module, and enforces the sharing rule: every value that
// crosses into a task (the callable, its arguments, the globals it reads, its
// closure) is frozen at the crossing, so tasks on many goroutines never race
// with the script that started them.
//
// The engine defines no Starlark modules of its own. The module set, the
// predeclared names and the limits come in through [Options]; the bindings
// that turn executors and futures into Starlark values live in package
// builtins.
package runtime
