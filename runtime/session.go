package runtime

import (
	"context"
	"errors"
	"sync"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// A Session runs the inputs of an interactive prompt, one chunk at a time.
// The chunks share their globals, and the executors and tasks one chunk
// starts keep running while the user types the next. Exec must not be
// called concurrently; the other methods may be called from any goroutine.
//
// Each chunk's functions see the globals as they were when the chunk ran
// (go.starlark.net's REPL semantics), so a task keeps the values it was
// given even when a later input rebinds a name.
type Session struct {
	rt      *Runtime
	ex      *execution
	globals starlark.StringDict // owned by Exec

	mu       sync.Mutex
	snapshot starlark.StringDict // the globals after the last chunk, for Names
	closed   bool
}

// sessionOptions are fileOptions, but a load or import binds globally, so
// that later inputs see what an earlier one imported.
var sessionOptions = func() *syntax.FileOptions {
	opts := *fileOptions
	opts.LoadBindsGlobally = true
	return &opts
}()

// replValue is the hidden global that receives a bare expression's value.
const replValue = "__value__"

// NewSession starts a session under ctx. Close ends it.
func (rt *Runtime) NewSession(ctx context.Context) (*Session, error) {
	ex, err := rt.begin(ctx)
	if err != nil {
		return nil, err
	}
	s := &Session{rt: rt, ex: ex, globals: make(starlark.StringDict)}
	for name, v := range rt.predeclared {
		s.globals[name] = v
	}
	s.globals["shutdown_all"] = starlark.NewBuiltin("shutdown_all", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		return starlark.MakeInt(s.CancelAll()), nil
	})
	s.snapshot = s.copyGlobals()
	return s, nil
}

// Exec runs one chunk of input (Python-flavored unless the runtime is
// strict). If the chunk is a single expression, Exec returns its value,
// which the caller shows; a value other than None is also bound to _.
// Cancelling ctx (Ctrl-C) stops the chunk but not the tasks it started.
func (s *Session) Exec(ctx context.Context, src string) (starlark.Value, error) {
	const filename = "<stdin>"
	text := src
	if !s.rt.opts.Strict {
		var err error
		if text, err = rewritePython(filename, src); err != nil {
			return nil, err
		}
	}
	f, err := sessionOptions.Parse(filename, text, 0)
	if err != nil {
		return nil, err
	}
	sole := false
	if len(f.Stmts) == 1 {
		if stmt, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
			start, _ := stmt.X.Span()
			f.Stmts[0] = &syntax.AssignStmt{OpPos: start, Op: syntax.EQ, LHS: &syntax.Ident{NamePos: start, Name: replValue}, RHS: stmt.X}
			sole = true
		}
	}
	if err := resolve.REPLChunk(f, s.globals.Has, starlark.StringDict(nil).Has, starlark.Universe.Has); err != nil {
		return nil, err
	}
	s.ex.mu.Lock()
	s.ex.files = append(s.ex.files, analyze(f))
	s.ex.mu.Unlock()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := afterFunc(s.ex.ctx, func() { cancel(context.Cause(s.ex.ctx)) })
	defer stop()
	thread, ts := s.ex.newThread("MainThread", ctx, nil)
	err = ts.run(thread, func() error { return starlark.ExecREPLChunk(f, thread, s.globals) })

	var value starlark.Value
	if sole {
		value = s.globals[replValue]
		delete(s.globals, replValue)
		if value != nil && value != starlark.None {
			s.globals["_"] = value
		}
	}
	s.mu.Lock()
	s.snapshot = s.copyGlobals()
	s.mu.Unlock()
	return value, err
}

func (s *Session) copyGlobals() starlark.StringDict {
	c := make(starlark.StringDict, len(s.globals))
	for k, v := range s.globals {
		c[k] = v
	}
	return c
}

// Globals returns the session's globals as of the last chunk. The values
// may be owned by the session's thread: read them, do not mutate them.
func (s *Session) Globals() starlark.StringDict {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshot
}

// Running returns how many tasks of the session are queued or running.
func (s *Session) Running() int {
	n := 0
	for _, e := range s.ex.openExecutors() {
		n += e.Active()
	}
	return n
}

// CancelAll shuts down every executor of the session, cancelling the tasks
// that have not started and interrupting those that are running, and
// returns how many tasks it stopped. New executors can still be made.
func (s *Session) CancelAll() int {
	n := 0
	for _, e := range s.ex.openExecutors() {
		n += e.Active()
		e.Shutdown(nil, false, true, true) //nolint:errcheck // without wait, Shutdown cannot fail
	}
	return n
}

// Close ends the session: with wait, after the running tasks finish (as a
// script's end does); without, cancelling them. It reports the task errors
// nobody retrieved, and returns when no task of the session remains. Close
// can be interrupted by cancelling the session's context.
func (s *Session) Close(wait bool) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("session already closed")
	}
	s.closed = true
	s.mu.Unlock()
	if !wait {
		s.ex.stop(errors.New("the session ended"))
	}
	return s.ex.end(nil)
}

// openExecutors lists the executors of the execution that have not
// terminated.
func (ex *execution) openExecutors() []*Executor {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	list := make([]*Executor, 0, len(ex.executors))
	for e := range ex.executors {
		list = append(list, e)
	}
	return list
}
