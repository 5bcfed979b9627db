// Package builtins holds starpool's Starlark-facing modules: thin bindings
// over the engine in package runtime. It defines concurrent.futures, time,
// os, sys, threading and the Python builtins that Starlark lacks (pow), and
// re-exports go.starlark.net's math and json.
//
// The goroutines, the futures' state and the sharing rule live in runtime;
// this package only unpacks arguments, converts values and names errors the
// way CPython does.
package builtins
