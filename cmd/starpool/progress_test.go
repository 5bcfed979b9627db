package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/starpool/starpool/internal/termtest"
)

// progressScript maps a task over 200 inputs with a progress bar and
// prints each result.
const progressScript = `from concurrent.futures import ThreadPoolExecutor
import time

def work(x):
    time.sleep(0.01)
    return x

with ThreadPoolExecutor(max_workers=8) as pool:
    for x in pool.map(work, range(200), progress=True):
        print(x)
print("done")
`

// runOnTerminal runs starpool with args in dir, its stderr on a
// pseudo-terminal 120 columns wide, and its stdout there too or, if
// stdout is not nil, in it. It returns what the terminal received.
func runOnTerminal(t *testing.T, dir string, stdout *bytes.Buffer, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("starpool")
	if err != nil {
		t.Fatalf("starpool is not on PATH: %v", err)
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0", "TERM=xterm")
	cmd.Stderr = tty
	cmd.Stdout = tty
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var out bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		out.ReadFrom(ptmx) //nolint:errcheck // it ends with EIO when the command has exited
	}()
	timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() }) //nolint:errcheck // it may have exited
	defer timer.Stop()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("starpool %s: %v", strings.Join(args, " "), err)
	}
	<-read
	return out.String()
}

func writeScript(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "prog.py"), []byte(progressScript), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestProgressTerminal checks the bar on a terminal that shows stdout too:
// it reaches 200/200 and stays on its own line under the results, each of
// which is whole on its own line.
func TestProgressTerminal(t *testing.T) {
	out := runOnTerminal(t, writeScript(t), nil, "prog.py")
	lines := strings.Split(strings.TrimSuffix(termtest.Screen(out), "\n"), "\n")
	if len(lines) != 202 {
		t.Fatalf("the terminal shows %d lines; want 202, the results, the bar and done:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for i := range 200 {
		if lines[i] != fmt.Sprint(i) {
			t.Errorf("line %d is %q; want %d", i+1, lines[i], i)
		}
	}
	if bar := lines[200]; !regexp.MustCompile(`^map \(0 failed\) 100% \|█+\| \(200/200, \d+ tasks/s\) \[\d+s\]$`).MatchString(bar) {
		t.Errorf("the last bar is %q; want a full bar of 200/200", bar)
	}
	if lines[201] != "done" {
		t.Errorf("the last line is %q; want done", lines[201])
	}
	for _, frame := range strings.Split(out, "\r") {
		if n := utf8.RuneCountInString(ansi.ReplaceAllString(frame, "")); n > 120 {
			t.Errorf("a frame of %d columns is wider than the terminal: %q", n, frame)
		}
	}
}

// TestProgressStdoutUnchanged checks that the bar never reaches stdout:
// a run that draws it prints the same bytes as one that does not.
func TestProgressStdoutUnchanged(t *testing.T) {
	dir := writeScript(t)
	var with, without bytes.Buffer
	bar := runOnTerminal(t, dir, &with, "prog.py")
	if !strings.Contains(ansi.ReplaceAllString(bar, ""), "(200/200, ") {
		t.Errorf("the bar did not reach 200/200 on the terminal:\n%q", bar)
	}
	if none := runOnTerminal(t, dir, &without, "--progress=off", "prog.py"); none != "" {
		t.Errorf("--progress=off drew on the terminal: %q", none)
	}
	if !bytes.Equal(with.Bytes(), without.Bytes()) {
		t.Errorf("stdout with the bar:\n%q\ndiffers from stdout without it:\n%q", with.Bytes(), without.Bytes())
	}
	var want strings.Builder
	for i := range 200 {
		fmt.Fprintln(&want, i)
	}
	want.WriteString("done\n")
	if with.String() != want.String() {
		t.Errorf("stdout is %q; want the results and done", with.String())
	}
}

// TestProgressPrompt checks a bar at the interactive prompt: drawn through
// readline and cleared from the line before the next prompt.
func TestProgressPrompt(t *testing.T) {
	term := startPrompt(t, "XDG_STATE_HOME="+t.TempDir())
	term.enter("from concurrent.futures import ThreadPoolExecutor", "import time")
	term.send("def work(x):\r")
	term.expect("... ", 5*time.Second)
	term.send("    time.sleep(0.01)\r")
	term.send("    return x\r")
	term.send("\r")
	term.expect(">>> ", 5*time.Second)
	term.enter("pool = ThreadPoolExecutor(max_workers=4)")
	term.send("r = list(pool.map(work, range(50), progress=True)); print('mapped', len(r))\r")
	term.expect("mapped 50", 10*time.Second)
	term.expect(">>> ", 5*time.Second)

	term.mu.Lock()
	raw := term.out.String()
	term.mu.Unlock()
	i := strings.LastIndex(raw, "(50/50, ")
	if i < 0 {
		t.Fatalf("the bar did not reach 50/50:\n%q", raw)
	}
	printed := strings.Index(raw[i:], "mapped 50")
	if printed < 0 || !strings.Contains(raw[i:i+printed], "\r\x1b[K") {
		t.Errorf("the bar was not cleared when its loop ended:\n%q", raw[i:])
	}
}
