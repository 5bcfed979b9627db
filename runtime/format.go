package runtime

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

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

// spec is a parsed format specification:
// [[fill]align][sign][z][#][0][width][grouping][.precision][type].
type spec struct {
	fill      rune
	align     byte
	sign      byte
	alt       bool
	zero      bool
	width     int
	grouping  byte
	precision int // -1: none
	typ       byte
}

func parseSpec(s string) (spec, error) {
	sp := spec{fill: ' ', precision: -1}
	isAlign := func(c byte) bool { return c == '<' || c == '>' || c == '=' || c == '^' }
	if r, size := utf8.DecodeRuneInString(s); size > 0 && size < len(s) && isAlign(s[size]) {
		sp.fill, sp.align, s = r, s[size], s[size+1:]
	} else if len(s) > 0 && isAlign(s[0]) {
		sp.align, s = s[0], s[1:]
	}
	if len(s) > 0 && (s[0] == '+' || s[0] == '-' || s[0] == ' ') {
		sp.sign, s = s[0], s[1:]
	}
	if len(s) > 0 && s[0] == 'z' {
		s = s[1:]
	}
	if len(s) > 0 && s[0] == '#' {
		sp.alt, s = true, s[1:]
	}
	if len(s) > 0 && s[0] == '0' {
		sp.zero, s = true, s[1:]
	}
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	sp.width, _ = strconv.Atoi(s[:n])
	s = s[n:]
	if len(s) > 0 && (s[0] == ',' || s[0] == '_') {
		sp.grouping, s = s[0], s[1:]
	}
	if len(s) > 0 && s[0] == '.' {
		n := 1
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if n == 1 {
			return sp, fmt.Errorf("ValueError: Format specifier missing precision")
		}
		sp.precision, _ = strconv.Atoi(s[1:n])
		s = s[n:]
	}
	if len(s) > 1 {
		return sp, fmt.Errorf("ValueError: Invalid format specifier")
	}
	if len(s) == 1 {
		sp.typ = s[0]
	}
	if sp.zero && sp.align == 0 {
		sp.fill, sp.align = '0', '='
	}
	return sp, nil
}

// formatValue formats v by a format specification, as Python's format().
func formatValue(v starlark.Value, specText string) (string, error) {
	if specText == "" {
		return PyStr(v), nil
	}
	sp, err := parseSpec(specText)
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case starlark.String:
		return formatString(string(x), sp)
	case starlark.Bool:
		if x {
			return formatInt(big.NewInt(1), sp)
		}
		return formatInt(big.NewInt(0), sp)
	case starlark.Int:
		switch sp.typ {
		case 'e', 'E', 'f', 'F', 'g', 'G', '%':
			f, _ := starlark.AsFloat(x)
			return formatFloat(f, sp)
		}
		return formatInt(x.BigInt(), sp)
	case starlark.Float:
		return formatFloat(float64(x), sp)
	}
	return "", fmt.Errorf("TypeError: unsupported format string passed to %s.__format__", v.Type())
}

func unknownCode(typ byte, kind string) error {
	return fmt.Errorf("ValueError: Unknown format code '%c' for object of type '%s'", typ, kind)
}

func formatString(s string, sp spec) (string, error) {
	if sp.typ != 0 && sp.typ != 's' {
		return "", unknownCode(sp.typ, "str")
	}
	if sp.sign != 0 {
		return "", fmt.Errorf("ValueError: Sign not allowed in string format specifier")
	}
	if sp.align == '=' {
		return "", fmt.Errorf("ValueError: '=' alignment not allowed in string format specifier")
	}
	if sp.precision >= 0 && utf8.RuneCountInString(s) > sp.precision {
		s = string([]rune(s)[:sp.precision])
	}
	return pad("", s, sp, '<'), nil
}

func formatInt(n *big.Int, sp spec) (string, error) {
	if sp.precision >= 0 {
		return "", fmt.Errorf("ValueError: Precision not allowed in integer format specifier")
	}
	abs := new(big.Int).Abs(n)
	var digits, prefix string
	switch sp.typ {
	case 0, 'd', 'n':
		digits = abs.String()
	case 'b':
		digits, prefix = abs.Text(2), "0b"
	case 'o':
		digits, prefix = abs.Text(8), "0o"
	case 'x':
		digits, prefix = abs.Text(16), "0x"
	case 'X':
		digits, prefix = strings.ToUpper(abs.Text(16)), "0X"
	case 'c':
		if !n.IsInt64() || n.Int64() < 0 || n.Int64() > utf8.MaxRune {
			return "", fmt.Errorf("OverflowError: %%c arg not in range(0x110000)")
		}
		return pad("", string(rune(n.Int64())), sp, '>'), nil
	default:
		return "", unknownCode(sp.typ, "int")
	}
	if !sp.alt {
		prefix = ""
	}
	if sp.grouping != 0 {
		every := 3
		if sp.typ == 'b' || sp.typ == 'o' || sp.typ == 'x' || sp.typ == 'X' {
			every = 4
		}
		digits = group(digits, sp.grouping, every)
	}
	return pad(signOf(n.Sign() < 0, sp)+prefix, digits, sp, '>'), nil
}

