package runtime

import (
	"errors"
	"strings"
)

// fstring rewrites the f-string token t as a call of __format__ with a
// str.format template and the field expressions as arguments:
// f"{a!r:>10} and {b}" becomes __format__("{!r:>10} and {}", (a), (b)).
// The template keeps the literal's quotes, its other prefixes and its
// newlines; the expressions keep theirs, so the line count never changes.
func (r *rewriter) fstring(t token) (string, error) {
	p := stringPrefix(t.text)
	prefix := strings.NewReplacer("f", "", "F", "").Replace(t.text[:p])
	raw := strings.ContainsAny(prefix, "rR")
	quote := t.text[p : p+1]
	if strings.HasPrefix(t.text[p:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	body := t.text[p+len(quote) : len(t.text)-len(quote)]

	var tmpl strings.Builder
	var args []string
	// line and col follow the body, for error positions.
	fail := func(msg string) error { return r.errorAt(t, "f-string: %s", msg) }
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\' && !raw && i+1 < len(body):
			tmpl.WriteString(body[i : i+2])
			i += 2
		case c == '{' && strings.HasPrefix(body[i:], "{{"), c == '}' && strings.HasPrefix(body[i:], "}}"):
			tmpl.WriteString(body[i : i+2])
			i += 2
		case c == '}':
			return "", fail("single '}' is not allowed")
		case c == '{':
			n, field, fieldArgs, err := r.field(body[i+1:], fail)
			if err != nil {
				return "", err
			}
			tmpl.WriteString(field)
			args = append(args, fieldArgs...)
			i += 1 + n
		default:
			tmpl.WriteByte(c)
			i++
		}
	}
	var b strings.Builder
	b.WriteString("__format__(")
	b.WriteString(prefix + quote + tmpl.String() + quote)
	for _, a := range args {
		b.WriteString(", (" + a + ")")
	}
	b.WriteString(")")
	return b.String(), nil
}

// field parses one replacement field of an f-string, after its '{'. It
// returns how many bytes it used (through the closing '}'), the field as a
// str.format field, and the expressions it takes, rewritten in turn.
func (r *rewriter) field(s string, fail func(string) error) (int, string, []string, error) {
	end, stop := exprEnd(s)
	if end < 0 {
		return 0, "", nil, fail("expecting '}'")
	}
	expr := s[:end]
	if strings.TrimSpace(expr) == "" {
		return 0, "", nil, fail("empty expression not allowed")
	}
	var field strings.Builder
	i := end
	debug := ""
	if stop == '=' {
		// {x=} shows the expression's text, then its repr.
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		debug = escapeBraces(s[:i])
		if i < len(s) && s[i] != '!' && s[i] != ':' && s[i] != '}' {
			return 0, "", nil, fail("expecting '}' after '='")
		}
	}
	rewritten, err := r.rewriteExpr(expr)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return 0, "", nil, fail("in {" + strings.TrimSpace(expr) + "}: " + se.Msg)
		}
		return 0, "", nil, err
	}
	args := []string{rewritten}
	field.WriteString(debug + "{")
	conv := ""
	if i < len(s) && s[i] == '!' {
		if i+1 >= len(s) || !strings.ContainsRune("rsa", rune(s[i+1])) {
			return 0, "", nil, fail("invalid conversion character: expected 's', 'r', or 'a'")
		}
		conv = s[i : i+2]
		i += 2
	}
	if conv == "" && debug != "" && (i >= len(s) || s[i] != ':') {
		conv = "!r"
	}
	field.WriteString(conv)
	if i < len(s) && s[i] == ':' {
		field.WriteByte(':')
		i++
		// The spec may hold nested fields: {x:{width}.{prec}f}.
		for i < len(s) && s[i] != '}' {
			if s[i] == '{' {
				n, nested, nestedArgs, err := r.field(s[i+1:], fail)
				if err != nil {
					return 0, "", nil, err
				}
				field.WriteString(nested)
				args = append(args, nestedArgs...)
				i += 1 + n
				continue
			}
			field.WriteByte(s[i])
			i++
		}
	}
	if i >= len(s) || s[i] != '}' {
		return 0, "", nil, fail("expecting '}'")
	}
	field.WriteByte('}')
	return i + 1, field.String(), args, nil
}

// exprEnd finds the end of a field's expression: the first '}', '!' (not
// '!='), ':' or '=' (not part of a comparison) outside brackets and
// strings. It returns -1 if there is none.
func exprEnd(s string) (int, byte) {
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return -1, 0
			}
			i += j + 1
		case strings.IndexByte("([{", c) >= 0:
			depth++
		case strings.IndexByte(")]", c) >= 0:
			depth--
		case c == '}' && depth > 0:
			depth--
		case depth > 0:
		case c == '}':
			return i, c
		case c == '!' && !strings.HasPrefix(s[i:], "!="):
			return i, c
		case c == ':':
			return i, c
		case c == '=' && !strings.HasPrefix(s[i:], "==") && (i == 0 || strings.IndexByte("=!<>", s[i-1]) < 0):
			return i, c
		case c == '=' && strings.HasPrefix(s[i:], "=="):
			i++
		}
	}
	return -1, 0
}

func escapeBraces(s string) string {
	return strings.NewReplacer("{", "{{", "}", "}}").Replace(s)
}

// rewriteExpr applies the layer's expression rewrites to the text of an
// expression embedded in an f-string.
func (r *rewriter) rewriteExpr(expr string) (string, error) {
	sub := &rewriter{filename: r.filename, src: expr}
	lines, err := scan(r.filename, "("+expr+")")
	if err != nil {
		return "", err
	}
	sub.src = "(" + expr + ")"
	for _, ln := range lines {
		if err := sub.keywords(ln.toks); err != nil {
			return "", err
		}
		if err := sub.expressions(ln.toks); err != nil {
			return "", err
		}
	}
	out := sub.apply()
	return out[1 : len(out)-1], nil
}
