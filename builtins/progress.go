package builtins

import (
	"context"
	"fmt"
	"sync"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool/runtime"
)

// The Starlark side of progress bars: progress(), and the progress=True of
// map and as_completed. The display itself is in progressbar.go.

// progressOf returns the progress display of thread's script, or nil.
func progressOf(thread *starlark.Thread) (*Progress, context.Context) {
	ctx := runtime.Context(thread)
	p, _ := ctx.Value(progressKey{}).(*Progress)
	return p, ctx
}

// taskProgress is the bar of map or as_completed with progress=True. It
// counts tasks as they finish, not as the loop takes their results, and
// lives for one loop: from the first Iterate to Done.
type taskProgress struct {
	p       *Progress
	ctx     context.Context
	desc    string
	total   int64 // -1: unknown
	bar     *bar
	begun   bool
	watched []*runtime.Future

	mu      sync.Mutex
	counted map[*runtime.Future]bool // counted on the bar
}

// newTaskProgress returns the bar of a call with progress=True by thread,
// or nil if its script shows no progress.
func newTaskProgress(thread *starlark.Thread, desc string, total int64) *taskProgress {
	p, ctx := progressOf(thread)
	if p == nil || p.opts.Mode == ProgressOff {
		return nil
	}
	return &taskProgress{p: p, ctx: ctx, desc: desc, total: total}
}

// start begins the bar, the first time it is called, and watches fs.
func (tp *taskProgress) start(fs []*runtime.Future) {
	if tp == nil || tp.begun {
		return
	}
	tp.begun = true
	tp.bar = tp.p.begin(tp.ctx, tp.desc, tp.total, true)
	tp.counted = make(map[*runtime.Future]bool)
	for _, f := range fs {
		tp.watch(f)
	}
}

// follow watches the last of fs if it is new: the task that a buffered map
// has just submitted.
func (tp *taskProgress) follow(fs []*runtime.Future) {
	if tp == nil || tp.bar == nil || len(fs) == 0 || fs[len(fs)-1] == tp.watched[len(tp.watched)-1] {
		return
	}
	tp.watch(fs[len(fs)-1])
}

func (tp *taskProgress) watch(f *runtime.Future) {
	tp.watched = append(tp.watched, f)
	f.AddDoneCallback(tp.count)
}

// count counts a finished task on the bar, once.
func (tp *taskProgress) count(f *runtime.Future) {
	if f.Cancelled() {
		return
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if !tp.counted[f] {
		tp.counted[f] = true
		tp.bar.add(f.Failed())
	}
}

// end finishes the bar. A future wakes its waiters before it runs its
// done-callbacks, so the loop can end before the callbacks of the last
// tasks have counted them: end counts every watched task that is done.
func (tp *taskProgress) end() {
	if tp == nil || tp.bar == nil {
		return
	}
	for _, f := range tp.watched {
		if f.Done() {
			tp.count(f)
		}
	}
	tp.bar.end()
}

// mapTotal is how many tasks a buffered map will run: the length of its
// shortest input, or -1 if an input has no length.
func mapTotal(iterables []starlark.Iterable) int64 {
	total := int64(-1)
	for _, it := range iterables {
		seq, ok := it.(starlark.Sequence)
		if !ok {
			return -1
		}
		if n := int64(seq.Len()); total < 0 || n < total {
			total = n
		}
	}
	return total
}

// progressIterable is what progress(iterable) returns: the elements of
// iterable, counted on a bar as the loop body finishes with each.
type progressIterable struct {
	iterable starlark.Iterable
	p        *Progress
	ctx      context.Context
	desc     string
	total    int64 // -1: unknown
}

var (
	_ starlark.Iterable   = (*progressIterable)(nil)
	_ runtime.Unshareable = (*progressIterable)(nil)
)

func (pi *progressIterable) String() string        { return "<progress " + pi.iterable.String() + ">" }
func (pi *progressIterable) Type() string          { return "progress" }
func (pi *progressIterable) Freeze()               {}
func (pi *progressIterable) Truth() starlark.Bool  { return true }
func (pi *progressIterable) Hash() (uint32, error) { return 0, errUnhashable("progress") }

// NotShareable explains why the wrapper cannot cross into a task.
func (pi *progressIterable) NotShareable() string {
	return "iterate it in the thread that called progress, and pass the elements"
}

// Iterate starts a bar and returns an iterator over the elements.
func (pi *progressIterable) Iterate() starlark.Iterator {
	return &progressIterator{
		inner: pi.iterable.Iterate(),
		bar:   pi.p.begin(pi.ctx, pi.desc, pi.total, false),
	}
}

type progressIterator struct {
	inner   starlark.Iterator
	bar     *bar
	started bool
}

// Next counts the element before it as done: the loop body has finished
// with it.
func (it *progressIterator) Next(p *starlark.Value) bool {
	if it.started {
		it.bar.add(false)
	}
	it.started = true
	return it.inner.Next(p)
}

func (it *progressIterator) Done() {
	it.inner.Done()
	it.bar.end()
}

// progress implements progress(iterable, total=None, desc="").
func progress(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var (
		iterable starlark.Iterable
		totalArg starlark.Value = starlark.None
		desc     string
	)
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "iterable", &iterable, "total?", &totalArg, "desc?", &desc); err != nil {
		return nil, err
	}
	total := int64(-1)
	switch {
	case totalArg != starlark.None:
		n, err := starlark.AsInt32(totalArg)
		if _, isBool := totalArg.(starlark.Bool); err != nil || isBool {
			return nil, fmt.Errorf("%s: for parameter total: got %s, want int or None", b.Name(), totalArg.Type())
		}
		if n < 0 {
			return nil, pyError(b.Name(), "ValueError", "total must be None or >= 0")
		}
		total = int64(n)
	default:
		if seq, ok := iterable.(starlark.Sequence); ok {
			total = int64(seq.Len())
		}
	}
	p, ctx := progressOf(thread)
	return &progressIterable{iterable: iterable, p: p, ctx: ctx, desc: desc, total: total}, nil
}

// distinctFutures returns fs without repeats, in first-seen order, as
// as_completed yields them.
func distinctFutures(fs []*runtime.Future) []*runtime.Future {
	seen := make(map[*runtime.Future]bool, len(fs))
	out := make([]*runtime.Future, 0, len(fs))
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}
