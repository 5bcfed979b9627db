// Command starpool runs Python-flavored Starlark scripts whose
// concurrent.futures API runs on a goroutine pool.
//
// Usage:
//
//	starpool [flags] FILE [args...]   run FILE; sys.argv is [FILE, args...]
//	starpool [flags] -c CODE [args...] run CODE; sys.argv is ["-c", args...]
//	starpool [flags] - [args...]      run the script on standard input
//	starpool [flags]                  the interactive prompt
//
// With no FILE, starpool runs standard input if it is piped, and starts the
// interactive prompt if it is a terminal.
// It exits with status 0 on success, 1 when the script fails (with a
// Python-style traceback on stderr), 2 on bad usage, 124 when --timeout
// stops the script and 130 when it is interrupted.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/starpool/starpool"
	"github.com/starpool/starpool/builtins"
	"github.com/starpool/starpool/runtime"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// Exit statuses.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitTimeout   = 124
	exitInterrupt = 130
)

// defaultGCPercent is the command's garbage-collector setting when GOGC is
// not set: Starlark tasks allocate heavily, and a less eager collector lets
// CPU-bound pools scale with cores (see BENCHMARKS.md). The library leaves
// its host's setting alone.
const defaultGCPercent = 400

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("starpool", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		code     = fs.String("c", "", "run `CODE` instead of a file")
		version  = fs.Bool("version", false, "print the version and exit")
		maxSteps = fs.Uint64("max-steps", 0, "stop the script after `N` Starlark steps, its tasks included (0: no limit)")
		timeout  = fs.Duration("timeout", 0, "stop the script and its tasks after `DURATION`, e.g. 30s (0: no limit)")
		workers  = fs.Int("max-workers", 0, "default max_workers of an executor (0: min(32, cpu_count + 4))")
		strict   = fs.Bool("strict", false, "run plain Starlark: no with, import, f-strings or other Python-flavored syntax")
		quiet    = fs.Bool("quiet", false, "do not print the banner of the interactive prompt")
		stats    = fs.Bool("stats", false, "print a summary of the tasks at exit, on stderr")
		progress = fs.String("progress", "auto", "progress bars of progress=True and progress(), on stderr: `MODE` auto (on a terminal only), plain (a summary line each) or off")
		perms    starpool.Permissions
	)
	completePermissions := permissionFlags(fs, &perms)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: starpool [flags] FILE [args...]\n       starpool [flags] -c CODE [args...]\n       starpool [flags] - [args...]\n\nflags:\n")
		fs.PrintDefaults()
	}
	// As in Python, -c CODE ends the options: what follows is sys.argv.
	args, codeArgs := splitAtCode(args)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	completePermissions()
	if *version {
		fmt.Fprintf(stdout, "starpool %s\n", starpool.Version)
		return exitOK
	}
	if *workers < 0 {
		fmt.Fprintln(stderr, "starpool: --max-workers must not be negative (0 means the default)")
		return exitUsage
	}
	if !progressModes[*progress] {
		fmt.Fprintf(stderr, "starpool: --progress must be auto, plain or off, not %q\n", *progress)
		return exitUsage
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}

	if codeArgs == nil && len(fs.Args()) == 0 && isTerminal(stdin) {
		return repl(starpool.Options{Args: []string{""}, MaxWorkers: *workers, MaxSteps: *maxSteps, Strict: *strict, Permissions: perms},
			*quiet, *progress, stdin.(io.ReadCloser), stdout, stderr)
	}
	filename, src, argv, err := script(fs, *code, codeArgs, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "starpool: %v\n", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, *timeout, &runtime.LimitError{Limit: "timeout", Value: *timeout})
		defer cancel()
	}

	// Like Python, buffer stdout unless it is a terminal.
	out := bufio.NewWriterSize(stdout, 64<<10)
	var scriptOut io.Writer = out
	bars := newProgress(*progress, stderr, stderr, true)
	if isTerminal(stdout) {
		scriptOut = bars.Writer(stdout)
	}
	ctx = builtins.WithProgress(ctx, bars)
	rt := starpool.New(starpool.Options{
		Args:        argv,
		MaxWorkers:  *workers,
		MaxSteps:    *maxSteps,
		Strict:      *strict,
		Permissions: perms,
		Stdout:      scriptOut,
		Stderr:      bars.Writer(stderr),
	})
	start := time.Now()
	_, err = rt.ExecFile(ctx, filename, src)
	rt.Close()
	out.Flush()
	if *stats {
		printStats(stderr, rt.Stats(), time.Since(start))
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, runtime.Backtrace(err))
	var limit *runtime.LimitError
	switch {
	case errors.As(err, &limit) && limit.Limit == "timeout":
		return exitTimeout
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		fmt.Fprintln(stderr, "KeyboardInterrupt")
		return exitInterrupt
	}
	return exitError
}

