package runtime

import "strings"

// expressions applies the layer's expression rewrites to one line's tokens:
// f-strings, format calls on string literals, the ** operator and set
// displays.
func (r *rewriter) expressions(toks []token) error {
	for i, t := range toks {
		switch {
		case t.kind == tString && strings.ContainsAny(t.text[:stringPrefix(t.text)], "fF"):
			text, err := r.fstring(t)
			if err != nil {
				return err
			}
			r.add(t.off, t.end, text)
		case t.kind == tString && i+3 < len(toks) && toks[i+1].text == "." && toks[i+2].text == "format" && toks[i+3].text == "(" &&
			!strings.ContainsAny(t.text[:stringPrefix(t.text)], "bB") && (i == 0 || toks[i-1].kind != tString):
			r.add(t.off, t.off, "__str_format__(")
			sep := ", "
			if i+4 < len(toks) && toks[i+4].text == ")" {
				sep = ""
			}
			r.add(toks[i+1].off, toks[i+3].end, sep)
		case t.kind == tOp && t.text == "**" && i > 0 && isOperandEnd(toks[i-1]):
			start := toks[primaryStart(toks, i-1)].off
			r.edits = append(r.edits, edit{off: start, end: start, text: "pow(", outer: true})
			r.add(t.off, t.end, ",")
			end := powerEnd(toks, i+1)
			r.add(toks[end].end, toks[end].end, ")")
		case t.kind == tOp && t.text == "{":
			r.setDisplay(toks, i)
		}
	}
	return nil
}

// keywordsNotOperands are names that cannot end an operand.
var keywordsNotOperands = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "if": true, "else": true, "lambda": true,
	"return": true, "for": true, "while": true, "def": true, "elif": true, "is": true, "assert": true,
}

// isOperandEnd reports whether t can be the last token of an operand.
func isOperandEnd(t token) bool {
	switch t.kind {
	case tNumber, tString:
		return true
	case tName:
		return !keywordsNotOperands[t.text]
	}
	return t.text == ")" || t.text == "]" || t.text == "}"
}

// opening returns the index of the bracket that toks[j] closes, or -1.
func opening(toks []token, j int) int {
	for k := j - 1; k >= 0; k-- {
		if toks[k].depth == toks[j].depth && toks[k].kind == tOp && strings.Contains("([{", toks[k].text) {
			return k
		}
	}
	return -1
}

// primaryStart returns the first token of the primary expression (an atom
// and its trailers: calls, subscripts, attributes) that ends at toks[j].
func primaryStart(toks []token, j int) int {
	for {
		t := toks[j]
		if t.kind == tOp && strings.Contains(")]}", t.text) {
			k := opening(toks, j)
			if k < 0 {
				return j
			}
			if toks[k].text != "{" && k > 0 && isOperandEnd(toks[k-1]) {
				j = k - 1 // a call or subscript: the primary goes on before it
				continue
			}
			return k
		}
		if j >= 2 && toks[j-1].kind == tOp && toks[j-1].text == "." && isOperandEnd(toks[j-2]) {
			j -= 2 // an attribute
			continue
		}
		return j
	}
}

// powerEnd returns the last token of the right operand of ** starting at
// toks[i]: unary operators, a primary, and any further ** (which binds to
// the right).
func powerEnd(toks []token, i int) int {
	if i >= len(toks) {
		return len(toks) - 1
	}
	for i < len(toks)-1 && toks[i].kind == tOp && (toks[i].text == "-" || toks[i].text == "+" || toks[i].text == "~") {
		i++
	}
	j := i
	if toks[j].kind == tOp && strings.Contains("([{", toks[j].text) {
		if j = matching(toks, j); j < 0 {
			return len(toks) - 1
		}
	}
	for j+1 < len(toks) {
		next := toks[j+1]
		switch {
		case next.kind == tOp && (next.text == "(" || next.text == "["):
			if j = matching(toks, j+1); j < 0 {
				return len(toks) - 1
			}
		case next.kind == tOp && next.text == "." && j+2 < len(toks):
			j += 2
		case next.kind == tOp && next.text == "**" && j+2 < len(toks):
			j = powerEnd(toks, j+2)
		default:
			return j
		}
	}
	return j
}

// setDisplay rewrites a set display {a, b} (or a set comprehension) as
// set([...]); a brace with a colon inside is a dict.
func (r *rewriter) setDisplay(toks []token, i int) {
	closing := matching(toks, i)
	if closing <= i+1 || toks[closing].text != "}" || toks[i+1].text == "**" {
		// {} and {**d} are dicts; an unclosed brace is the parser's to report.
		return
	}
	for _, t := range toks[i+1 : closing] {
		if t.depth == toks[i].depth+1 && t.kind == tOp && t.text == ":" {
			return
		}
		if t.kind == tName && t.text == "lambda" {
			return
		}
	}
	r.add(toks[i].off, toks[i].end, "set([")
	r.add(toks[closing].off, toks[closing].end, "])")
}

// annotations removes the type annotations of a def's parameters and
// result: def f(x: int = 0) -> str: becomes def f(x= 0):.
func (r *rewriter) annotations(toks []token) {
	for i, t := range toks {
		if t.kind != tOp {
			continue
		}
		switch {
		case t.text == ":" && t.depth == 1 && i > 0 && toks[i-1].kind == tName:
			j := i + 1
			for j < len(toks) && !(toks[j].depth == 1 && (toks[j].text == "," || toks[j].text == "=") || toks[j].depth == 0) {
				j++
			}
			if j < len(toks) {
				r.add(t.off, toks[j].off, "")
			}
		case t.text == "->" && t.depth == 0:
			last := toks[len(toks)-1]
			r.add(t.off, last.off, "")
		}
	}
}

// variableAnnotation removes the annotation of "x: int = 0"; a bare
// "x: int" declares nothing in Starlark and becomes pass.
func (r *rewriter) variableAnnotation(ln logicalLine) {
	toks := ln.toks
	switch toks[0].text {
	case "else", "try", "finally", "lambda", "except":
		return
	}
	for j := 2; j < len(toks); j++ {
		if toks[j].depth == 0 && toks[j].kind == tOp && toks[j].text == "=" {
			r.add(toks[1].off, toks[j].off, " ")
			return
		}
	}
	r.replaceLine(toks, "pass")
}
