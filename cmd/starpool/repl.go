package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chzyer/readline"
	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/starpool/starpool"
	"github.com/starpool/starpool/builtins"
	"github.com/starpool/starpool/runtime"
)

// errKeyboardInterrupt cancels a statement interrupted with Ctrl-C.
var errKeyboardInterrupt = errors.New("KeyboardInterrupt")

// doubleInterrupt is how soon a second Ctrl-C must follow the first to
// cancel every running task.
const doubleInterrupt = time.Second

// historyLimit is how many lines the history file keeps.
const historyLimit = 1000

// prompt is an interactive session: readline on the terminal, a runtime
// session behind it.
type prompt struct {
	rl       *readline.Instance
	sess     *runtime.Session
	stderr   io.Writer
	strict   bool
	progress *builtins.Progress // where progress bars go; nil for none

	mu      sync.Mutex
	lastInt time.Time               // the last Ctrl-C
	stopRun context.CancelCauseFunc // cancels the input running now, if any
}

// repl runs the interactive prompt until Ctrl-D and returns the exit status.
func repl(opts starpool.Options, quiet bool, progress string, stdin io.ReadCloser, stdout, stderr io.Writer) int {
	p := &prompt{stderr: stderr, strict: opts.Strict}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          ">>> ",
		HistoryFile:     historyFile(),
		HistoryLimit:    historyLimit,
		AutoComplete:    completer{p},
		InterruptPrompt: "^C",
		Stdin:           stdin,
		Stdout:          stdout,
		Stderr:          stderr,
	})
	if err != nil {
		fmt.Fprintf(stderr, "starpool: %v\n", err)
		return exitError
	}
	defer rl.Close()
	p.rl = rl
	// Output printed by tasks while the user types goes above the prompt.
	// Progress bars are drawn there too, cleared when their loop ends.
	p.progress = newProgress(progress, stderr, rl.Stderr(), false)
	opts.Stdout, opts.Stderr = p.progress.Writer(rl.Stdout()), p.progress.Writer(rl.Stderr())
	p.stderr = rl.Stderr()
	rt := starpool.New(opts)
	defer rt.Close()
	sess, err := rt.NewSession(builtins.WithProgress(context.Background(), p.progress))
	if err != nil {
		fmt.Fprintf(stderr, "starpool: %v\n", err)
		return exitError
	}
	p.sess = sess
	// SIGINT arrives while an input runs (readline's raw mode turns Ctrl-C
	// into ErrInterrupt while the user types). Listening for the whole
	// session leaves no moment where Ctrl-C would kill the process.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	go func() {
		for range sigs {
			p.interrupt()
		}
	}()
	if !quiet {
		fmt.Fprintf(rl.Stdout(), "starpool %s: Python-flavored Starlark, concurrent.futures on goroutines\nType help() for help, Ctrl-D to exit.\n", starpool.Version)
	}
	for {
		src, err := p.read()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			p.interruptAtPrompt()
			continue
		case errors.Is(err, io.EOF):
			return p.exit()
		case err != nil:
			fmt.Fprintf(p.stderr, "starpool: %v\n", err)
			return exitError
		}
		if strings.TrimSpace(src) != "" {
			p.run(src)
		}
	}
}

// read reads one input: a line, or the lines of a block up to a blank one.
func (p *prompt) read() (string, error) {
	p.rl.SetPrompt(">>> ")
	var src strings.Builder
	for {
		line, err := p.rl.Readline()
		if err != nil {
			return "", err
		}
		src.WriteString(line + "\n")
		if runtime.InputComplete(src.String()) {
			return src.String(), nil
		}
		p.rl.SetPrompt("... ")
	}
}

// run executes one input. Ctrl-C cancels it; a second Ctrl-C soon after
// cancels every running task too.
func (p *prompt) run(src string) {
	ctx, cancel := context.WithCancelCause(builtins.WithProgress(context.Background(), p.progress))
	defer cancel(nil)
	p.mu.Lock()
	p.stopRun = cancel
	p.mu.Unlock()
	v, err := p.sess.Exec(ctx, src)
	p.mu.Lock()
	p.stopRun = nil
	p.mu.Unlock()
	switch {
	case errors.Is(err, errKeyboardInterrupt):
		fmt.Fprintln(p.stderr, "KeyboardInterrupt")
	case err != nil:
		fmt.Fprintln(p.stderr, describeError(src, err))
	case v != nil && v != starlark.None:
		if p.strict {
			fmt.Fprintln(p.rl.Stdout(), v.String())
		} else {
			fmt.Fprintln(p.rl.Stdout(), runtime.PyRepr(v))
		}
	}
}

