// Package termtest helps tests read what a terminal would show.
package termtest

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// erase matches the ESC [ K sequences that erase a line.
var erase = regexp.MustCompile(`^\x1b\[([0-9]*)K`)

// Screen returns the text a terminal shows for out, which moves the cursor
// with carriage returns and erases with ESC [ K.
func Screen(out string) string {
	var lines [][]rune
	row, col := 0, 0
	for i := 0; i < len(out); {
		for row >= len(lines) {
			lines = append(lines, nil)
		}
		if m := erase.FindStringSubmatch(out[i:]); m != nil {
			if m[1] == "2" {
				lines[row] = nil
			} else if col < len(lines[row]) {
				lines[row] = lines[row][:col]
			}
			i += len(m[0])
			continue
		}
		r, size := utf8.DecodeRuneInString(out[i:])
		i += size
		switch r {
		case '\r':
			col = 0
		case '\n':
			row++
			col = 0
		default:
			for len(lines[row]) <= col {
				lines[row] = append(lines[row], ' ')
			}
			lines[row][col] = r
			col++
		}
	}
	var b strings.Builder
	for _, line := range lines {
		b.WriteString(strings.TrimRight(string(line), " ") + "\n")
	}
	return b.String()
}
