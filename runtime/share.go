package runtime

import (
	"fmt"
	goruntime "runtime"
	"sort"
	"strings"
	"weak"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// The dynamic half of the sharing rule. A value that crosses into a task
// (submit, map, an initializer, a done-callback) is frozen at the crossing,
// by the thread that owns it, before any other thread can see it. For a
// Starlark function that means its defaults, its closure and every global
// its body reads; a global that could still change under the task, and a
// task that mutates a global, are refused with an error that says why.

// sharer applies the rule to the values of one crossing.
type sharer struct {
	ex       *execution
	thread   *starlark.Thread
	crossing string // "submit", "map", ...
	task     string // the name of the crossing callable
	visiting map[starlark.Value]bool
}

// share freezes fn, args and kwargs for a crossing made by thread, or
// explains why they cannot cross.
func (rt *Runtime) share(thread *starlark.Thread, crossing string, fn starlark.Value, args starlark.Tuple, kwargs []starlark.Tuple) error {
	ts := stateOf(thread)
	if ts == nil {
		return nil // a Go caller outside any script owns its values
	}
	// The common case costs nothing: a callable shared before, and
	// arguments that are immutable scalars.
	if len(kwargs) == 0 && allScalars(args) && (ts.ex.lastShared.Load() == fn || ts.ex.wasShared(fn)) {
		return nil
	}
	s := &sharer{ex: ts.ex, thread: thread, crossing: crossing}
	if c, ok := fn.(starlark.Callable); ok {
		s.task = taskName(c)
	}
	if err := s.value(fn); err != nil {
		return err
	}
	for _, a := range args {
		if err := s.value(a); err != nil {
			return err
		}
	}
	for _, kv := range kwargs {
		if err := s.value(kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// allScalars reports whether every value is an immutable scalar, which
// needs no sharing.
func allScalars(values starlark.Tuple) bool {
	for _, v := range values {
		switch v.(type) {
		case starlark.NoneType, starlark.Bool, starlark.Int, starlark.Float, starlark.String, starlark.Bytes:
		default:
			return false
		}
	}
	return true
}

// where returns the position of the crossing call, for messages.
func (s *sharer) where() string {
	if s.thread.CallStackDepth() > 1 {
		return s.thread.CallFrame(1).Pos.String()
	}
	return ""
}

// value shares v and everything reachable from it.
func (s *sharer) value(v starlark.Value) error {
	switch v := v.(type) {
	case nil, starlark.NoneType, starlark.Bool, starlark.Int, starlark.Float, starlark.String, starlark.Bytes:
		return nil
	case starlark.Tuple:
		return s.all(v.Len(), v.Index)
	case Unshareable:
		return fmt.Errorf("%s: a value of type %s cannot cross into a task: %s", s.crossing, v.Type(), v.NotShareable())
	}
	if s.ex.wasShared(v) || s.visiting[v] {
		return nil
	}
	if s.visiting == nil {
		s.visiting = make(map[starlark.Value]bool)
	}
	s.visiting[v] = true
	var err error
	switch v := v.(type) {
	case *starlark.Function:
		err = s.function(v)
	case *starlark.List:
		err = s.all(v.Len(), v.Index)
	case *starlark.Set:
		for x := range starlark.Elements(v) {
			if err == nil {
				err = s.value(x)
			}
		}
	case *starlark.Dict:
		for _, kv := range v.Items() {
			if err == nil {
				err = s.all(2, kv.Index)
			}
		}
	case *starlark.Builtin:
		if recv := v.Receiver(); recv != nil && mutators[v.Name()] {
			err = fmt.Errorf("%s: the task %s.%s would mutate a %s that the script owns, but a value shared with a task is frozen; "+
				"let the task return its value and call %s in the script, e.g. for f in as_completed(fs): x.%s(f.result())",
				s.crossing, recv.Type(), v.Name(), recv.Type(), v.Name(), v.Name())
		}
	case *starlarkstruct.Struct:
		for _, name := range v.AttrNames() {
			if x, _ := v.Attr(name); err == nil {
				err = s.value(x)
			}
		}
	}
	if err != nil {
		return err
	}
	v.Freeze()
	s.ex.markShared(v)
	return nil
}

// The execution remembers which functions and containers crossed, so that
// they are not walked again. It keys them by weak pointer, so that the
// memory does not keep every value that ever crossed alive, and forgets a
// value when it is collected. Other values are cheap to freeze again and
// are not remembered.

// wasShared reports whether v crossed before.
func (ex *execution) wasShared(v starlark.Value) bool {
	switch x := v.(type) {
	case *starlark.Function:
		return seen(ex, x)
	case *starlark.List:
		return seen(ex, x)
	case *starlark.Dict:
		return seen(ex, x)
	case *starlark.Set:
		return seen(ex, x)
	}
	return false
}

// markShared remembers that v crossed, until v is collected.
func (ex *execution) markShared(v starlark.Value) {
	switch x := v.(type) {
	case *starlark.Function:
		remember(ex, x)
		ex.lastShared.Store(x)
	case *starlark.List:
		remember(ex, x)
	case *starlark.Dict:
		remember(ex, x)
	case *starlark.Set:
		remember(ex, x)
	}
}

func seen[T any](ex *execution, p *T) bool {
	_, ok := ex.shared.Load(weak.Make(p))
	return ok
}

func remember[T any](ex *execution, p *T) {
	key := weak.Make(p)
	if _, loaded := ex.shared.LoadOrStore(key, struct{}{}); !loaded {
		goruntime.AddCleanup(p, func(k weak.Pointer[T]) { ex.shared.Delete(k) }, key)
	}
}

func (s *sharer) all(n int, at func(int) starlark.Value) error {
	for i := range n {
		if err := s.value(at(i)); err != nil {
			return err
		}
	}
	return nil
}

// function shares a Starlark function: the globals its body reads, its
// closure and its defaults. The function value itself holds only the latter
// two, so fn.Freeze alone would leave the globals mutable.
func (s *sharer) function(fn *starlark.Function) error {
	info := s.ex.funcInfo(fn.Position())
	if info == nil {
		// A function the analysis has not seen: share every global of
		// its module.
		for _, v := range fn.Globals() {
			if err := s.value(v); err != nil {
				return err
			}
		}
	} else if err := s.globals(fn, info); err != nil {
		return err
	}
	for i := range fn.NumFreeVars() {
		b, v := fn.FreeVar(i)
		if err := s.captured(fn, b, v); err != nil {
			return err
		}
	}
	for i := range fn.NumParams() {
		if err := s.value(fn.ParamDefault(i)); err != nil {
			return err
		}
	}
	return nil
}

// globals checks and shares the globals that fn's body reads.
func (s *sharer) globals(fn *starlark.Function, info *funcInfo) error {
	if len(info.mutates) > 0 {
		m := info.mutates[0]
		return fmt.Errorf("%s: %s mutates the global '%s' (%s at %s), but a value shared with a task is frozen; "+
			"return the value from the task and let the script collect it, e.g. %s(future.result())",
			s.crossing, s.describe(info), m.name, m.what, m.pos, m.what)
	}
	if info.checked.Load() || len(info.reads) == 0 {
		return nil
	}
	globals := fn.Globals()
	for _, r := range info.reads {
		sites := info.file.globals[r.name]
		if err := s.stable(info, r.name, "the global", sites); err != nil {
			return err
		}
		v, ok := globals[r.name]
		if !ok {
			return fmt.Errorf("%s: %s reads the global '%s' at %s, which is not bound yet (it is assigned at %s); "+
				"assign it before the %s, or pass its value as an argument",
				s.crossing, s.describe(info), r.name, r.pos, positions(sites), s.crossing)
		}
		if err := s.value(v); err != nil {
			return err
		}
		s.ex.noteFrozen(r.name, s.crossing, s.where())
	}
	info.markChecked()
	return nil
}

// captured checks and shares one variable of fn's closure.
func (s *sharer) captured(fn *starlark.Function, b starlark.Binding, v starlark.Value) error {
	info := s.ex.funcInfo(fn.Position())
	if info != nil {
		if err := s.stable(info, b.Name, "the variable", s.ex.cellSites(b.Pos)); err != nil {
			return err
		}
	}
	if v == nil {
		return fmt.Errorf("%s: %s uses '%s' from its enclosing function before it is assigned; assign it first, or pass it as an argument",
			s.crossing, s.describe(info), b.Name)
	}
	return s.value(v)
}

// stable refuses a variable that a task reads but the script may rebind
// while the task runs: one bound in more than one place, or in a loop.
func (s *sharer) stable(info *funcInfo, name, kind string, sites []site) error {
	for _, st := range sites {
		if st.inLoop {
			return fmt.Errorf("%s: %s reads %s '%s', which is rebound in a loop at %s, so it could change while the task runs; "+
				"pass its value as an argument instead, e.g. %s(fn, %s)",
				s.crossing, s.describe(info), kind, name, st.pos, s.crossing, name)
		}
	}
	if len(sites) > 1 {
		return fmt.Errorf("%s: %s reads %s '%s', which is bound more than once (at %s), so it could change while the task runs; "+
			"pass its value as an argument instead, or bind it only once",
			s.crossing, s.describe(info), kind, name, positions(sites))
	}
	return nil
}

// describe names the task in a message, and the function reached from it
// when that is another one.
func (s *sharer) describe(info *funcInfo) string {
	d := fmt.Sprintf("task '%s'", s.task)
	if info != nil && info.name != s.task {
		d += fmt.Sprintf(" (through '%s')", info.name)
	}
	if where := s.where(); where != "" {
		d += " submitted at " + where
	}
	return d
}

func positions(sites []site) string {
	ps := make([]string, len(sites))
	for i, st := range sites {
		ps[i] = st.pos.String()
	}
	return strings.Join(ps, " and ")
}

// noteFrozen remembers that a global was frozen by a crossing, so that a
// later "frozen" error can say which crossing froze what.
func (ex *execution) noteFrozen(name, crossing, where string) {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	if _, ok := ex.frozen[name]; !ok {
		ex.frozen[name] = crossing + " at " + where
	}
}

// frozenNote starts the explanation that frozenHint adds to an error.
const frozenNote = "note: a value that crosses into a task"

// frozenHint explains a "frozen" error in terms of the sharing rule.
func (ex *execution) frozenHint() string {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	names := make([]string, 0, len(ex.frozen))
	for name, by := range ex.frozen {
		names = append(names, fmt.Sprintf("'%s' (by %s)", name, by))
	}
	sort.Strings(names)
	hint := "\n" + frozenNote + " (its arguments, its closure and the globals it reads) is frozen, so that no two threads share a mutable value"
	if len(names) > 0 {
		hint += "; globals frozen so far: " + strings.Join(names, ", ")
	}
	return hint + ". Let tasks return new values, and pass copies (list(x), dict(x)) to tasks when the script still needs to change the original"
}

// funcInfo finds the analysis of the def or lambda at pos.
func (ex *execution) funcInfo(pos syntax.Position) *funcInfo {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	for _, fi := range ex.files {
		if info, ok := fi.funcs[pos]; ok {
			return info
		}
	}
	return nil
}

// cellSites returns the binding sites of the captured local first bound at pos.
func (ex *execution) cellSites(pos syntax.Position) []site {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	for _, fi := range ex.files {
		if sites, ok := fi.cells[pos]; ok {
			return sites
		}
	}
	return nil
}

// returnable refuses a task's result that belongs to the task's own thread
// (an iterator in progress), directly or as an element of a returned tuple
// or list: the caller could not use it.
func returnable(v starlark.Value) error {
	check := func(x starlark.Value) error {
		if u, ok := x.(Unshareable); ok {
			return fmt.Errorf("a task cannot return a value of type %s, which belongs to the task's thread: %s", u.Type(), u.NotShareable())
		}
		return nil
	}
	if err := check(v); err != nil {
		return err
	}
	var elems starlark.Indexable
	switch x := v.(type) {
	case starlark.Tuple:
		elems = x
	case *starlark.List:
		elems = x
	default:
		return nil
	}
	for i := range elems.Len() {
		if err := check(elems.Index(i)); err != nil {
			return err
		}
	}
	return nil
}
