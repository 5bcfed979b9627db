package starpool_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.uber.org/goleak"

	"github.com/starpool/starpool"
	"github.com/starpool/starpool/runtime"
)

var update = flag.Bool("update", false, "rewrite the existing golden .out and .err files of testdata/scripts")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestScripts runs every testdata/scripts/*.star file. A script passes when
// it runs without error and its assertions hold; where NAME.out exists, its
// stdout must match it, and where NAME.err exists, the script must fail and
// its stderr (diagnostics, then the traceback) must match it.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/scripts/*.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test scripts: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".star")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, err := runScript(t, file)
			if err != nil {
				stderr += starpool.Backtrace(err) + "\n"
			}
			base := strings.TrimSuffix(file, ".star")
			wantErr := exists(base + ".err")
			if *update {
				writeGolden(t, base+".out", stdout)
				writeGolden(t, base+".err", stderr)
				return
			}
			switch {
			case err != nil && !wantErr:
				t.Fatalf("script failed:\n%s", stderr)
			case err == nil && wantErr:
				t.Fatalf("script succeeded; want the failure in %s.err", name)
			}
			compareGolden(t, base+".out", stdout)
			compareGolden(t, base+".err", stderr)
		})
	}
}

// TestPythonScripts runs the Python-flavored scripts (testdata/python and
// the tutorial examples) and compares their stdout with NAME.out. Where
// python3 is installed, CPython must print the same: the scripts run
// unchanged under both.
func TestPythonScripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/python/*.py")
	examples, _ := filepath.Glob("examples/*.py")
	if len(files) == 0 || len(examples) == 0 {
		t.Fatal("no Python-flavored scripts")
	}
	python, _ := exec.LookPath("python3")
	for _, file := range append(files, examples...) {
		name := strings.TrimSuffix(filepath.Base(file), ".py")
		golden := filepath.Join("testdata", "python", name+".out")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, err := runScript(t, file)
			if err != nil {
				t.Fatalf("script failed:\n%s%s", stderr, starpool.Backtrace(err))
			}
			if *update {
				writeGolden(t, golden, stdout)
			}
			compareGolden(t, golden, stdout)
			if python == "" {
				return
			}
			out, err := exec.Command(python, file).Output()
			if err != nil {
				t.Fatalf("python3 %s: %v", file, err)
			}
			if want, _ := os.ReadFile(golden); string(out) != string(want) {
				t.Errorf("CPython prints differently:\n%s", out)
			}
		})
	}
}

// TestStrictExamples runs the plain-Starlark examples.
func TestStrictExamples(t *testing.T) {
	patterns := map[string]string{
		"map_urls":      `^(https://\S+ was scraped!\n){4}$`,
		"submit_result": `^32768\n$`,
		"shutdown":      `^sum of squares: 55\nall done: True\n$`,
		"cpu_bound":     `^16 x fib\(23\) = 28657 each\n1 worker: +[0-9.]+ s\n\d+ workers: [0-9.]+ s\nspeedup: [0-9.]+x on \d+ cores\n$`,
		"io_bound":      `^100 tasks of sleep\(0.1\) finished in [0-9.]+ s\n$`,
	}
	for name, pattern := range patterns {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, err := runScriptWith(t, "examples/"+name+".star", true)
			if err != nil {
				t.Fatalf("example failed:\n%s%s", stderr, starpool.Backtrace(err))
			}
			if !regexp.MustCompile(pattern).MatchString(stdout) {
				t.Errorf("output %q does not match %q", stdout, pattern)
			}
		})
	}
}

func runScript(t *testing.T, file string) (stdout, stderr string, err error) {
	return runScriptWith(t, file, false)
}

func runScriptWith(t *testing.T, file string, strict bool) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	rt := starpool.New(starpool.Options{
		Args:    []string{file},
		Stdout:  &out,
		Stderr:  &errOut,
		Modules: map[string]starlark.StringDict{"assert.star": assertModule},
		Strict:  strict,
	})
	defer rt.Close()
	src, readErr := os.ReadFile(file)
	if readErr != nil {
		t.Fatal(readErr)
	}
	_, err = rt.ExecFile(context.Background(), filepath.Base(file), src)
	return out.String(), errOut.String(), err
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// writeGolden rewrites a golden file that exists; a new one is created by
// hand (an empty file), so that -update never turns a failure into a golden.
func writeGolden(t *testing.T, path, content string) {
	if !exists(path) {
		return
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	want, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		if strings.HasSuffix(path, ".err") && got != "" {
			t.Errorf("unexpected stderr:\n%s", got)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// assertModule is the assert module of the test scripts, after
// go.starlark.net's assert.star: eq, ne, true, contains and fails.
var assertModule = starlark.StringDict{
	"assert": &starlarkstruct.Module{
		Name: "assert",
		Members: starlark.StringDict{
			"eq":       starlark.NewBuiltin("assert.eq", assertCompare(true)),
			"ne":       starlark.NewBuiltin("assert.ne", assertCompare(false)),
			"true":     starlark.NewBuiltin("assert.true", assertTrue),
			"contains": starlark.NewBuiltin("assert.contains", assertContains),
			"fails":    starlark.NewBuiltin("assert.fails", assertFails),
		},
	},
}

func assertCompare(wantEqual bool) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var got, want starlark.Value
		var msg string
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "got", &got, "want", &want, "msg?", &msg); err != nil {
			return nil, err
		}
		eq, err := starlark.Equal(got, want)
		if err != nil {
			return nil, err
		}
		if eq != wantEqual {
			op := "want"
			if !wantEqual {
				op = "want anything but"
			}
			return nil, fmt.Errorf("%s: got %s, %s %s %s", b.Name(), got, op, want, msg)
		}
		return starlark.None, nil
	}
}

func assertTrue(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cond starlark.Value
	msg := "assertion failed"
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "cond", &cond, "msg?", &msg); err != nil {
		return nil, err
	}
	if !cond.Truth() {
		return nil, fmt.Errorf("%s: %s", b.Name(), msg)
	}
	return starlark.None, nil
}

func assertContains(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var s, sub string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "s", &s, "sub", &sub); err != nil {
		return nil, err
	}
	if !strings.Contains(s, sub) {
		return nil, fmt.Errorf("%s: %q does not contain %q", b.Name(), s, sub)
	}
	return starlark.None, nil
}

// assertFails calls fn and checks that it fails with an error matching the
// pattern; it returns the error message.
func assertFails(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Callable
	var pattern string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "fn", &fn, "pattern", &pattern); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", b.Name(), err)
	}
	_, err = starlark.Call(thread, fn, nil, nil)
	err = runtime.Recovered(thread, err)
	if err == nil {
		return nil, fmt.Errorf("%s: %s succeeded; want an error matching %q", b.Name(), fn.Name(), pattern)
	}
	msg := err.Error()
	if !re.MatchString(msg) {
		return nil, fmt.Errorf("%s: error %q does not match %q", b.Name(), msg, pattern)
	}
	return starlark.String(msg), nil
}
