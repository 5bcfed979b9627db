package runtime

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The tokenizer of the Python-flavored source layer. It knows Python's
// lexical structure (strings of every quote kind and prefix, comments,
// brackets, backslash continuations, indentation) well enough to find
// statements and expressions without regular expressions over lines; the
// rewriter then edits the source between token boundaries, so whatever it
// does not touch stays byte for byte as written.

type tokenKind uint8

const (
	tName tokenKind = iota
	tNumber
	tString
	tOp
	tNewline // the end of a logical line
	tEOF
)

// token is one lexical token; off and end are byte offsets into the source.
type token struct {
	kind      tokenKind
	text      string
	off, end  int
	line, col int // 1-based; col counts runes, as go.starlark.net does
	depth     int // bracket depth before the token
}

// logicalLine is the tokens of one statement line (without its tNewline),
// with the indentation of its first token.
type logicalLine struct {
	toks   []token
	indent int
	end    int // offset where the line's newline (or the source) ends
}

// A SyntaxError is an error of the Python-flavored layer, with the
// position of the offending text.
type SyntaxError struct {
	Filename  string
	Line, Col int
	Msg       string
}

// Error returns file:line:col: message.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Filename, e.Line, e.Col, e.Msg)
}

// scanner splits Python-flavored source into logical lines.
type scanner struct {
	filename  string
	src       string
	off       int
	line, col int
	depth     int
	lines     []logicalLine
	cur       logicalLine
	atStart   bool // at the start of a logical line
}

// operators lists the multi-character operators, longest first.
var operators = []string{
	"**=", "//=", ">>=", "<<=", "...",
	"->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
}

// scan tokenizes src into logical lines.
func scan(filename, src string) ([]logicalLine, error) {
	s := &scanner{filename: filename, src: src, line: 1, col: 1, atStart: true}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.lines, nil
}

func (s *scanner) errorf(line, col int, format string, args ...any) error {
	return &SyntaxError{Filename: s.filename, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// advance moves past n bytes, keeping line and column.
func (s *scanner) advance(n int) {
	for _, r := range s.src[s.off : s.off+n] {
		if r == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
	}
	s.off += n
}

func (s *scanner) emit(kind tokenKind, n int) {
	t := token{kind: kind, text: s.src[s.off : s.off+n], off: s.off, end: s.off + n, line: s.line, col: s.col, depth: s.depth}
	if len(s.cur.toks) == 0 {
		s.cur.indent = s.col - 1
	}
	s.cur.toks = append(s.cur.toks, t)
	s.advance(n)
}

// endLine closes the current logical line, if it has tokens.
func (s *scanner) endLine() {
	if len(s.cur.toks) > 0 {
		s.cur.end = s.off
		s.lines = append(s.lines, s.cur)
	}
	s.cur = logicalLine{}
}

func (s *scanner) run() error {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\f' || c == '\r':
			s.advance(1)
		case c == '\\' && strings.HasPrefix(s.src[s.off+1:], "\n"):
			s.advance(2)
		case c == '\\' && strings.HasPrefix(s.src[s.off+1:], "\r\n"):
			s.advance(3)
		case c == '#':
			n := strings.IndexByte(s.src[s.off:], '\n')
			if n < 0 {
				n = len(s.src) - s.off
			}
			s.advance(n)
		case c == '\n':
			if s.depth == 0 {
				s.advance(1)
				s.endLine()
			} else {
				s.advance(1)
			}
		case isStringStart(s.src[s.off:]):
			if err := s.scanString(); err != nil {
				return err
			}
		case c == '_' || isLetter(s.src[s.off:]):
			n := 0
			for s.off+n < len(s.src) {
				r, size := utf8.DecodeRuneInString(s.src[s.off+n:])
				if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				n += size
			}
			s.emit(tName, n)
		case c >= '0' && c <= '9' || c == '.' && s.off+1 < len(s.src) && s.src[s.off+1] >= '0' && s.src[s.off+1] <= '9':
			n := 1
			for s.off+n < len(s.src) {
				d := s.src[s.off+n]
				prev := s.src[s.off+n-1]
				if d == '_' || d == '.' || d >= '0' && d <= '9' || d >= 'a' && d <= 'z' || d >= 'A' && d <= 'Z' ||
					(d == '+' || d == '-') && (prev == 'e' || prev == 'E') && !strings.ContainsAny(s.src[s.off:s.off+n], "xXbBoO") {
					n++
					continue
				}
				break
			}
			s.emit(tNumber, n)
		default:
			if err := s.scanOp(); err != nil {
				return err
			}
		}
	}
	s.endLine()
	return nil
}

