package runtime

import (
	"strconv"
	"strings"
)

// imports rewrites "from m import a, b as c" as load("m", "a", c="b"), and
// "import m", "import m as n" as assignments of __import__("m"). As with
// load, imports are allowed only at top level.
func (r *rewriter) imports(ln logicalLine, blocks []block) error {
	toks := ln.toks
	if len(blocks) > 0 || ln.indent > 0 {
		return r.errorAt(toks[0], "'%s' is only allowed at top level, as Starlark's load is: move it to the top of the file", toks[0].text)
	}
	if toks[0].text == "from" {
		return r.fromImport(toks)
	}
	return r.importModules(toks)
}

// dottedName reads a module name such as concurrent.futures starting at
// toks[i]; it returns the name and the index after it.
func (r *rewriter) dottedName(toks []token, i int) (string, int, error) {
	var parts []string
	for {
		if i >= len(toks) || toks[i].kind != tName {
			at := toks[len(toks)-1]
			if i < len(toks) {
				at = toks[i]
			}
			if at.text == "." {
				return "", 0, r.errorAt(at, "relative imports are not supported: name the module in full")
			}
			return "", 0, r.errorAt(at, "expected a module name")
		}
		parts = append(parts, toks[i].text)
		i++
		if i < len(toks) && toks[i].kind == tOp && toks[i].text == "." {
			i++
			continue
		}
		return strings.Join(parts, "."), i, nil
	}
}

func (r *rewriter) fromImport(toks []token) error {
	module, i, err := r.dottedName(toks, 1)
	if err != nil {
		return err
	}
	if i >= len(toks) || toks[i].text != "import" {
		return r.errorAt(toks[min(i, len(toks)-1)], "expected 'import' after 'from %s'", module)
	}
	// load("m" replaces "from m import".
	r.add(toks[0].off, toks[i].end, "load("+strconv.Quote(module)+",")
	i++
	if i < len(toks) && toks[i].text == "*" {
		return r.errorAt(toks[i], "'from %s import *' is not supported: name what you import", module)
	}
	end := len(toks)
	if i < len(toks) && toks[i].text == "(" {
		closing := matching(toks, i)
		if closing < 0 {
			return r.errorAt(toks[i], "'(' is never closed")
		}
		r.add(toks[i].off, toks[i].end, "")
		r.add(toks[closing].off, toks[closing].end, "")
		i, end = i+1, closing
	}
	names := 0
	for i < end {
		t := toks[i]
		switch {
		case t.kind == tOp && t.text == ",":
			i++
		case t.kind == tName && i+2 < end+1 && i+1 < end && toks[i+1].text == "as":
			if i+2 >= end || toks[i+2].kind != tName {
				return r.errorAt(toks[i+1], "expected a name after 'as'")
			}
			r.add(t.off, toks[i+2].end, toks[i+2].text+"="+strconv.Quote(t.text))
			i += 3
			names++
		case t.kind == tName:
			r.add(t.off, t.end, strconv.Quote(t.text))
			i++
			names++
		default:
			return r.errorAt(t, "unexpected %q in 'from %s import ...'", t.text, module)
		}
	}
	if names == 0 {
		return r.errorAt(toks[len(toks)-1], "'from %s import' names nothing to import", module)
	}
	last := toks[len(toks)-1]
	r.add(last.end, last.end, ")")
	return nil
}

// importModules rewrites "import a.b, c as d" as
// "a = __import__("a.b"); d = __import__("c", True)": a dotted import binds
// the top package, as in Python, unless it is renamed.
func (r *rewriter) importModules(toks []token) error {
	var stmts []string
	i := 1
	for i < len(toks) {
		module, next, err := r.dottedName(toks, i)
		if err != nil {
			return err
		}
		name, call := strings.Split(module, ".")[0], "__import__("+strconv.Quote(module)+")"
		if next+1 < len(toks) && toks[next].text == "as" {
			if toks[next+1].kind != tName {
				return r.errorAt(toks[next+1], "expected a name after 'as'")
			}
			name, call = toks[next+1].text, "__import__("+strconv.Quote(module)+", True)"
			next += 2
		}
		stmts = append(stmts, name+" = "+call)
		if next < len(toks) {
			if toks[next].text != "," {
				return r.errorAt(toks[next], "unexpected %q in 'import'", toks[next].text)
			}
			next++
		}
		i = next
	}
	r.replaceLine(toks, strings.Join(stmts, "; "))
	return nil
}
