package runtime

import "testing"

func TestInputComplete(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"x = 1\n", true},
		{"print(1,\n", false},
		{"print(1,\n2)\n", true},
		{"def f():\n", false},
		{"def f():\n    return 1\n", false},
		{"def f():\n    return 1\n\n", true},
		{"with p as x:\n    pass\n\n", true},
		{"s = \"\"\"abc\n", false},
		{"s = \"\"\"abc\n\"\"\"\n", true},
		{"x = 1 + \\\n", false},
		{"s = 'abc\n", true}, // an error to report, not more input
		{"\n", true},
		{"# comment\n", true},
	}
	for _, tt := range tests {
		if got := InputComplete(tt.src); got != tt.want {
			t.Errorf("InputComplete(%q) = %v; want %v", tt.src, got, tt.want)
		}
	}
}
