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
// Go values cross into scripts and back with ToStarlark, which makes new,
// unfrozen Starlark values, and FromStarlark, which reads Starlark values
// into Go variables; see ToStarlark for the rules. Channels, functions,
// complex numbers, unsafe pointers, cycles and structs with no exported
// fields do not convert.
//
// The engine is package runtime; the Starlark modules are package builtins.
package starpool

import (
	"context"
	"io"
	"io/fs"
	"maps"
	"time"

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
	// Without names standard modules to leave out, e.g. "requests".
	Without []string
	// Files serves load("path/to/lib.star") from the host's files: the
	// file is run once per runtime, Python-flavored unless Strict, and its
	// globals (frozen) are the module. Load, if set, serves the names
	// Files does not have.
	Files fs.FS
	// Load serves load() names that are neither standard modules, Modules
	// nor Files; see runtime.Options.Load.
	Load func(thread *starlark.Thread, module string) (starlark.StringDict, error)
	// Predeclared are the host's own builtins, visible in every file.
	Predeclared starlark.StringDict
	// Strict runs plain Starlark, without the Python-flavored source layer
	// (with, import, f-strings, ...).
	Strict bool
	// Permissions grant network, file and environment access; the zero
	// value grants none.
	Permissions Permissions
	// HTTP configures the requests module's client: default timeout and
	// response size limit.
	HTTP HTTPOptions

	// Limits for untrusted scripts; each zero value means no limit. A
	// script stopped by a limit fails with a *runtime.LimitError naming it.
	//
	// Timeout bounds the wall time of one execution, tasks included.
	Timeout time.Duration
	// WorkerLimit bounds one executor's max_workers; TotalWorkerLimit
	// those of all open executors together. Asking for more fails, or with
	// CapWorkers gets what is left.
	WorkerLimit, TotalWorkerLimit int
	CapWorkers                    bool
	// PendingLimit bounds the tasks waiting to start: a submit beyond it
	// fails instead of queueing without end.
	PendingLimit int
	// OutputLimit bounds the bytes one execution may print.
	OutputLimit int64
}

// Stats count a runtime's tasks; see [runtime.Stats].
type Stats = runtime.Stats

// HTTPOptions configure the requests module; see [runtime.HTTPOptions].
type HTTPOptions = runtime.HTTPOptions

// Permissions are the capabilities granted to scripts; see
// [runtime.Permissions].
type Permissions = runtime.Permissions

// Runtime runs scripts: the engine's [runtime.Runtime] (ExecFile, Close,
// Stats, NewSession, ...) with Go-valued calls into scripts. It is safe
// for use by many goroutines at once.
type Runtime struct {
	*runtime.Runtime
}

// New returns a runtime with the standard modules (concurrent.futures,
// time, os, sys, math, json, requests) and Python's builtins, less those
// named in Options.Without.
func New(opts Options) *Runtime {
	modules := builtins.Modules(opts.Args, Version)
	for _, name := range opts.Without {
		delete(modules, name)
	}
	maps.Copy(modules, opts.Modules)
	predeclared := builtins.Predeclared()
	maps.Copy(predeclared, opts.Predeclared)
	load := opts.Load
	if opts.Files != nil {
		load = filesLoader(opts.Files, opts.Load)
	}
	return &Runtime{runtime.New(runtime.Options{
		Load:        load,
		MaxWorkers:  opts.MaxWorkers,
		MaxSteps:    opts.MaxSteps,
		Stdout:      opts.Stdout,
		Stderr:      opts.Stderr,
		Context:     opts.Context,
		Modules:     modules,
		Predeclared: predeclared,
		Strict:      opts.Strict,
		Permissions: opts.Permissions,
		HTTP:        opts.HTTP,

		Timeout:          opts.Timeout,
		WorkerLimit:      opts.WorkerLimit,
		TotalWorkerLimit: opts.TotalWorkerLimit,
		CapWorkers:       opts.CapWorkers,
		PendingLimit:     opts.PendingLimit,
		OutputLimit:      opts.OutputLimit,
	})}
}

// Backtrace renders an error from a script as a Python-style traceback,
// including a failed task's own traceback; see [runtime.Backtrace].
func Backtrace(err error) string { return runtime.Backtrace(err) }
