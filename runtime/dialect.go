package runtime

import (
	"fmt"
	"sort"
	"strings"
)

// The Python-flavored source layer. rewritePython turns the Python habits
// Starlark lacks into plain Starlark, token by token, before go.starlark.net
// parses the file:
//
//	with E as x:            for x in __with__(E):
//	with A as x, B as y:    for x, y in __with_all__(lambda: A, lambda x: B):
//	from m import a, b as c load("m", "a", c="b")
//	import m / import m as n  m = __import__("m") / n = __import__("m")
//	f"{x:.2f} {y!r}"        __format__("{:.2f} {!r}", x, y)
//	"{:>5}".format(n)       __str_format__("{:>5}", n)
//	a ** b                  pow(a, b)
//	x is None, x is not None  x == None, x != None
//	{a, b}                  set([a, b])
//	assert cond, msg        __assert__(cond, msg)
//	def f(x: int) -> str:   def f(x):
//
// Every edit stays within its line's text, so line numbers never move and
// columns move only on the rewritten lines. Constructs Starlark cannot
// express are refused with an error that names the construct and what to
// use instead. Plain Starlark passes through unchanged.

// edit replaces src[off:end] with text.
type edit struct {
	off, end int
	text     string
	outer    bool // an insertion that must come before others at its offset
}

// blockKind is the kind of compound statement a block of lines belongs to.
type blockKind uint8

const (
	blockOther blockKind = iota
	blockLoop
	blockWith
	blockDef
)

type block struct {
	kind   blockKind
	indent int
}

// rewriter holds the state of one rewrite.
type rewriter struct {
	filename string
	src      string
	edits    []edit
}

// rewritePython rewrites Python-flavored source into plain Starlark.
func rewritePython(filename, src string) (string, error) {
	lines, err := scan(filename, src)
	if err != nil {
		return "", err
	}
	r := &rewriter{filename: filename, src: src}
	var blocks []block
	for _, ln := range lines {
		for len(blocks) > 0 && blocks[len(blocks)-1].indent >= ln.indent {
			blocks = blocks[:len(blocks)-1]
		}
		for _, stmt := range statements(ln) {
			if err := r.line(stmt, blocks); err != nil {
				return "", err
			}
		}
		if last := ln.toks[len(ln.toks)-1]; last.text == ":" && last.kind == tOp {
			blocks = append(blocks, block{kind: headerKind(ln.toks[0]), indent: ln.indent})
		}
	}
	return r.apply(), nil
}

// statements splits a logical line at its top-level semicolons: a; b.
func statements(ln logicalLine) []logicalLine {
	var out []logicalLine
	start := 0
	for i, t := range ln.toks {
		if t.kind == tOp && t.text == ";" && t.depth == 0 {
			if i > start {
				out = append(out, logicalLine{toks: ln.toks[start:i], indent: ln.indent, end: ln.end})
			}
			start = i + 1
		}
	}
	if start < len(ln.toks) {
		out = append(out, logicalLine{toks: ln.toks[start:], indent: ln.indent, end: ln.end})
	}
	return out
}

func headerKind(t token) blockKind {
	switch t.text {
	case "for", "while":
		return blockLoop
	case "with":
		return blockWith
	case "def":
		return blockDef
	}
	return blockOther
}

// add records an edit. The text keeps the lines of the span it replaces:
// a span that crossed lines (by a backslash continuation or inside
// brackets) leaves backslash continuations in their place.
func (r *rewriter) add(off, end int, text string) {
	if missing := strings.Count(r.src[off:end], "\n") - strings.Count(text, "\n"); missing > 0 {
		text += strings.Repeat(" \\\n", missing)
	}
	r.edits = append(r.edits, edit{off: off, end: end, text: text})
}

// replaceLine replaces a whole logical line with text, keeping the number
// of lines: the lines the statement spanned become blank lines after it.
func (r *rewriter) replaceLine(toks []token, text string) {
	off, end := toks[0].off, toks[len(toks)-1].end
	r.add(off, end, text+strings.Repeat("\n", strings.Count(r.src[off:end], "\n")))
}

// apply returns the source with every edit made.
func (r *rewriter) apply() string {
	if len(r.edits) == 0 {
		return r.src
	}
	// By offset; at one offset, insertions go before a replacement.
	sort.SliceStable(r.edits, func(i, j int) bool {
		a, b := r.edits[i], r.edits[j]
		if a.off != b.off {
			return a.off < b.off
		}
		if a.outer != b.outer {
			return a.outer
		}
		return a.off == a.end && b.off != b.end
	})
	var b strings.Builder
	pos := 0
	for _, e := range r.edits {
		if e.off < pos {
			continue // overlaps an edit of the same malformed line: the parser reports it
		}
		b.WriteString(r.src[pos:e.off])
		b.WriteString(e.text)
		pos = e.end
	}
	b.WriteString(r.src[pos:])
	return b.String()
}

func (r *rewriter) errorAt(t token, format string, args ...any) error {
	return &SyntaxError{Filename: r.filename, Line: t.line, Col: t.col, Msg: fmt.Sprintf(format, args...)}
}

