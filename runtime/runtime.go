package runtime

import (
	"context"
	"io"
	"net/http"
	"os"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"time"

	"go.starlark.net/starlark"
)

// Options configure a [Runtime]. The zero value is usable: default worker
// count, output to the process's stdout and stderr, no step limit and no
// modules.
type Options struct {
	// MaxWorkers is the max_workers of an executor created without one.
	// Zero means min(32, cpu_count + 4), as in CPython.
	MaxWorkers int

	// Stdout receives the output of print; nil means os.Stdout.
	Stdout io.Writer

	// Stderr receives diagnostics that have no caller to return to: task
	// errors nobody retrieved, failing done-callbacks and initializers.
	// Nil means os.Stderr.
	Stderr io.Writer

	// MaxSteps bounds the Starlark computation steps of one execution. The
	// budget is shared by the script and all of its tasks. Zero means no
	// limit.
	MaxSteps uint64

	// Modules are the modules that load() serves, by name.
	Modules map[string]starlark.StringDict

	// Load, if set, serves the load() names that are not in Modules: a
	// host's own modules, for example .star files from an fs.FS run with
	// ExecModule. It is called from any of a script's threads, so it must
	// be safe for concurrent use, and it must return the same module for
	// the same name.
	Load func(thread *starlark.Thread, module string) (starlark.StringDict, error)

	// Predeclared are the names every file sees besides Starlark's universe.
	Predeclared starlark.StringDict

	// Context is the root context: cancelling it cancels every execution
	// of the runtime, its tasks included. Nil means context.Background().
	Context context.Context

	// Strict turns the Python-flavored source layer off: files are plain
	// Starlark, without with, import, f-strings and the other rewrites.
	Strict bool

	// Permissions are the capabilities granted to scripts; the zero value
	// grants none.
	Permissions Permissions

	// HTTP configures the client of the requests module.
	HTTP HTTPOptions

	// Timeout bounds the wall time of one execution, its tasks included.
	// Zero means no limit.
	Timeout time.Duration

	// WorkerLimit bounds the max_workers of one executor, and
	// TotalWorkerLimit the max_workers of all open executors together.
	// A script that asks for more fails, or with CapWorkers gets what is
	// left. Zero means no limit.
	WorkerLimit, TotalWorkerLimit int
	CapWorkers                    bool

	// PendingLimit bounds the tasks waiting to start, in all executors: a
	// submit beyond it fails rather than queue without end. Zero means no
	// limit.
	PendingLimit int

	// OutputLimit bounds the bytes one execution may print; the script is
	// stopped when it prints more. Zero means no limit.
	OutputLimit int64
}

// A Runtime executes Starlark files and owns every executor they create.
// It is safe for use by many goroutines. Close releases it.
type Runtime struct {
	opts        Options
	stdout      *lineWriter
	stderr      *lineWriter
	ctx         context.Context
	cancel      context.CancelCauseFunc
	predeclared starlark.StringDict

	executorIDs atomic.Int64 // numbers executors as CPython does
	futureIDs   atomic.Uint64
	imported    sync.Map // module name -> *starlarkstruct.Module, for import

	httpOnce  sync.Once
	client    *http.Client
	transport *http.Transport

	counters counters

	hostMu sync.Mutex
	host   *Executor  // the pool of Submit
	hostEx *execution // its execution

	workersMu       sync.Mutex
	workersReserved int // max_workers of the open executors, for TotalWorkerLimit

	mu     sync.Mutex
	closed bool
	active sync.WaitGroup // executions not yet ended
}

// New returns a runtime configured by opts.
func New(opts Options) *Runtime {
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancelCause(ctx)
	stdout, stderr := opts.Stdout, opts.Stderr
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	predeclared := make(starlark.StringDict, len(opts.Predeclared))
	for name, v := range opts.Predeclared {
		predeclared[name] = v
	}
	r := &Runtime{opts: opts}
	if !opts.Strict {
		for name, v := range r.layerBuiltins() {
			predeclared[name] = v
		}
	}
	predeclared.Freeze()
	for _, m := range opts.Modules {
		m.Freeze()
	}
	r.stdout = &lineWriter{w: stdout}
	r.stderr = &lineWriter{w: stderr}
	r.ctx, r.cancel = ctx, cancel
	r.predeclared = predeclared
	return r
}

// DefaultMaxWorkers returns the max_workers an executor gets when the script
// names none: Options.MaxWorkers, or min(32, cpu_count + 4).
func (rt *Runtime) DefaultMaxWorkers() int {
	if rt.opts.MaxWorkers > 0 {
		return rt.opts.MaxWorkers
	}
	return min(32, goruntime.NumCPU()+4)
}

// Strict reports whether the runtime runs plain Starlark, without the
// Python-flavored layer.
func (rt *Runtime) Strict() bool { return rt.opts.Strict }

// Stdout returns the writer that print uses. Each Write is one
// uninterrupted unit: lines written by concurrent tasks never interleave.
func (rt *Runtime) Stdout() io.Writer { return rt.stdout }

// Stderr returns the runtime's diagnostic writer, serialized like Stdout.
func (rt *Runtime) Stderr() io.Writer { return rt.stderr }

// Close cancels every execution still running, waits until their
// executors have stopped, and releases the runtime: when it returns, no
// goroutine started by the runtime remains. Executions started after Close
// fail.
func (rt *Runtime) Close() error {
	rt.mu.Lock()
	rt.closed = true
	rt.mu.Unlock()
	rt.cancel(errRuntimeClosed)
	rt.endHost()
	rt.active.Wait()
	rt.closeHTTP()
	return nil
}