func formatFloat(f float64, sp spec) (string, error) {
	neg := math.Signbit(f) && !math.IsNaN(f)
	abs := math.Abs(f)
	prec := sp.precision
	var s string
	switch {
	case math.IsInf(f, 0):
		s = "inf"
	case math.IsNaN(f):
		s = "nan"
	default:
		switch sp.typ {
		case 'e', 'E':
			if prec < 0 {
				prec = 6
			}
			s = strconv.FormatFloat(abs, 'e', prec, 64)
		case 'f', 'F':
			if prec < 0 {
				prec = 6
			}
			s = strconv.FormatFloat(abs, 'f', prec, 64)
		case '%':
			if prec < 0 {
				prec = 6
			}
			s = strconv.FormatFloat(abs*100, 'f', prec, 64) + "%"
		case 'g', 'G', 'n':
			if prec < 0 {
				prec = 6
			}
			s = generalFloat(abs, max(prec, 1), sp.alt, false)
		case 0:
			if prec < 0 {
				s = floatRepr(abs)
			} else {
				s = generalFloat(abs, max(prec, 1), sp.alt, true)
			}
		default:
			return "", unknownCode(sp.typ, "float")
		}
	}
	if sp.typ == 'E' || sp.typ == 'F' || sp.typ == 'G' {
		s = strings.ToUpper(s)
	}
	if sp.grouping != 0 {
		intPart, frac := s, ""
		if i := strings.IndexAny(s, ".e%"); i >= 0 {
			intPart, frac = s[:i], s[i:]
		}
		s = group(intPart, sp.grouping, 3) + frac
	}
	return pad(signOf(neg, sp), s, sp, '>'), nil
}

// generalFloat formats as Python's 'g' (or, with keepPoint, as the
// no-type format with a precision, which keeps one digit after the point
// and switches to exponent notation one digit sooner).
func generalFloat(f float64, prec int, alt, keepPoint bool) string {
	if f == 0 {
		if keepPoint {
			return "0.0"
		}
		return "0"
	}
	exp := int(math.Floor(math.Log10(f)))
	// Rounding to prec digits can carry into the next power of ten.
	if r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'e', prec-1, 64), 64); r >= math.Pow(10, float64(exp+1)) {
		exp++
	}
	limit := prec
	if keepPoint {
		limit = prec - 1
	}
	if exp < -4 || exp >= max(limit, 1) && !(keepPoint && exp < prec && prec == 1 && false) {
		if exp >= limit || exp < -4 {
			s := strconv.FormatFloat(f, 'e', prec-1, 64)
			if !alt {
				mant, e, _ := strings.Cut(s, "e")
				if strings.Contains(mant, ".") {
					mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
				}
				s = mant + "e" + e
			}
			return s
		}
	}
	s := strconv.FormatFloat(f, 'f', max(prec-1-exp, 0), 64)
	if !alt && strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if keepPoint && !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func signOf(neg bool, sp spec) string {
	switch {
	case neg:
		return "-"
	case sp.sign == '+':
		return "+"
	case sp.sign == ' ':
		return " "
	}
	return ""
}

// group inserts sep every `every` digits from the right.
func group(digits string, sep byte, every int) string {
	if len(digits) <= every {
		return digits
	}
	var b strings.Builder
	first := len(digits) % every
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += every {
		if b.Len() > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(digits[i : i+every])
	}
	return b.String()
}

// pad aligns sign+body to the spec's width.
func pad(sign, body string, sp spec, defaultAlign byte) string {
	n := utf8.RuneCountInString(sign) + utf8.RuneCountInString(body)
	if n >= sp.width {
		return sign + body
	}
	fill := strings.Repeat(string(sp.fill), sp.width-n)
	align := sp.align
	if align == 0 {
		align = defaultAlign
	}
	switch align {
	case '<':
		return sign + body + fill
	case '^':
		half := (sp.width - n) / 2
		return strings.Repeat(string(sp.fill), half) + sign + body + strings.Repeat(string(sp.fill), sp.width-n-half)
	case '=':
		return sign + fill + body
	}
	return fill + sign + body
}

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
