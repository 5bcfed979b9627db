package builtins

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// ProgressMode says how a script's progress bars are shown.
type ProgressMode int

const (
	// ProgressOff shows nothing.
	ProgressOff ProgressMode = iota
	// ProgressPlain writes one summary line per bar when its loop ends,
	// such as "map: 200/200 done, 0 failed in 2.05 s": for logs and CI.
	ProgressPlain
	// ProgressBars draws each bar live, redrawn in place on one line: for
	// a terminal.
	ProgressBars
)

// ProgressOptions configure [NewProgress].
type ProgressOptions struct {
	Mode ProgressMode
	// Columns returns the terminal's width, to fit a bar on one line; nil,
	// or a width below 20, means 80.
	Columns func() int
	// Keep leaves the last state of a finished bar on the terminal, on a
	// line of its own; otherwise it is cleared, as the prompt wants. A bar
	// that ends while another is running is always cleared.
	Keep bool
}

// Progress is where scripts draw the bars of progress(), map(...,
// progress=True) and as_completed(..., progress=True). A script finds it
// in the context it runs under (see [WithProgress]); without one, bars show
// nothing. It is safe for concurrent use: tasks finishing on any goroutine
// advance the bars.
//
// In ProgressBars mode one bar is drawn at a time, on the current line of
// the terminal: the one that started last (an inner loop's), and the bar
// under it comes back when it ends. Text that the script writes to the same
// terminal should go through [Progress.Writer], which takes the bar off the
// line while the text is written.
type Progress struct {
	w    io.Writer
	opts ProgressOptions

	mu      sync.Mutex
	bars    []*bar // running and drawable, oldest first; the last is drawn
	shown   bool   // a bar is on the terminal's current line
	partial bool   // the current line holds text without its newline yet
}

// NewProgress returns the progress display that writes to w: a terminal,
// for ProgressBars. The display writes to w under its own lock, so w must
// not be one of its own [Progress.Writer] writers.
func NewProgress(w io.Writer, opts ProgressOptions) *Progress {
	return &Progress{w: w, opts: opts}
}

type progressKey struct{}

// WithProgress returns a copy of ctx that carries p: scripts run under it
// ([runtime.Runtime.ExecFile], [runtime.Session.Exec] and
// [runtime.Runtime.NewSession] for the tasks of a session) show their
// progress bars on p. A nil p shows nothing.
func WithProgress(ctx context.Context, p *Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// Writer returns a writer to w, which shows on the same terminal as the
// bars: each write takes the bar off the line first and, once the text has
// ended its line, draws it again, so that a write costs a redraw while a
// bar runs. The bytes reach w unchanged. In modes other than ProgressBars
// it returns w itself.
func (p *Progress) Writer(w io.Writer) io.Writer {
	if p == nil || p.opts.Mode != ProgressBars {
		return w
	}
	return &sharedWriter{p: p, w: w}
}

type sharedWriter struct {
	p *Progress
	w io.Writer
}

func (sw *sharedWriter) Write(b []byte) (int, error) {
	p := sw.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	n, err := sw.w.Write(b)
	if len(b) > 0 {
		p.partial = b[len(b)-1] != '\n'
	}
	p.drawTop()
	return n, err
}

// clear takes the bar off the terminal's line. It is called with p.mu held.
func (p *Progress) clear() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K") //nolint:errcheck // a bar has nowhere to report a failed write
		p.shown = false
	}
}

// drawTop draws the bar that started last. It is called with p.mu held.
func (p *Progress) drawTop() {
	if n := len(p.bars); n > 0 {
		p.bars[n-1].draw()
	}
}

// barWriter is where the progressbar library writes: p.w, under p.mu.
type barWriter struct{ p *Progress }

func (bw barWriter) Write(b []byte) (int, error) {
	bw.p.shown = true
	return bw.p.w.Write(b)
}

// redrawInterval is how often a bar is redrawn: when tasks finish, and
// between them, so that the elapsed time and the estimate keep moving.
const redrawInterval = 150 * time.Millisecond

// bar is one progress bar: a count of items or tasks done out of total.
// Its counts are atomic; what it draws is guarded by p.mu.
type bar struct {
	p     *Progress
	desc  string
	total int64 // -1: unknown
	tasks bool  // it counts tasks, and shows how many failed
	start time.Time

	done, failed atomic.Int64
	drawnAt      atomic.Int64 // when it was last drawn, in nanoseconds since start

	pb    *progressbar.ProgressBar // ProgressBars only; nil for an empty bar
	label string                   // the description pb shows
	ended bool

	stop, stopped chan struct{} // end the redraw ticker
}

// begin starts a bar; it returns nil when p shows nothing. The bar is
// redrawn until end, or until ctx is done.
func (p *Progress) begin(ctx context.Context, desc string, total int64, tasks bool) *bar {
	if p == nil || p.opts.Mode == ProgressOff {
		return nil
	}
	b := &bar{p: p, desc: desc, total: total, tasks: tasks, start: time.Now()}
	if p.opts.Mode != ProgressBars || total == 0 {
		return b
	}
	p.mu.Lock()
	p.clear()
	b.label = b.describe(0)
	b.pb = p.newBar(b)
	p.bars = append(p.bars, b)
	b.draw()
	p.mu.Unlock()
	b.stop, b.stopped = make(chan struct{}), make(chan struct{})
	go b.tick(ctx)
	return b
}

