package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.starlark.net/starlark"
	"go.uber.org/goleak"

	"github.com/starpool/starpool/builtins"
	"github.com/starpool/starpool/runtime"
)

// TestMain fails the package if any test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// patience bounds every wait of the test builtins, so that a broken engine
// fails a test instead of hanging it. It is never reached when the engine
// works.
const patience = 20 * time.Second

// prompt is the generous upper bound for "returns promptly", where the
// behaviour under test would otherwise take a minute or forever.
const prompt = 10 * time.Second

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// probe is the Go side of the test builtins: it observes what tasks do.
type probe struct {
	running atomic.Int64 // tasks between enter() and leave()
	peak    atomic.Int64 // the most tasks ever between enter() and leave()
	ticks   atomic.Int64 // calls of tick()

	target  int64         // enter() waits until this many tasks are in at once (0: no barrier)
	reached chan struct{} // closed when peak reaches target
	reachMu sync.Once

	ready     chan struct{} // closed by the first ready()
	readyOnce sync.Once
	gate      chan struct{} // closed by open_gate() or probe.openGate
	gateOnce  sync.Once

	mu    sync.Mutex
	names map[string]int // thread names seen by thread_name()
	inits []string       // "thread:arg" for every note() call
}

func newProbe() *probe {
	return &probe{
		reached: make(chan struct{}),
		ready:   make(chan struct{}),
		gate:    make(chan struct{}),
		names:   make(map[string]int),
	}
}

func (p *probe) openGate() { p.gateOnce.Do(func() { close(p.gate) }) }

// block waits for ch, the thread's cancellation or patience, whichever
// comes first.
func block(thread *starlark.Thread, name string, ch <-chan struct{}) error {
	ctx := runtime.Context(thread)
	t := time.NewTimer(patience)
	defer t.Stop()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", name, runtime.ContextError(ctx))
	case <-t.C:
		return fmt.Errorf("%s: gave up after %v (the engine did not make progress)", name, patience)
	}
}

func none(f func(thread *starlark.Thread) error) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
			return nil, err
		}
		if err := f(thread); err != nil {
			return nil, err
		}
		return starlark.None, nil
	}
}

// builtins returns the test builtins that scripts see:
//
//	enter()           count this task as running (and wait at the barrier, if any)
//	leave()           count it as no longer running
//	tick(), ticks()   count an event; read the count
//	await_ticks(n)    wait until ticks() >= n
//	ready()           tell the Go test that the script reached a point
//	wait_gate()       block until open_gate() (or the thread is cancelled)
//	open_gate()       release every wait_gate()
//	thread_name()     the calling thread's name
//	note(x)           record "thread:x" (initializers)
//	boom(msg)         panic in Go
//	steps()           the calling thread's execution steps so far
//	goroutines()      runtime.NumGoroutine()
//	fails(fn)         call fn(); return its error message, or None
//	after_cancel(fn, *args, wait_for=None)
//	                  wait until the thread is cancelled (and the future wait_for
//	                  is done), then return fn(*args) - an interleaving that
//	                  cancellation can otherwise produce only by chance
func (p *probe) builtins() starlark.StringDict {
	return starlark.StringDict{
		"enter": starlark.NewBuiltin("enter", none(func(thread *starlark.Thread) error {
			n := p.running.Add(1)
			for {
				old := p.peak.Load()
				if n <= old || p.peak.CompareAndSwap(old, n) {
					break
				}
			}
			if p.target > 0 {
				if p.peak.Load() >= p.target {
					p.reachMu.Do(func() { close(p.reached) })
				}
				return block(thread, "enter", p.reached)
			}
			return nil
		})),
		"leave": starlark.NewBuiltin("leave", none(func(*starlark.Thread) error {
			p.running.Add(-1)
			return nil
		})),
		"tick": starlark.NewBuiltin("tick", none(func(*starlark.Thread) error {
			p.ticks.Add(1)
			return nil
		})),
		"ticks": starlark.NewBuiltin("ticks", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.MakeInt64(p.ticks.Load()), starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0)
		}),
		"await_ticks": starlark.NewBuiltin("await_ticks", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var n int64
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &n); err != nil {
				return nil, err
			}
			ctx := runtime.Context(thread)
			deadline := time.Now().Add(patience)
			for p.ticks.Load() < n {
				if ctx.Err() != nil {
					return nil, runtime.ContextError(ctx)
				}
				if time.Now().After(deadline) {
					return nil, fmt.Errorf("await_ticks: %d ticks after %v; want %d", p.ticks.Load(), patience, n)
				}
				time.Sleep(time.Millisecond)
			}
			return starlark.None, nil
		}),
		"ready": starlark.NewBuiltin("ready", none(func(*starlark.Thread) error {
			p.readyOnce.Do(func() { close(p.ready) })
			return nil
		})),
		"wait_gate": starlark.NewBuiltin("wait_gate", none(func(thread *starlark.Thread) error {
			return block(thread, "wait_gate", p.gate)
		})),
		"open_gate": starlark.NewBuiltin("open_gate", none(func(*starlark.Thread) error {
			p.openGate()
			return nil
		})),
		"thread_name": starlark.NewBuiltin("thread_name", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
				return nil, err
			}
			p.mu.Lock()
			p.names[thread.Name]++
			p.mu.Unlock()
			return starlark.String(thread.Name), nil
		}),
		"note": starlark.NewBuiltin("note", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var x starlark.Value
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &x); err != nil {
				return nil, err
			}
			p.mu.Lock()
			p.inits = append(p.inits, thread.Name+":"+x.String())
			p.mu.Unlock()
			return starlark.None, nil
		}),
		"boom": starlark.NewBuiltin("boom", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var msg string
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &msg); err != nil {
				return nil, err
			}
			panic(msg)
		}),
		"steps": starlark.NewBuiltin("steps", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.MakeUint64(thread.ExecutionSteps()), starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0)
		}),
		"goroutines": starlark.NewBuiltin("goroutines", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.MakeInt(goruntime.NumGoroutine()), starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0)
		}),
		"after_cancel": starlark.NewBuiltin("after_cancel", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if len(args) == 0 {
				return nil, fmt.Errorf("%s: missing fn", b.Name())
			}
			fn, ok := args[0].(starlark.Callable)
			if !ok {
				return nil, fmt.Errorf("%s: got %s; want a callable", b.Name(), args[0].Type())
			}
			var waitFor *runtime.Future
			var rest []starlark.Tuple
			for _, kv := range kwargs {
				if kv[0] == starlark.String("wait_for") {
					f, ok := kv[1].(builtins.Future)
					if !ok {
						return nil, fmt.Errorf("%s: wait_for: got %s; want a Future", b.Name(), kv[1].Type())
					}
					waitFor = f.Engine()
					continue
				}
				rest = append(rest, kv)
			}
			if err := block(thread, b.Name(), nil); err == nil || strings.Contains(err.Error(), "gave up") {
				return nil, fmt.Errorf("%s: the thread was not cancelled: %v", b.Name(), err)
			}
			for deadline := time.Now().Add(patience); waitFor != nil && !waitFor.Done(); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					return nil, fmt.Errorf("%s: %v not done after %v", b.Name(), waitFor, patience)
				}
			}
			return starlark.Call(thread, fn, args[1:], rest)
		}),
		"fails": starlark.NewBuiltin("fails", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var fn starlark.Callable
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &fn); err != nil {
				return nil, err
			}
			if _, err := starlark.Call(thread, fn, nil, nil); err != nil {
				return starlark.String(err.Error()), nil
			}
			return starlark.None, nil
		}),
	}
}

