package runtime

import (
	"errors"
	"strings"
	"testing"
)

// FuzzRewrite checks the source layer on any input: it never panics, and it
// either keeps the line count or reports an error with a position.
func FuzzRewrite(f *testing.F) {
	for _, seed := range []string{
		"with E as x:\n    f(x)\n",
		"with A as a, B(a) as b:\n    pass\n",
		"from m import (\n    a,\n    b as c,\n)\n",
		"import concurrent.futures as cf, os\n",
		"s = f\"{x!r:>{w}} {{}} {d['k']=}\"\n",
		"s = f\"\"\"a {x}\nb {y:,}\"\"\"\n",
		"y = -(a + b) ** 2 ** f(c)[0]\n",
		"if x is not None and {1, 2}:\n    assert x, \"m\"\n",
		"def f(x: int = 1) -> str:\n    return \"{:>5}\".format(x)\n",
		"s = 'unterminated\n",
		"x = (1,\n 2) \\\n + 3\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := rewritePython("fuzz.py", src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Col < 1 {
				t.Fatalf("rewritePython(%q): error without a position: %v", src, err)
			}
			return
		}
		if got, want := strings.Count(out, "\n"), strings.Count(src, "\n"); got != want {
			t.Fatalf("rewritePython(%q) = %q: %d lines; want %d", src, out, got, want)
		}
	})
}
