package runtime

import (
	"strings"
	"testing"
)

// TestRewrite checks the source layer's output, construct by construct.
func TestRewrite(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain starlark", "x = [1, 2]\nprint(x)\n", "x = [1, 2]\nprint(x)\n"},
		{"with as", "with E as x:\n    f(x)\n", "for x in __with__(E):\n    f(x)\n"},
		{"with without as", "with lock:\n    pass\n", "for __0 in __with__(lock):\n    pass\n"},
		{"with two items", "with A as a, B(a) as b:\n    pass\n",
			"for a, b in __with_all__(lambda: A, lambda a: B(a)):\n    pass\n"},
		{"with in a function", "def f():\n    with g() as h:\n        return h\n",
			"def f():\n    for h in __with__(g()):\n        return h\n"},
		{"with call args", "with ThreadPoolExecutor(max_workers=1) as pool:\n    pass\n",
			"for pool in __with__(ThreadPoolExecutor(max_workers=1)):\n    pass\n"},
		{"from import", `from concurrent.futures import ThreadPoolExecutor, as_completed as ac` + "\n",
			`load("concurrent.futures", "ThreadPoolExecutor", ac="as_completed")` + "\n"},
		{"from import parenthesized", "from m import (\n    a,\n    b as c,\n)\n",
			"load(\"m\", \n    \"a\",\n    c=\"b\",\n)\n"},
		{"import", "import time\n", "time = __import__(\"time\")\n"},
		{"import dotted", "import concurrent.futures\n", "concurrent = __import__(\"concurrent.futures\")\n"},
		{"import as", "import concurrent.futures as cf, os\n", "cf = __import__(\"concurrent.futures\", True); os = __import__(\"os\")\n"},
		{"import then a statement", "import os; x = 1; from m import a\n", "os = __import__(\"os\"); x = 1; load(\"m\", \"a\")\n"},
		{"import continued", "import time, \\\n    os\n", "time = __import__(\"time\"); os = __import__(\"os\")\n\n"},
		{"f-string", `s = f"{x} and {y!r}"` + "\n", `s = __format__("{} and {!r}", (x), (y))` + "\n"},
		{"f-string spec", `s = f'{x:.2f}|{n:>5}|{n:,}'` + "\n", `s = __format__('{:.2f}|{:>5}|{:,}', (x), (n), (n))` + "\n"},
		{"f-string escapes", `s = f"{{literal}} {x}"` + "\n", `s = __format__("{{literal}} {}", (x))` + "\n"},
		{"f-string nested quotes", `s = f"{d['k']} {f(a, b)[0]}"` + "\n", `s = __format__("{} {}", (d['k']), (f(a, b)[0]))` + "\n"},
		{"f-string nested spec", `s = f"{x:{w}.{p}f}"` + "\n", `s = __format__("{:{}.{}f}", (x), (w), (p))` + "\n"},
		{"f-string debug", `s = f"{x=}"` + "\n", `s = __format__("x={!r}", (x))` + "\n"},
		{"f-string comparison", `s = f"{a != b} {a == b}"` + "\n", `s = __format__("{} {}", (a != b), (a == b))` + "\n"},
		{"raw f-string", `s = rf"\d{x}"` + "\n", `s = __format__(r"\d{}", (x))` + "\n"},
		{"triple f-string", "s = f\"\"\"a {x}\nb {y}\"\"\"\n", "s = __format__(\"\"\"a {}\nb {}\"\"\", (x), (y))\n"},
		{"f-string in f-string", `s = f"{f'{x}'}"` + "\n", `s = __format__("{}", (__format__('{}', (x))))` + "\n"},
		{"format spec call", `s = "{:>5}".format(n)` + "\n", `s = __str_format__("{:>5}", n)` + "\n"},
		{"format call no args", `s = "x".format()` + "\n", `s = __str_format__("x")` + "\n"},
		{"power", "y = x ** 2\n", "y = pow(x , 2)\n"},
		{"power of calls", "y = f(a).b[0] ** -g(c)\n", "y = pow(f(a).b[0] , -g(c))\n"},
		{"power right assoc", "y = 2 ** 3 ** 2\n", "y = pow(2 , pow(3 , 2))\n"},
		{"power in parens", "y = -(a + b) ** 2\n", "y = -pow((a + b) , 2)\n"},
		{"kwargs are not power", "f(**kw)\n", "f(**kw)\n"},
		{"is None", "if x is None or y is not None:\n    pass\n", "if x == None or y !=     None:\n    pass\n"},
		{"set display", "s = {1, 2}\nd = {1: 2}\ne = {}\n", "s = set([1, 2])\nd = {1: 2}\ne = {}\n"},
		{"set comprehension", "s = {x for x in y}\n", "s = set([x for x in y])\n"},
		{"assert", "assert x == 1, \"bad\"\n", "__assert__(x == 1, \"bad\")\n"},
		{"assert module", "assert.eq(1, 1)\n", "assert.eq(1, 1)\n"},
		{"annotations", "def f(x: int, y: str = \"a\") -> str:\n    return y\n", "def f(x, y= \"a\") :\n    return y\n"},
		{"variable annotation", "x: int = 5\n", "x = 5\n"},
		{"strings untouched", `s = "with x as y: import z; f'{a}'"  # with a as b:` + "\n",
			`s = "with x as y: import z; f'{a}'"  # with a as b:` + "\n"},
		{"name main", "if __name__ == \"__main__\":\n    main()\n", "if __name__ == \"__main__\":\n    main()\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rewritePython("x.py", tt.in)
			if err != nil {
				t.Fatalf("rewritePython(%q) failed: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("rewritePython(%q):\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if strings.Count(got, "\n") != strings.Count(tt.in, "\n") {
				t.Errorf("line count changed: %d -> %d", strings.Count(tt.in, "\n"), strings.Count(got, "\n"))
			}
		})
	}
}

