package runtime

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.starlark.net/starlark"
)

// PyStr returns v as CPython's str() shows it.
func PyStr(v starlark.Value) string {
	if s, ok := v.(starlark.String); ok {
		return string(s)
	}
	return PyRepr(v)
}

// PyRepr returns v as CPython's repr() shows it: strings in single quotes
// unless they hold one, containers with their elements' reprs.
func PyRepr(v starlark.Value) string {
	var b strings.Builder
	writeRepr(&b, v, 0)
	return b.String()
}

func writeRepr(b *strings.Builder, v starlark.Value, depth int) {
	if depth > 100 {
		b.WriteString("...")
		return
	}
	seq := func(open, close string, xs []starlark.Value) {
		b.WriteString(open)
		for i, x := range xs {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, x, depth+1)
		}
		b.WriteString(close)
	}
	switch x := v.(type) {
	case starlark.String:
		b.WriteString(quote(string(x)))
	case starlark.NoneType:
		b.WriteString("None")
	case starlark.Bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case starlark.Float:
		b.WriteString(floatRepr(float64(x)))
	case *starlark.List:
		seq("[", "]", listElems(x))
	case starlark.Tuple:
		if len(x) == 1 {
			seq("(", ",)", x)
		} else {
			seq("(", ")", x)
		}
	case *starlark.Set:
		if x.Len() == 0 {
			b.WriteString("set()")
			return
		}
		var xs []starlark.Value
		for e := range starlark.Elements(x) {
			xs = append(xs, e)
		}
		seq("{", "}", xs)
	case *starlark.Dict:
		b.WriteString("{")
		for i, kv := range x.Items() {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, kv[0], depth+1)
			b.WriteString(": ")
			writeRepr(b, kv[1], depth+1)
		}
		b.WriteString("}")
	default:
		b.WriteString(v.String())
	}
}

// floatRepr formats f as CPython's repr: the shortest digits that read
// back as f, in fixed notation from 1e-4 up to 1e16 and in exponent
// notation outside.
func floatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expText, _ := strings.Cut(sci, "e")
	exp, _ := strconv.Atoi(expText)
	if exp < -4 || exp >= 16 {
		return mant + "e" + expText[:1] + fmt.Sprintf("%02d", absInt(exp))
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func listElems(l *starlark.List) []starlark.Value {
	xs := make([]starlark.Value, l.Len())
	for i := range xs {
		xs[i] = l.Index(i)
	}
	return xs
}

// quote quotes s as CPython's repr of a str does.
func quote(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
