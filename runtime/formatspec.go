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