// harness is a runtime with the standard modules, the test builtins and
// captured output.
type harness struct {
	t      *testing.T
	rt     *runtime.Runtime
	probe  *probe
	stdout *syncBuffer
	stderr *syncBuffer
}

// config adjusts the options of a harness's runtime.
type config func(*runtime.Options, *probe)

func withMaxSteps(n uint64) config {
	return func(o *runtime.Options, _ *probe) { o.MaxSteps = n }
}

func withContext(ctx context.Context) config {
	return func(o *runtime.Options, _ *probe) { o.Context = ctx }
}

// withBarrier makes enter() wait until n tasks are in at once.
func withBarrier(n int) config {
	return func(_ *runtime.Options, p *probe) { p.target = int64(n) }
}

// newHarness returns a harness whose runtime is closed when the test ends.
func newHarness(t *testing.T, configs ...config) *harness {
	t.Helper()
	h := &harness{t: t, probe: newProbe(), stdout: new(syncBuffer), stderr: new(syncBuffer)}
	opts := runtime.Options{
		Modules:     builtins.Modules(nil, "test"),
		Predeclared: h.probe.builtins(),
		Stdout:      h.stdout,
		Stderr:      h.stderr,
	}
	for _, c := range configs {
		c(&opts, h.probe)
	}
	h.rt = runtime.New(opts)
	t.Cleanup(func() { h.rt.Close() })
	return h
}

// prelude loads what every test script uses.
const prelude = `load("concurrent.futures", "ThreadPoolExecutor", "Future", "wait", "as_completed", "FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED")
load("time", "sleep", "monotonic")
`

// exec runs src (after the prelude) under ctx.
func (h *harness) exec(ctx context.Context, src string) (starlark.StringDict, error) {
	return h.rt.ExecFile(ctx, "test.star", prelude+src)
}

// run runs src and fails the test if it fails.
func (h *harness) run(src string) starlark.StringDict {
	h.t.Helper()
	globals, err := h.exec(context.Background(), src)
	if err != nil {
		h.t.Fatalf("script failed: got %v; want success\n%s\nstderr:\n%s", err, runtime.Backtrace(err), h.stderr.String())
	}
	return globals
}

// runErr runs src, which must fail with an error containing want.
func (h *harness) runErr(src, want string) (starlark.StringDict, error) {
	h.t.Helper()
	globals, err := h.exec(context.Background(), src)
	if err == nil {
		h.t.Fatalf("script error: got nil; want an error containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		h.t.Fatalf("script error: got %v; want an error containing %q", err, want)
	}
	return globals, err
}

// expect compares the repr of the global name with want.
func expect(t *testing.T, globals starlark.StringDict, name, want string) {
	t.Helper()
	v, ok := globals[name]
	if !ok {
		t.Errorf("global %s: got nothing; want %s", name, want)
		return
	}
	if got := v.String(); got != want {
		t.Errorf("global %s: got %v; want %v", name, got, want)
	}
}

// intGlobal returns the global name as an int64.
func intGlobal(t *testing.T, globals starlark.StringDict, name string) int64 {
	t.Helper()
	v, ok := globals[name]
	if !ok {
		t.Fatalf("global %s: got nothing; want an int", name)
	}
	var n int64
	if err := starlark.AsInt(v, &n); err != nil {
		t.Fatalf("global %s: got %v; want an int", name, v)
	}
	return n
}
