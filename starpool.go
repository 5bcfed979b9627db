// Package starpool runs Python-flavored Starlark scripts whose
// concurrent.futures API (ThreadPoolExecutor, submit, map, Future.result,
// wait, as_completed) runs on a goroutine pool.
//
// New returns a [Runtime] wired with the standard modules and safe
// defaults: no file, network or environment access, and every value that
// crosses into a task frozen, so scripts cannot race:
//
//	rt := starpool.New(starpool.Options{})
//	defer rt.Close()
//	globals, err := rt.ExecFile(ctx, "job.star", nil)
//
// The engine is package runtime; the Starlark modules are package builtins.
package starpool

import (
	"context"
	"io"
	"maps"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/builtins"
	"github.com/starpool/starpool/runtime"
)

// Version is starpool's version.
const Version = "0.1.0"

// Options configure [New]. The zero value gives the defaults.
type Options struct {
	// Args is sys.argv; Args[0] names the script.
	Args []string
	// MaxWorkers is the max_workers of an executor created without one;
	// zero means min(32, cpu_count + 4), as in CPython.
	MaxWorkers int
	// MaxSteps bounds the Starlark steps of one execution, shared by the
	// script and all its tasks; zero means no limit.
	MaxSteps uint64
	// Stdout and Stderr receive print output and diagnostics; nil means the
	// process's own.
	Stdout, Stderr io.Writer
	// Context cancels everything the runtime runs; nil means Background.
	Context context.Context
	// Modules are the host's own modules, served to load() beside the
	// standard ones (a host module of the same name replaces the standard
	// one). Their values must be safe for concurrent use or frozen.
	Modules map[string]starlark.StringDict
	// Predeclared are the host's own builtins, visible in every file.
	Predeclared starlark.StringDict
	// Strict runs plain Starlark, without the Python-flavored source layer
	// (with, import, f-strings, ...).
	Strict bool
	// Permissions grant network, file and environment access; the zero
	// value grants none.
	Permissions Permissions
}

// Permissions are the capabilities granted to scripts; see
// [runtime.Permissions].
type Permissions = runtime.Permissions

// Runtime runs scripts; see [runtime.Runtime].
type Runtime = runtime.Runtime

// New returns a runtime with the standard modules (concurrent.futures,
// time, os, sys, math, json) and Python's pow.
func New(opts Options) *Runtime {
	modules := builtins.Modules(opts.Args, Version)
	maps.Copy(modules, opts.Modules)
	predeclared := builtins.Predeclared()
	maps.Copy(predeclared, opts.Predeclared)
	return runtime.New(runtime.Options{
		MaxWorkers:  opts.MaxWorkers,
		MaxSteps:    opts.MaxSteps,
		Stdout:      opts.Stdout,
		Stderr:      opts.Stderr,
		Context:     opts.Context,
		Modules:     modules,
		Predeclared: predeclared,
		Strict:      opts.Strict,
		Permissions: opts.Permissions,
	})
}

// Backtrace renders an error from a script as a Python-style traceback,
// including a failed task's own traceback; see [runtime.Backtrace].
func Backtrace(err error) string { return runtime.Backtrace(err) }
