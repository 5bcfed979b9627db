package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// terminal drives the interactive prompt in a real pseudo-terminal.
type terminal struct {
	t    *testing.T
	pty  *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	seen int // how much of the output, without control sequences, earlier expectations consumed
	done chan struct{}
}

// ansi matches the terminal control sequences readline writes.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

func startPrompt(t *testing.T, env ...string) *terminal {
	t.Helper()
	bin, err := exec.LookPath("starpool")
	if err != nil {
		t.Fatalf("starpool is not on PATH: %v", err)
	}
	cmd := exec.Command(bin, "--quiet")
	cmd.Env = append(os.Environ(), append([]string{"GORACE=atexit_sleep_ms=0", "TERM=dumb"}, env...)...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, pty: f, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck // it may have exited
		cmd.Wait()         //nolint:errcheck // killed
		f.Close()
		<-term.done
	})
	term.expect(">>> ", 10*time.Second)
	return term
}

// send types s. Before a control character, it lets readline switch the
// terminal to raw mode, as a person's typing speed does; in the cooked mode
// between inputs, the terminal itself would act on ^C and ^D.
func (term *terminal) send(s string) {
	term.t.Helper()
	if s != "" && s[0] < ' ' && s[0] != '\r' && s[0] != '\t' {
		time.Sleep(200 * time.Millisecond)
	}
	if _, err := term.pty.Write([]byte(s)); err != nil {
		term.t.Fatal(err)
	}
}

// expect waits until the output, past what earlier expectations consumed,
// contains want, and returns how long that took.
func (term *terminal) expect(want string, within time.Duration) time.Duration {
	term.t.Helper()
	start := time.Now()
	for {
		term.mu.Lock()
		text := ansi.ReplaceAllString(term.out.String(), "")[term.seen:]
		term.mu.Unlock()
		if i := strings.Index(text, want); i >= 0 {
			term.seen += i + len(want)
			return time.Since(start)
		}
		if time.Since(start) > within {
			term.t.Fatalf("after %v, no %q in the output:\n%s", within, want, text)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// enter types each line and waits for the next prompt.
func (term *terminal) enter(lines ...string) {
	term.t.Helper()
	for _, line := range lines {
		term.send(line + "\r")
		term.expect(">>> ", 5*time.Second)
	}
}

// rest returns the output not yet consumed by expectations.
func (term *terminal) rest() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return ansi.ReplaceAllString(term.out.String(), "")[term.seen:]
}

// TestPrompt types a session: a multi-line def, tasks that run between
// inputs, Ctrl-C on a long sleep, tab completion, Ctrl-D, the history file.
func TestPrompt(t *testing.T) {
	state := t.TempDir()
	term := startPrompt(t, "XDG_STATE_HOME="+state)

	term.enter("from concurrent.futures import ThreadPoolExecutor", "import time")
	term.send("def work(x):\r")
	term.expect("... ", 5*time.Second)
	term.send("    time.sleep(0.2)\r")
	term.send("    return x * 2\r")
	term.send("\r")
	term.expect(">>> ", 5*time.Second)
	term.enter("pool = ThreadPoolExecutor(max_workers=4)", "futures = [pool.submit(work, i) for i in range(4)]")
	// The tasks run while the prompt waits; their results come later.
	term.send("[f.result() for f in futures]\r")
	term.expect("[0, 2, 4, 6]", 10*time.Second)
	term.send("_[-1] + 1\r")
	term.expect("7", 5*time.Second)

	// Ctrl-C stops a long sleep, once it has begun; the session goes on.
	// (expect fails the test if the prompt takes more than 5 s: far less
	// than the 60 s.) The marker is computed, so that the echo of the line
	// does not match it.
	term.send("print('sl' + 'eeping') or time.sleep(60)\r")
	term.expect("sleeping", 10*time.Second)
	term.send("\x03")
	term.expect("KeyboardInterrupt", 5*time.Second)
	term.expect(">>> ", 5*time.Second)
	term.send("pool.submit(work, 50).result()\r")
	term.expect("100", 10*time.Second)
	term.expect(">>> ", 5*time.Second)

	// Tab completes members.
	term.send("pool.su\t")
	term.expect("pool.submit", 5*time.Second)
	term.send("(work, 1).result()\r")
	term.expect("2", 10*time.Second)

	// A task printing while the user types shows above the prompt, and the
	// line being typed survives it. (The marker is computed, so that the
	// echo of the typed line does not match it.)
	term.expect(">>> ", 5*time.Second)
	term.send("t = pool.submit(lambda: time.sleep(0.5) or print('fr' + 'om a task'))\r")
	term.expect(">>> ", 5*time.Second)
	term.send("4")
	term.expect("from a task", 10*time.Second)
	term.send("0 + 2\r")
	term.expect("42", 5*time.Second)

	// Errors keep the session: a syntax error shows a caret.
	term.send("x = (1 +\r")
	term.send(")\r")
	term.expect("^", 5*time.Second)
	term.send("1 // 0\r")
	term.expect("division by zero", 5*time.Second)
	term.send("'still here'\r")
	term.expect("'still here'", 5*time.Second)

	// Ctrl-D exits.
	term.send("\x04")
	select {
	case <-term.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("the prompt did not exit on Ctrl-D:\n%s", term.rest())
	}
	history, err := os.ReadFile(filepath.Join(state, "starpool", "history"))
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	for _, line := range []string{"import time", "pool = ThreadPoolExecutor(max_workers=4)", "time.sleep(60)"} {
		if !strings.Contains(string(history), line+"\n") {
			t.Errorf("history lacks %q:\n%s", line, history)
		}
	}
}

// TestPromptExitWaits checks that Ctrl-D waits for running tasks, and that
// a second Ctrl-D cancels them.
func TestPromptExitWaits(t *testing.T) {
	term := startPrompt(t, "XDG_STATE_HOME="+t.TempDir())
	term.enter("import time", "from concurrent.futures import ThreadPoolExecutor",
		"pool = ThreadPoolExecutor(max_workers=2)", "f = pool.submit(time.sleep, 60)")
	term.send("\x04")
	term.expect("waiting for 1 running tasks; press Ctrl-D again to cancel them", 5*time.Second)
	term.send("\x04")
	select {
	case <-term.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("a second Ctrl-D did not cancel the running task:\n%s", term.rest())
	}
}

// TestPromptCancelAll checks that a second Ctrl-C right after the first,
// and shutdown_all(), cancel the tasks running in the background.
func TestPromptCancelAll(t *testing.T) {
	term := startPrompt(t, "XDG_STATE_HOME="+t.TempDir())
	term.enter("import time", "from concurrent.futures import ThreadPoolExecutor, wait",
		"pool = ThreadPoolExecutor(max_workers=2)", "background = pool.submit(time.sleep, 60)")
	term.send("print('sl' + 'eeping') or time.sleep(60)\r")
	term.expect("sleeping", 10*time.Second)
	term.send("\x03")
	term.send("\x03")
	term.expect("cancelled 1 running tasks", 5*time.Second)
	term.expect(">>> ", 5*time.Second)
	// A running task ends cancelled as soon as it sees the cancellation:
	// wait for it (without the cancellation, the wait would last 60 s).
	term.send("len(wait([background]).done), background.cancelled()\r")
	term.expect("(1, True)", 5*time.Second)

	term.enter("pool2 = ThreadPoolExecutor(max_workers=1)", "g = pool2.submit(time.sleep, 60)")
	term.send("shutdown_all()\r")
	term.expect("1", 5*time.Second)
	term.send("len(wait([g]).done), g.cancelled()\r")
	term.expect("(1, True)", 5*time.Second)
}