// refusals name the Python constructs Starlark cannot express, and what to
// write instead.
var refusals = map[string]string{
	"try":      "'try' is not supported: Starlark has no exceptions; check future.exception(), or use wait(fs, return_when=FIRST_EXCEPTION)",
	"except":   "'except' is not supported: Starlark has no exceptions; check future.exception(), or use wait(fs, return_when=FIRST_EXCEPTION)",
	"finally":  "'finally' is not supported: Starlark has no exceptions; a with-block's exit runs on every way out of the block",
	"raise":    "'raise' is not supported: Starlark has no exceptions; use fail(message) to stop with an error",
	"class":    "'class' is not supported: Starlark has no classes; use a dict, or functions that take and return one",
	"global":   "'global' is not supported: a function cannot rebind a global in Starlark; return the new value and assign it at top level",
	"nonlocal": "'nonlocal' is not supported: a function cannot rebind an enclosing variable in Starlark; return the new value instead",
	"yield":    "'yield' is not supported: Starlark has no generators; build and return a list",
	"async":    "'async' is not supported: Starlark has no coroutines; submit the work to a ThreadPoolExecutor and wait on its futures",
	"await":    "'await' is not supported: Starlark has no coroutines; call future.result() on a submitted task",
	"del":      "'del' is not supported: use d.pop(key) to remove a dict entry, or assign None to a name",
}

// line rewrites one logical line.
func (r *rewriter) line(ln logicalLine, blocks []block) error {
	toks := ln.toks
	first := toks[0]
	if first.kind == tOp && first.text == "@" {
		return r.errorAt(first, "decorators are not supported: call the wrapper explicitly, f = wrapper(f)")
	}
	if err := r.keywords(toks); err != nil {
		return err
	}
	if err := r.chainedComparison(toks); err != nil {
		return err
	}
	if first.kind == tName {
		switch first.text {
		case "break", "continue":
			if innermost(blocks) == blockWith {
				return r.errorAt(first, "'%s' inside a 'with' block is not supported: the block is a hidden loop in Starlark; "+
					"move the with-block out of the loop, or set a flag and test it after the block", first.text)
			}
		case "with":
			return r.with(ln)
		case "import", "from":
			return r.imports(ln, blocks)
		case "assert":
			r.assert(ln)
		case "def":
			r.annotations(toks)
		}
	}
	if len(toks) > 2 && first.kind == tName && toks[1].text == ":" && toks[1].kind == tOp {
		r.variableAnnotation(ln)
	}
	return r.expressions(toks)
}

// innermost returns the kind of the innermost loop, with-block or def
// around a line.
func innermost(blocks []block) blockKind {
	for i := len(blocks) - 1; i >= 0; i-- {
		if k := blocks[i].kind; k != blockOther {
			return k
		}
	}
	return blockOther
}

// keywords refuses the constructs Starlark cannot express and rewrites the
// comparisons with None, True and False that use 'is'.
func (r *rewriter) keywords(toks []token) error {
	for i, t := range toks {
		if t.kind == tOp && t.text == ":=" {
			return r.errorAt(t, "the walrus operator ':=' is not supported: assign the value on its own line first")
		}
		if t.kind == tOp && t.text == "**=" {
			return r.errorAt(t, "'**=' is not supported: write x = x ** y")
		}
		if t.kind != tName {
			continue
		}
		if msg, ok := refusals[t.text]; ok {
			return r.errorAt(t, "%s", msg)
		}
		if t.text == "is" {
			if err := r.is(toks, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// is rewrites "x is None" and "x is not None" (and True, False) as == and
// !=, which mean the same for those values; other uses are refused.
func (r *rewriter) is(toks []token, i int) error {
	t := toks[i]
	j := i + 1
	negated := j < len(toks) && toks[j].text == "not" && toks[j].kind == tName
	if negated {
		j++
	}
	if j < len(toks) && toks[j].kind == tName && (toks[j].text == "None" || toks[j].text == "True" || toks[j].text == "False") {
		if negated {
			r.add(t.off, toks[i+1].end, "!="+strings.Repeat(" ", toks[i+1].end-t.off-2))
		} else {
			r.add(t.off, t.end, "==")
		}
		return nil
	}
	return r.errorAt(t, "'is' is not supported: Starlark has no identity comparison; use == (x is None becomes x == None)")
}

// comparisons are the operators that Python chains.
var comparisons = map[string]bool{"<": true, ">": true, "<=": true, ">=": true, "==": true, "!=": true}

// chainedComparison refuses a < b < c, which Starlark parses differently.
func (r *rewriter) chainedComparison(toks []token) error {
	count := map[int]int{} // comparisons since the last separator, per depth
	for _, t := range toks {
		switch {
		case t.kind == tOp && comparisons[t.text]:
			count[t.depth]++
			if count[t.depth] > 1 {
				return r.errorAt(t, "chained comparisons are not supported: write a < b and b < c")
			}
		case t.kind == tOp && strings.Contains("([{,:=;)]}", t.text) || t.kind == tName && (t.text == "and" || t.text == "or" || t.text == "not" ||
			t.text == "if" || t.text == "else" || t.text == "lambda" || t.text == "for" || t.text == "return"):
			count[t.depth] = 0
			count[t.depth+1] = 0
		}
	}
	return nil
}

// assert rewrites the assert statement as a call of __assert__.
func (r *rewriter) assert(ln logicalLine) {
	toks := ln.toks
	if len(toks) < 2 || toks[1].kind == tOp && strings.Contains(".=([,)", toks[1].text) {
		return // the name assert, not the statement
	}
	r.add(toks[0].off, toks[1].off, "__assert__(")
	last := toks[len(toks)-1]
	r.add(last.end, last.end, ")")
}
