package runtime

import (
	goruntime "runtime"
	"testing"
	"time"

	"go.starlark.net/starlark"
)

// TestSharedForgotten checks that the memory of shared values does not
// keep them alive: once a value is collected, the execution forgets it.
func TestSharedForgotten(t *testing.T) {
	ex := &execution{}
	count := func() int {
		n := 0
		ex.shared.Range(func(any, any) bool { n++; return true })
		return n
	}
	func() {
		s := &sharer{ex: ex}
		for range 100 {
			list := starlark.NewList([]starlark.Value{starlark.MakeInt(1)})
			if err := s.value(list); err != nil {
				t.Fatal(err)
			}
			if !ex.wasShared(list) {
				t.Fatal("a shared list is not remembered")
			}
		}
	}()
	if got := count(); got != 100 {
		t.Fatalf("remembered values: got %d; want 100", got)
	}
	deadline := time.Now().Add(20 * time.Second)
	for count() > 0 && time.Now().Before(deadline) {
		goruntime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got := count(); got != 0 {
		t.Errorf("remembered values after collection: got %d; want 0", got)
	}
}
