package runtime

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.starlark.net/lib/json"
	"go.starlark.net/lib/math"
	"go.starlark.net/lib/time"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarktest"
)

// starlarkTestdata returns the testdata scripts of go.starlark.net, read
// from the module cache.
func starlarkTestdata(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.starlark.net").Output()
	if err != nil {
		t.Skipf("cannot locate go.starlark.net: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	var files []string
	for _, pattern := range []string{"starlark/testdata/*.star", "syntax/testdata/*.star", "resolve/testdata/*.star"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no testdata scripts under %s", dir)
	}
	return files
}

// TestLayerConformance checks that plain Starlark keeps its meaning under
// the Python-flavored layer: every chunk of go.starlark.net's own testdata
// scripts gives the same result (the same assertion failures, the same
// error at the same line) with the layer on as with it off. A chunk that
// fails either way may fail with the layer's clearer message.
func TestLayerConformance(t *testing.T) {
	rt := New(Options{})
	defer rt.Close()
	unchanged := 0
	for _, file := range starlarkTestdata(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(file)
		for i, chunk := range strings.Split(string(data), "\n---\n") {
			off := runChunk(name, chunk, nil)
			rewritten, err := rewritePython(name, chunk)
			if err != nil {
				if !strings.Contains(off, "error:") {
					t.Errorf("%s chunk %d: the layer refuses valid Starlark: %v", name, i, err)
				}
				continue
			}
			if rewritten == chunk {
				unchanged++
			}
			got := runChunk(name, rewritten, rt.predeclared)
			if got != off && !bothFail(got, off) {
				t.Errorf("%s chunk %d: with the layer:\n%s\nwithout:\n%s", name, i, got, off)
			}
		}
	}
	if unchanged == 0 {
		t.Fatal("no chunk passed through the layer unchanged")
	}
}

// bothFail reports whether two results report the same assertion failures
// and then both fail, perhaps with different errors: a construct that is
// an error in Starlark (such as {x for x in y}) may be one the layer
// accepts, failing later on the test's undefined names.
func bothFail(a, b string) bool {
	a, aErr, aFailed := strings.Cut(a, "\nerror: ")
	b, bErr, bFailed := strings.Cut(b, "\nerror: ")
	return aFailed && bFailed && a == b && aErr != "" && bErr != ""
}

// column matches the column of a position in a message: the layer keeps
// lines but may move columns on a line it rewrites.
var column = regexp.MustCompile(`(\.star:\d+):\d+`)

// runChunk runs one chunk of a go.starlark.net test script and describes
// its result: the assertion failures it reported and its error, if any.
func runChunk(filename, src string, predeclared starlark.StringDict) string {
	thread := &starlark.Thread{Load: loadTestModule}
	var reports collector
	starlarktest.SetReporter(thread, &reports)
	_, err := starlark.ExecFileOptions(fileOptions, thread, filename, src, predeclared)
	result := strings.Join(reports, "\n")
	if err != nil {
		result += "\nerror: " + err.Error()
	}
	return column.ReplaceAllString(result, "$1")
}

type collector []string

func (c *collector) Error(args ...any) {
	for _, a := range args {
		*c = append(*c, column.ReplaceAllString(strings.TrimSpace(fmtAny(a)), "$1"))
	}
}

func fmtAny(a any) string {
	if s, ok := a.(string); ok {
		return s
	}
	if e, ok := a.(error); ok {
		return e.Error()
	}
	return ""
}

func loadTestModule(_ *starlark.Thread, module string) (starlark.StringDict, error) {
	switch module {
	case "assert.star":
		return starlarktest.LoadAssertModule()
	case "json.star":
		return starlark.StringDict{"json": json.Module}, nil
	case "math.star":
		return starlark.StringDict{"math": math.Module}, nil
	case "time.star":
		return starlark.StringDict{"time": time.Module}, nil
	}
	return nil, os.ErrNotExist
}
