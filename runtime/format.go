package runtime

import (
	"fmt"
	"strconv"
	"strings"

	"go.starlark.net/starlark"
)

// Python's str.format, with the format specification mini-language that
// go.starlark.net's str.format lacks. The source layer turns f-strings and
// "literal".format(...) into __format__(template, *args, **kwargs).
// Values are shown as CPython shows them: {!r} of a string is 'text', and
// lists, tuples, dicts and sets show their elements' reprs that way.

// pyFormat implements __format__(template, *args, **kwargs).
func pyFormat(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("format: missing the template")
	}
	tmpl, ok := starlark.AsString(args[0])
	if !ok {
		return nil, fmt.Errorf("format: template is %s, want string", args[0].Type())
	}
	f := &formatter{args: args[1:], kwargs: kwargs}
	s, err := f.format(tmpl, 0)
	if err != nil {
		return nil, fmt.Errorf("format: %w", err)
	}
	return starlark.String(s), nil
}

// strFormat implements "literal".format(*args, **kwargs) as the layer
// rewrites it: go.starlark.net's own str.format, unless a field has a
// format spec, which only the Python formatter supports. So plain Starlark
// keeps its meaning.
func strFormat(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("format: missing the template")
	}
	tmpl, ok := args[0].(starlark.String)
	if !ok || !hasSpec(string(tmpl)) {
		method, err := getAttr(args[0], "format")
		if err != nil {
			return nil, err
		}
		return starlark.Call(thread, method, args[1:], kwargs)
	}
	return pyFormat(thread, b, args, kwargs)
}

// hasSpec reports whether a str.format template has a field with a
// non-empty format spec, such as {:>5}.
func hasSpec(tmpl string) bool {
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] != '{' {
			continue
		}
		if strings.HasPrefix(tmpl[i:], "{{") {
			i++
			continue
		}
		end := fieldEnd(tmpl[i+1:])
		if end < 0 {
			return false
		}
		if _, spec, ok := strings.Cut(tmpl[i+1:i+1+end], ":"); ok && spec != "" {
			return true
		}
		i += end
	}
	return false
}

type formatter struct {
	args   starlark.Tuple
	kwargs []starlark.Tuple
	auto   int  // the next automatic field number
	manual bool // a field was numbered by hand
}

// format expands a template; depth counts nesting of fields within specs.
func (f *formatter) format(tmpl string, depth int) (string, error) {
	if depth > 1 {
		return "", fmt.Errorf("ValueError: Max string recursion exceeded")
	}
	var b strings.Builder
	for i := 0; i < len(tmpl); {
		c := tmpl[i]
		switch {
		case c == '{' && strings.HasPrefix(tmpl[i:], "{{"):
			b.WriteByte('{')
			i += 2
		case c == '}' && strings.HasPrefix(tmpl[i:], "}}"):
			b.WriteByte('}')
			i += 2
		case c == '}':
			return "", fmt.Errorf("ValueError: Single '}' encountered in format string")
		case c == '{':
			end := fieldEnd(tmpl[i+1:])
			if end < 0 {
				return "", fmt.Errorf("ValueError: expected '}' before end of string")
			}
			s, err := f.field(tmpl[i+1:i+1+end], depth)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
			i += end + 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// fieldEnd returns the index of the '}' that closes a field, allowing one
// level of nested fields in the spec.
func fieldEnd(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// field formats one replacement field: name[!conv][:spec].
func (f *formatter) field(field string, depth int) (string, error) {
	name, spec, _ := strings.Cut(field, ":")
	conv := ""
	if i := strings.IndexByte(name, '!'); i >= 0 {
		name, conv = name[:i], name[i+1:]
		if len(conv) != 1 || !strings.Contains("rsa", conv) {
			return "", fmt.Errorf("ValueError: Unknown conversion specifier %s", conv)
		}
	}
	v, err := f.lookup(name)
	if err != nil {
		return "", err
	}
	if strings.Contains(spec, "{") {
		if spec, err = f.format(spec, depth+1); err != nil {
			return "", err
		}
	}
	switch conv {
	case "r", "a":
		v = starlark.String(PyRepr(v))
	case "s":
		v = starlark.String(PyStr(v))
	}
	return formatValue(v, spec)
}

// lookup finds the value a field names: automatic, by position or by
// keyword, then any .attr and [key] accessors.
func (f *formatter) lookup(name string) (starlark.Value, error) {
	first := name
	if i := strings.IndexAny(name, ".["); i >= 0 {
		first = name[:i]
	}
	rest := name[len(first):]
	var v starlark.Value
	switch {
	case first == "":
		if f.manual {
			return nil, fmt.Errorf("ValueError: cannot switch from manual field specification to automatic field numbering")
		}
		if f.auto >= len(f.args) {
			return nil, fmt.Errorf("IndexError: Replacement index %d out of range for positional args tuple", f.auto)
		}
		v = f.args[f.auto]
		f.auto++
	case first[0] >= '0' && first[0] <= '9':
		n, err := strconv.Atoi(first)
		if err != nil {
			return nil, fmt.Errorf("ValueError: invalid field name %q", first)
		}
		if f.auto > 0 {
			return nil, fmt.Errorf("ValueError: cannot switch from automatic field numbering to manual field specification")
		}
		f.manual = true
		if n >= len(f.args) {
			return nil, fmt.Errorf("IndexError: Replacement index %d out of range for positional args tuple", n)
		}
		v = f.args[n]
	default:
		for _, kv := range f.kwargs {
			if string(kv[0].(starlark.String)) == first {
				v = kv[1]
			}
		}
		if v == nil {
			return nil, fmt.Errorf("KeyError: '%s'", first)
		}
	}
	for rest != "" {
		var err error
		if rest[0] == '.' {
			attr := rest[1:]
			if i := strings.IndexAny(attr, ".["); i >= 0 {
				attr, rest = attr[:i], attr[i:]
			} else {
				rest = ""
			}
			if v, err = getAttr(v, attr); err != nil {
				return nil, err
			}
			continue
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, fmt.Errorf("ValueError: Missing ']' in format string")
		}
		key := rest[1:end]
		rest = rest[end+1:]
		var k starlark.Value = starlark.String(key)
		if n, err := strconv.Atoi(key); err == nil {
			k = starlark.MakeInt(n)
		}
		if v, err = getIndex(v, k); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func getAttr(v starlark.Value, name string) (starlark.Value, error) {
	if h, ok := v.(starlark.HasAttrs); ok {
		if x, err := h.Attr(name); x != nil || err != nil {
			return x, err
		}
	}
	return nil, fmt.Errorf("AttributeError: '%s' object has no attribute '%s'", v.Type(), name)
}

func getIndex(v, k starlark.Value) (starlark.Value, error) {
	switch x := v.(type) {
	case starlark.Mapping:
		if r, found, err := x.Get(k); err != nil || found {
			return r, err
		}
		return nil, fmt.Errorf("KeyError: %s", PyRepr(k))
	case starlark.Indexable:
		if i, ok := k.(starlark.Int); ok {
			n, _ := i.Int64()
			if n < 0 || int(n) >= x.Len() {
				return nil, fmt.Errorf("IndexError: %s index out of range", v.Type())
			}
			return x.Index(int(n)), nil
		}
	}
	return nil, fmt.Errorf("TypeError: '%s' object is not subscriptable", v.Type())
}