// interrupt handles a SIGINT: it cancels the input running now, and a
// second one soon after cancels every running task too.
func (p *prompt) interrupt() {
	second := p.interrupted()
	p.mu.Lock()
	stop := p.stopRun
	p.mu.Unlock()
	if second {
		p.cancelAll()
	}
	if stop != nil {
		stop(errKeyboardInterrupt)
	}
}

// interrupted records a Ctrl-C and reports whether it is the second in a
// row.
func (p *prompt) interrupted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	second := time.Since(p.lastInt) < doubleInterrupt
	p.lastInt = time.Now()
	return second
}

// interruptAtPrompt handles Ctrl-C while the user types: the line is
// dropped, and a second Ctrl-C cancels the running tasks.
func (p *prompt) interruptAtPrompt() {
	if p.interrupted() && p.sess.Running() > 0 {
		p.cancelAll()
	}
}

func (p *prompt) cancelAll() {
	if n := p.sess.CancelAll(); n > 0 {
		fmt.Fprintf(p.stderr, "cancelled %d running tasks\n", n)
	}
}

// exit ends the session on Ctrl-D: it waits for the running tasks, unless
// a second Ctrl-D cancels them.
func (p *prompt) exit() int {
	n := p.sess.Running()
	if n == 0 {
		p.sess.Close(true) //nolint:errcheck // the session is ending
		return exitOK
	}
	fmt.Fprintf(p.stderr, "waiting for %d running tasks; press Ctrl-D again to cancel them\n", n)
	closed := make(chan struct{})
	go func() {
		p.sess.Close(true) //nolint:errcheck // the session is ending
		close(closed)
	}()
	again := make(chan struct{})
	go func() {
		p.rl.SetPrompt("")
		for {
			_, err := p.rl.Readline()
			if errors.Is(err, io.EOF) || errors.Is(err, readline.ErrInterrupt) {
				close(again)
				return
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case <-closed:
	case <-again:
		p.cancelAll()
		<-closed
	}
	return exitOK
}

// describeError renders an error for the prompt: a syntax error shows the
// line with a caret under the column, as Python does.
func describeError(src string, err error) string {
	line, col := 0, 0
	var se syntax.Error
	var le *runtime.SyntaxError
	var re resolve.ErrorList
	switch {
	case errors.As(err, &se):
		line, col = int(se.Pos.Line), int(se.Pos.Col)
	case errors.As(err, &le):
		line, col = le.Line, le.Col
	case errors.As(err, &re) && len(re) > 0:
		line, col = int(re[0].Pos.Line), int(re[0].Pos.Col)
	default:
		return starpool.Backtrace(err)
	}
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return err.Error()
	}
	text := lines[line-1]
	caret := strings.Repeat(" ", max(col-1, 0)) + "^"
	return fmt.Sprintf("    %s\n    %s\n%s", text, caret, err)
}

// historyFile returns where the prompt keeps its history: under
// $XDG_STATE_HOME, or ~/.local/state, in starpool/history. It returns ""
// (no history) if the directory cannot be made.
func historyFile() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "starpool")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return filepath.Join(dir, "history")
}

// completer completes names and members with the Tab key.
type completer struct{ p *prompt }

// Do returns the completions of the word before the cursor, as suffixes.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	if c.p.sess == nil {
		return nil, 0
	}
	text := string(line[:pos])
	start := len(text)
	for start > 0 && (isNameRune(text[start-1]) || text[start-1] == '.') {
		start--
	}
	word := text[start:]
	typed := word
	if i := strings.LastIndexByte(word, '.'); i >= 0 {
		typed = word[i+1:]
	}
	var out [][]rune
	for _, full := range c.p.sess.Completions(text) {
		out = append(out, []rune(full[len(word):]))
	}
	return out, len([]rune(typed))
}

func isNameRune(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