func (s *scanner) scanOp() error {
	c := s.src[s.off]
	switch c {
	case '(', '[', '{':
		s.emit(tOp, 1)
		s.depth++
		return nil
	case ')', ']', '}':
		if s.depth == 0 {
			return s.errorf(s.line, s.col, "unexpected '%c'", c)
		}
		s.depth--
		s.emit(tOp, 1)
		return nil
	}
	for _, op := range operators {
		if strings.HasPrefix(s.src[s.off:], op) {
			s.emit(tOp, len(op))
			return nil
		}
	}
	if strings.ContainsRune("+-*/%&|^~<>=.,:;@!", rune(c)) {
		s.emit(tOp, 1)
		return nil
	}
	r, _ := utf8.DecodeRuneInString(s.src[s.off:])
	return s.errorf(s.line, s.col, "unexpected character %q", r)
}

func isLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

// stringPrefix returns the length of a string prefix (r, b, f, u and their
// combinations, any case) at the start of s, if a quote follows it, or -1.
func stringPrefix(s string) int {
	n := 0
	for n < len(s) && n < 3 && strings.IndexByte("rRbBfFuU", s[n]) >= 0 {
		n++
	}
	if n < len(s) && (s[n] == '\'' || s[n] == '"') {
		return n
	}
	return -1
}

func isStringStart(s string) bool {
	n := stringPrefix(s)
	if n < 0 {
		return false
	}
	p := strings.ToLower(s[:n])
	switch p {
	case "", "r", "b", "f", "u", "rb", "br", "fr", "rf":
		return true
	}
	return false
}

func (s *scanner) scanString() error {
	rest := s.src[s.off:]
	p := stringPrefix(rest)
	quote := rest[p : p+1]
	if strings.HasPrefix(rest[p:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	i := p + len(quote)
	for {
		if i >= len(rest) || len(quote) == 1 && rest[i] == '\n' {
			if len(quote) == 3 {
				return s.errorf(s.line, s.col, "unterminated triple-quoted string literal")
			}
			return s.errorf(s.line, s.col, "unterminated string literal")
		}
		switch {
		case rest[i] == '\\':
			i += 2
		case strings.HasPrefix(rest[i:], quote):
			s.emit(tString, i+len(quote))
			return nil
		default:
			i++
		}
	}
}

// InputComplete reports whether src, the lines typed so far at an
// interactive prompt, is a complete input, as Python's prompt decides: a
// compound statement (a line ending in ':') goes on until a blank line, and
// so does any input with an open bracket, an unterminated triple-quoted
// string or a final backslash.
func InputComplete(src string) bool {
	s := &scanner{filename: "<stdin>", src: src, line: 1, col: 1, atStart: true}
	if err := s.run(); err != nil {
		var se *SyntaxError
		return !(errors.As(err, &se) && strings.HasPrefix(se.Msg, "unterminated triple-quoted"))
	}
	if s.depth > 0 || strings.HasSuffix(strings.TrimRight(src, "\n"), "\\") {
		return false
	}
	if len(s.lines) == 0 {
		return true
	}
	first := s.lines[0].toks
	if last := first[len(first)-1]; last.kind == tOp && last.text == ":" || len(s.lines) > 1 {
		lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
		return strings.TrimSpace(lines[len(lines)-1]) == ""
	}
	return true
}
