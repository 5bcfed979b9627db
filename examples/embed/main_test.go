package main

import (
	"bytes"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	want := "5 words scored; the longest has 9 letters\nhost: lookup was called 5 times; goroutine has 9 letters\n"
	if out.String() != want {
		t.Errorf("output: got %q; want %q", out.String(), want)
	}
}