// TestRefusals checks that constructs Starlark cannot express are refused
// with the construct, its position and the alternative.
func TestRefusals(t *testing.T) {
	tests := []struct{ in, want string }{
		{"try:\n    pass\nexcept:\n    pass\n", "x.py:1:1: 'try' is not supported: Starlark has no exceptions; check future.exception(), or use wait(fs, return_when=FIRST_EXCEPTION)"},
		{"raise ValueError()\n", "x.py:1:1: 'raise' is not supported: Starlark has no exceptions; use fail(message)"},
		{"class A:\n    pass\n", "x.py:1:1: 'class' is not supported: Starlark has no classes"},
		{"def f():\n    global x\n", "x.py:2:5: 'global' is not supported"},
		{"def f():\n    nonlocal x\n", "x.py:2:5: 'nonlocal' is not supported"},
		{"def f():\n    yield 1\n", "x.py:2:5: 'yield' is not supported: Starlark has no generators"},
		{"async def f():\n    pass\n", "x.py:1:1: 'async' is not supported"},
		{"x = await f()\n", "x.py:1:5: 'await' is not supported"},
		{"del x\n", "x.py:1:1: 'del' is not supported: use d.pop(key)"},
		{"if a is b:\n    pass\n", "x.py:1:6: 'is' is not supported: Starlark has no identity comparison"},
		{"if a < b < c:\n    pass\n", "x.py:1:10: chained comparisons are not supported: write a < b and b < c"},
		{"if (n := f()):\n    pass\n", "x.py:1:7: the walrus operator ':=' is not supported"},
		{"@cache\ndef f():\n    pass\n", "x.py:1:1: decorators are not supported"},
		{"for x in y:\n    with a:\n        break\n", "x.py:3:9: 'break' inside a 'with' block is not supported"},
		{"while x:\n    with a:\n        if b:\n            continue\n", "x.py:4:13: 'continue' inside a 'with' block is not supported"},
		{"def f():\n    import os\n", "x.py:2:5: 'import' is only allowed at top level"},
		{"from m import *\n", "x.py:1:15: 'from m import *' is not supported"},
		{"from .m import a\n", "x.py:1:6: relative imports are not supported"},
		{"s = f\"{x\"\n", "x.py:1:5: f-string: expecting '}'"},
		{"s = f\"{}\"\n", "x.py:1:5: f-string: empty expression not allowed"},
		{"s = f\"}\"\n", "x.py:1:5: f-string: single '}' is not allowed"},
		{"s = f\"{x!z}\"\n", "x.py:1:5: f-string: invalid conversion character"},
		{"s = 'abc\n", "x.py:1:5: unterminated string literal"},
	}
	for _, tt := range tests {
		_, err := rewritePython("x.py", tt.in)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("rewritePython(%q) = %v; want an error starting %q", tt.in, err, tt.want)
		}
	}
}

// TestBreakOutsideWith checks that loops inside a with-block may break.
func TestBreakOutsideWith(t *testing.T) {
	src := "with a:\n    for x in y:\n        break\n    while z:\n        continue\nfor q in r:\n    break\n"
	if _, err := rewritePython("x.py", src); err != nil {
		t.Errorf("rewritePython(%q) = %v; want success", src, err)
	}
}