// valueFlags are the flags that take a value as the next argument.
var valueFlags = map[string]bool{"c": true, "max-steps": true, "timeout": true, "max-workers": true, "progress": true}

// splitAtCode splits the arguments after "-c CODE": those are the script's
// (codeArgs is nil when there is no -c).
func splitAtCode(args []string) (flags, codeArgs []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case name == "c" && hasValue:
			return args[:i+1], args[i+1:]
		case name == "c" && i+1 < len(args):
			return args[:i+2], args[i+2:]
		case valueFlags[name] && !hasValue:
			i++
		}
	}
	return args, nil
}

// script chooses what to run from the arguments left after the flags.
func script(fs *flag.FlagSet, code string, codeArgs []string, stdin io.Reader) (filename string, src any, argv []string, err error) {
	rest := fs.Args()
	switch {
	case codeArgs != nil:
		return "<string>", code, append([]string{"-c"}, codeArgs...), nil
	case len(rest) > 0 && rest[0] == "-":
		src, err := io.ReadAll(stdin)
		return "<stdin>", src, rest, err
	case len(rest) > 0:
		src, err := os.ReadFile(rest[0])
		if err != nil {
			return "", nil, nil, fmt.Errorf("can't open file %q: %v", rest[0], errors.Unwrap(err))
		}
		return rest[0], src, rest, nil
	}
	data, err := io.ReadAll(stdin)
	return "<stdin>", data, []string{""}, err
}

// isTerminal reports whether f is a character device such as a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// printStats writes the --stats summary: what the tasks did, and the
// speedup the pool delivered (time in tasks over wall time).
func printStats(w io.Writer, s starpool.Stats, wall time.Duration) {
	fmt.Fprintf(w, "starpool: %d tasks submitted: %d completed, %d failed, %d cancelled\n",
		s.Submitted, s.Completed, s.Failed, s.Cancelled)
	speedup := 0.0
	if wall > 0 {
		speedup = s.TaskTime.Seconds() / wall.Seconds()
	}
	fmt.Fprintf(w, "starpool: at most %d running and %d waiting; %.2f s in tasks over %.2f s wall (%.1fx)\n",
		s.PeakRunning, s.QueueHighWater, s.TaskTime.Seconds(), wall.Seconds(), speedup)
	fmt.Fprintf(w, "starpool: %d Starlark steps\n", s.Steps)
}

// progressModes are the values of --progress.
var progressModes = map[string]bool{"auto": true, "plain": true, "off": true}

// newProgress returns where the scripts' progress bars go for --progress
// mode: bars drawn on w when mode is auto and stderr is a terminal, summary
// lines on w when it is plain, and nil (nothing) otherwise. keep leaves a
// finished bar on the terminal.
func newProgress(mode string, stderr, w io.Writer, keep bool) *builtins.Progress {
	switch mode {
	case "plain":
		return builtins.NewProgress(w, builtins.ProgressOptions{Mode: builtins.ProgressPlain})
	case "auto":
		f, ok := stderr.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return nil
		}
		columns := func() int {
			width, _, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0
			}
			return width
		}
		return builtins.NewProgress(w, builtins.ProgressOptions{Mode: builtins.ProgressBars, Columns: columns, Keep: keep})
	}
	return nil
}
