package runtime

import (
	"fmt"
	"strings"
)

// with rewrites a with statement as a for loop over a one-element iterable
// that enters the context managers on its first step and exits them when
// the loop ends, however it ends.
func (r *rewriter) with(ln logicalLine) error {
	toks := ln.toks
	colon := -1
	for i, t := range toks {
		if t.kind == tOp && t.text == ":" && t.depth == 0 {
			colon = i
			break
		}
	}
	if colon < 0 || colon == 1 {
		return r.errorAt(toks[0], "invalid 'with' statement: expected 'with EXPR [as NAME], ...:'")
	}
	if toks[1].kind == tOp && toks[1].text == "(" && matching(toks, 1) == colon-1 && hasTopLevelAs(toks[2:colon-1]) {
		return r.errorAt(toks[1], "a parenthesized list of context managers is not supported: write them on one line, with A as a, B as b:")
	}

	// Split the items at top-level commas: EXPR [as NAME].
	type item struct {
		start, asTok, end int // token indexes; asTok < 0 without 'as'
	}
	var items []item
	start := 1
	for i := 1; i <= colon; i++ {
		if i == colon || toks[i].kind == tOp && toks[i].text == "," && toks[i].depth == 0 {
			it := item{start: start, asTok: -1, end: i}
			for j := start; j < i; j++ {
				if toks[j].kind == tName && toks[j].text == "as" && toks[j].depth == 0 {
					it.asTok = j
				}
			}
			if it.start == it.end || it.asTok == it.start {
				return r.errorAt(toks[i], "invalid 'with' statement: an item is empty")
			}
			if it.asTok >= 0 && (it.end-it.asTok != 2 || toks[it.asTok+1].kind != tName) {
				return r.errorAt(toks[it.asTok], "'with ... as' must name one variable here: with EXPR as NAME:")
			}
			items = append(items, it)
			start = i + 1
		}
	}

	var targets []string
	for k, it := range items {
		if it.asTok < 0 {
			targets = append(targets, fmt.Sprintf("__%d", k))
		} else {
			targets = append(targets, toks[it.asTok+1].text)
		}
	}

	if len(items) == 1 {
		it := items[0]
		r.add(toks[0].off, toks[1].off, "for "+targets[0]+" in __with__(")
		if it.asTok >= 0 {
			r.add(toks[it.asTok-1].end, toks[it.end-1].end, "")
		}
		r.add(toks[colon].off, toks[colon].end, "):")
		return nil
	}
	r.add(toks[0].off, toks[1].off, "for "+strings.Join(targets, ", ")+" in __with_all__(lambda: ")
	for k, it := range items {
		if it.asTok >= 0 {
			r.add(toks[it.asTok-1].end, toks[it.end-1].end, "")
		}
		if k+1 < len(items) {
			comma := toks[it.end]
			r.add(comma.off, comma.end, ", lambda "+strings.Join(targets[:k+1], ", ")+":")
		}
	}
	r.add(toks[colon].off, toks[colon].end, "):")
	return nil
}

// matching returns the index of the bracket that closes toks[i], or -1 if
// the line ends first.
func matching(toks []token, i int) int {
	depth := toks[i].depth
	for j := i + 1; j < len(toks); j++ {
		if toks[j].depth == depth && toks[j].kind == tOp && strings.Contains(")]}", toks[j].text) {
			return j
		}
	}
	return -1
}

func hasTopLevelAs(toks []token) bool {
	for _, t := range toks {
		if t.kind == tName && t.text == "as" && t.depth == 1 {
			return true
		}
	}
	return false
}