// newBar makes the drawing of b, fitted to the terminal's width.
func (p *Progress) newBar(b *bar) *progressbar.ProgressBar {
	unit := "it"
	if b.tasks {
		unit = "tasks"
	}
	columns := 80
	if p.opts.Columns != nil {
		if c := p.opts.Columns(); c >= 20 {
			columns = c
		}
	}
	// Everything on the line but the bar itself, at its widest.
	n := strconv.FormatInt(max(b.total, 0), 10)
	rest := len(b.describe(max(b.total, 0))) + len(" 100% ||") +
		len(fmt.Sprintf(" (%s/%s, 99999 %s/s)", n, n, unit)) + len(" [59m59s:59m59s] ")
	return progressbar.NewOptions64(b.total,
		progressbar.OptionSetWriter(barWriter{p}),
		progressbar.OptionSetDescription(b.label),
		progressbar.OptionSetWidth(min(40, max(10, columns-rest))),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetSpinnerChangeInterval(0), // no goroutine of its own: tick redraws
		progressbar.OptionUseANSICodes(true),
	)
}

// describe is the text before the bar.
func (b *bar) describe(failed int64) string {
	if b.tasks {
		return fmt.Sprintf("%s (%d failed)", b.desc, failed)
	}
	return b.desc
}

// add counts one item or task done.
func (b *bar) add(failed bool) {
	if b == nil {
		return
	}
	n := b.done.Add(1)
	if failed {
		b.failed.Add(1)
	}
	if b.stop == nil {
		return // nothing to draw
	}
	if n == b.total || time.Since(b.start).Nanoseconds()-b.drawnAt.Load() >= int64(redrawInterval) {
		b.refresh()
	}
}

// refresh draws b if it is the bar on the terminal.
func (b *bar) refresh() {
	p := b.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !b.ended && len(p.bars) > 0 && p.bars[len(p.bars)-1] == b {
		b.draw()
	}
}

// draw draws b's current state on the line. It is called with p.mu held.
func (b *bar) draw() {
	p := b.p
	if p.partial {
		return // the line is the script's until its text ends it
	}
	b.drawnAt.Store(time.Since(b.start).Nanoseconds())
	if label := b.describe(b.failed.Load()); label != b.label {
		b.label = label
		b.pb.Describe(label)
	}
	if b.pb.IsFinished() {
		// progressbar draws a full bar once; draw it again after a clear.
		if !p.shown {
			barWriter{p}.Write([]byte(b.pb.String())) //nolint:errcheck // as above
		}
		return
	}
	b.pb.Set64(b.done.Load()) //nolint:errcheck // it fails only past the total, which then shows full
}

// tick redraws b until it ends.
func (b *bar) tick(ctx context.Context) {
	defer close(b.stopped)
	t := time.NewTicker(redrawInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if time.Since(b.start).Nanoseconds()-b.drawnAt.Load() >= int64(redrawInterval)/2 {
				b.refresh()
			}
		case <-b.stop:
			return
		case <-ctx.Done():
			return
		}
	}
}

// end finishes b: in ProgressPlain mode it writes the summary line; in
// ProgressBars mode it leaves b's last state on the terminal (Keep, with
// no other bar running) or clears it, and draws the bar under it. Calling
// it again does nothing.
func (b *bar) end() {
	if b == nil {
		return
	}
	p := b.p
	p.mu.Lock()
	if b.ended {
		p.mu.Unlock()
		return
	}
	b.ended = true
	switch {
	case p.opts.Mode == ProgressPlain:
		io.WriteString(p.w, b.summary()+"\n") //nolint:errcheck // as above
	case b.pb != nil:
		top := p.bars[len(p.bars)-1] == b
		p.bars = slices.DeleteFunc(p.bars, func(x *bar) bool { return x == b })
		if top {
			if p.opts.Keep && len(p.bars) == 0 {
				b.draw()
				if p.shown {
					io.WriteString(p.w, "\n") //nolint:errcheck // as above
					p.shown = false
				}
			}
			p.clear()
			p.drawTop()
		}
	}
	p.mu.Unlock()
	if b.stop != nil {
		close(b.stop)
		<-b.stopped
	}
}

// summary is b's line in ProgressPlain mode.
func (b *bar) summary() string {
	name := b.desc
	if name == "" {
		name = "progress"
	}
	count := strconv.FormatInt(b.done.Load(), 10)
	if b.total >= 0 {
		count += "/" + strconv.FormatInt(b.total, 10)
	}
	s := name + ": " + count + " done"
	if b.tasks {
		s += fmt.Sprintf(", %d failed", b.failed.Load())
	}
	return s + fmt.Sprintf(" in %.2f s", time.Since(b.start).Seconds())
}
