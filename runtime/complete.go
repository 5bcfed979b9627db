package runtime

import (
	"sort"
	"strings"

	"go.starlark.net/starlark"
)

// pythonKeywords are offered when completing a plain name.
var pythonKeywords = []string{
	"and", "as", "assert", "break", "continue", "def", "elif", "else", "for", "from",
	"if", "import", "in", "is", "lambda", "load", "not", "or", "pass", "return", "while", "with",
}

// Completions returns the ways to complete the name or dotted name at the
// end of line: globals, builtins and keywords for a plain name ("pr" gives
// "print"), members for a dotted one ("pool.su" gives "pool.submit").
// Each completion is the whole name, from its start.
func (s *Session) Completions(line string) []string {
	start := len(line)
	for start > 0 && (isNameByte(line[start-1]) || line[start-1] == '.') {
		start--
	}
	word := line[start:]
	globals := s.Globals()
	var names []string
	prefix := word
	head := ""
	if i := strings.LastIndexByte(word, '.'); i >= 0 {
		head, prefix = word[:i+1], word[i+1:]
		v := lookupPath(globals, word[:i])
		if v == nil {
			return nil
		}
		if h, ok := v.(starlark.HasAttrs); ok {
			names = h.AttrNames()
		}
	} else {
		names = append(names, globals.Keys()...)
		names = append(names, starlark.Universe.Keys()...)
		names = append(names, pythonKeywords...)
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !seen[n] && (!strings.HasPrefix(n, "__") || strings.HasPrefix(prefix, "_")) {
			seen[n] = true
			out = append(out, head+n)
		}
	}
	sort.Strings(out)
	return out
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// lookupPath finds the value of a dotted name such as concurrent.futures.
func lookupPath(globals starlark.StringDict, path string) starlark.Value {
	parts := strings.Split(path, ".")
	v, ok := globals[parts[0]]
	if !ok {
		v, ok = starlark.Universe[parts[0]]
		if !ok {
			return nil
		}
	}
	for _, p := range parts[1:] {
		h, ok := v.(starlark.HasAttrs)
		if !ok {
			return nil
		}
		x, err := h.Attr(p)
		if err != nil || x == nil {
			return nil
		}
		v = x
	}
	return v
}
