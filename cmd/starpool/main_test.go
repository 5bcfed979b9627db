package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes the test binary double as the starpool command, so the
// scripts under testdata/script can run it with exec.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"starpool": main})
}

// serveTest is the test server of the command-line scripts.
func serveTest(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/status/"):
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		w.WriteHeader(code)
	case r.URL.Path == "/delay":
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprintf(w, "waited %d ms\n", ms)
	default:
		http.NotFound(w, r)
	}
}

// TestScript runs the command-line tests in testdata/script.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") != "",
		Setup: func(env *testscript.Env) error {
			// Under -race, a binary whose goroutines outlive main sleeps a
			// second at exit so that the race detector can report them;
			// the test binary standing in for starpool usually has some.
			env.Setenv("GORACE", "atexit_sleep_ms=0")
			// A local server for the requests module's scripts: /delay?ms=N
			// answers after N milliseconds, /status/N with status N.
			srv := httptest.NewServer(http.HandlerFunc(serveTest))
			env.Defer(srv.Close)
			env.Setenv("SERVER", srv.URL)
			examples, err := filepath.Abs("../../examples")
			if err != nil {
				return err
			}
			env.Setenv("EXAMPLES", examples)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status": cmdStatus,
		},
	})
}

// cmdStatus implements
//
//	status [-within DURATION] [-interrupt-when REGEXP] N program [args...]
//
// It runs program like exec, keeping its standard output and error for
// stdout, stderr and cmp, and fails unless the program exits with status N.
// With -within, it also fails if the program took longer than DURATION to
// finish (a generous bound: it tells "stops promptly" from "stops only when
// its work is done"). With -interrupt-when, it sends the program an
// interrupt as soon as a line of its standard error matches REGEXP; the
// program's standard input is then empty.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: status [-within DURATION] [-interrupt-when REGEXP] N program [args...]"
	if neg {
		ts.Fatalf("unsupported: ! status")
	}
	var (
		within time.Duration
		when   *regexp.Regexp
		err    error
	)
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if len(args) < 2 {
			ts.Fatalf(usage)
		}
		switch args[0] {
		case "-within":
			within, err = time.ParseDuration(args[1])
			ts.Check(err)
		case "-interrupt-when":
			when, err = regexp.Compile(args[1])
			ts.Check(err)
		default:
			ts.Fatalf(usage)
		}
		args = args[2:]
	}
	if len(args) < 2 {
		ts.Fatalf(usage)
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)

	start := time.Now()
	if when != nil {
		err = runInterrupted(ts, when, args[1], args[2:]...)
	} else {
		err = ts.Exec(args[1], args[2:]...)
	}
	elapsed := time.Since(start)

	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
	if within > 0 && elapsed > within {
		ts.Fatalf("%s took %v to finish, want at most %v", args[1], elapsed.Round(time.Millisecond), within)
	}
}

// runInterrupted runs program in the script's directory, copying its output
// to the script's stdout and stderr, and interrupts it once a line of its
// standard error matches when.
func runInterrupted(ts *testscript.TestScript, when *regexp.Regexp, program string, args ...string) error {
	path, err := lookPath(ts, program)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = append(os.Environ(), "PWD="+cmd.Dir, "GORACE="+ts.Getenv("GORACE"))
	var stdout strings.Builder
	cmd.Stdout = &stdout
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}

	// Read standard error to its end before Wait, which closes the pipe.
	var stderr strings.Builder
	interrupted := false
	r := bufio.NewReader(pipe)
	for {
		line, err := r.ReadString('\n')
		stderr.WriteString(line)
		if !interrupted && when.MatchString(strings.TrimSuffix(line, "\n")) {
			interrupted = true
			cmd.Process.Signal(os.Interrupt) //nolint:errcheck // Wait reports what happened
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintf(&stderr, "[reading stderr: %v]\n", err)
			}
			break
		}
	}
	err = cmd.Wait()
	fmt.Fprint(ts.Stdout(), stdout.String())
	fmt.Fprint(ts.Stderr(), stderr.String())
	return err
}

// lookPath finds program in the script's PATH, where testscript.Main put
// the starpool command.
func lookPath(ts *testscript.TestScript, program string) (string, error) {
	if strings.ContainsRune(program, filepath.Separator) {
		return program, nil
	}
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		path := filepath.Join(dir, program)
		if info, err := os.Stat(path); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return path, nil
		}
	}
	return "", fmt.Errorf("%s: not found in $PATH", program)
}
