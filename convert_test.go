package starpool_test

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/starpool/starpool"
)

// item, inventory and server are the structs the conversion tests use.
type item struct {
	Name  string
	Tags  []string `starlark:"labels"`
	Price float64
}

type inventory struct {
	Items    map[string][]item
	Owner    *string
	Skip     int `starlark:"-"`
	internal int
}

type base struct {
	ID      int
	Created time.Duration
}

type Meta struct {
	Version int
}

type server struct {
	base          // promoted: id, created
	*Meta         // promoted when non-nil: version
	Host   string `starlark:"hostname"`
	Port   uint16
	Limits base `starlark:"limits"` // a nested dict
}

type node struct {
	Value int
	Next  *node
}

func bigInt(s string) *big.Int {
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return x
}

func TestToStarlark(t *testing.T) {
	owner := "ann"
	shared := &item{Name: "x"}
	for _, tc := range []struct {
		name string
		in   any
		want string // the Starlark repr
	}{
		{"nil", nil, "None"},
		{"bool", true, "True"},
		{"int8", int8(-128), "-128"},
		{"uint8", uint8(255), "255"},
		{"min int64", int64(math.MinInt64), "-9223372036854775808"},
		{"max uint64", uint64(math.MaxUint64), "18446744073709551615"},
		{"uintptr", uintptr(7), "7"},
		{"big.Int pointer", bigInt("1267650600228229401496703205376"), "1267650600228229401496703205376"},
		{"big.Int value", *bigInt("-1267650600228229401496703205376"), "-1267650600228229401496703205376"},
		{"float32", float32(1.5), "1.5"},
		{"NaN", math.NaN(), "nan"},
		{"+Inf", math.Inf(+1), "+inf"},
		{"-Inf", math.Inf(-1), "-inf"},
		{"unicode string", "héllo, 世界 🌍", `"héllo, 世界 🌍"`},
		{"non-UTF-8 bytes", []byte{0xff, 0xfe, 'a'}, `b"\xff\xfea"`},
		{"empty bytes", []byte{}, `b""`},
		{"duration", 1500 * time.Millisecond, "1.5"},
		{"negative duration", -2 * time.Hour, "-7200.0"},
		{"slice", []int{3, 1, 2}, "[3, 1, 2]"},
		{"nil slice", []int(nil), "[]"},
		{"empty slice", []string{}, "[]"},
		{"array", [2]string{"a", "b"}, `["a", "b"]`},
		{"any slice", []any{nil, 1, "x", 2.5, false}, `[None, 1, "x", 2.5, False]`},
		{"map sorted", map[string]int{"b": 2, "a": 1, "c": 3}, `{"a": 1, "b": 2, "c": 3}`},
		{"int keys sorted numerically", map[int]string{10: "y", 2: "x", -1: "w"}, `{-1: "w", 2: "x", 10: "y"}`},
		{"mixed keys sorted by type", map[any]int{"a": 1, 1: 2, true: 3}, `{True: 3, 1: 2, "a": 1}`},
		{"nil map", map[string]int(nil), "{}"},
		{"empty map", map[string]int{}, "{}"},
		{"nil pointer", (*int)(nil), "None"},
		{"pointer", &owner, `"ann"`},
		{"tagged struct", item{Name: "pen", Tags: []string{"office"}, Price: 1.25}, `{"name": "pen", "labels": ["office"], "price": 1.25}`},
		{
			"nested containers, skipped and unexported fields",
			inventory{Items: map[string][]item{"b": {{Name: "y"}}, "a": {{Name: "x", Tags: []string{"t"}}}}, Owner: &owner, Skip: 1, internal: 2},
			`{"items": {"a": [{"name": "x", "labels": ["t"], "price": 0.0}], "b": [{"name": "y", "labels": [], "price": 0.0}]}, "owner": "ann"}`,
		},
		{
			"embedded structs",
			server{base: base{ID: 7, Created: time.Second}, Meta: &Meta{Version: 2}, Host: "h", Port: 80},
			`{"id": 7, "created": 1.0, "version": 2, "hostname": "h", "port": 80, "limits": {"id": 0, "created": 0.0}}`,
		},
		{
			"nil embedded pointer",
			server{Host: "h"},
			`{"id": 0, "created": 0.0, "hostname": "h", "port": 0, "limits": {"id": 0, "created": 0.0}}`,
		},
		{"shared pointer is not a cycle", []*item{shared, shared}, `[{"name": "x", "labels": [], "price": 0.0}, {"name": "x", "labels": [], "price": 0.0}]`},
		{"empty struct", struct{}{}, "{}"},
		{"starlark value", starlark.Tuple{starlark.MakeInt(1)}, "(1,)"},
		{"starlark value inside", map[string]any{"s": starlark.String("v")}, `{"s": "v"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := starpool.ToStarlark(tc.in)
			if err != nil {
				t.Fatalf("ToStarlark(%#v) failed: %v", tc.in, err)
			}
			if got := v.String(); got != tc.want {
				t.Errorf("ToStarlark(%#v) = %s; want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestToStarlarkFieldNames(t *testing.T) {
	v, err := starpool.ToStarlark(struct {
		MaxWorkers, HTTPServer, UserID, URL, Base64Data, X, Already_Snake int
		Renamed                                                           int `starlark:"other"`
	}{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range v.(*starlark.Dict).Keys() {
		keys = append(keys, string(k.(starlark.String)))
	}
	got := strings.Join(keys, " ")
	want := "max_workers http_server user_id url base64_data x already_snake other"
	if got != want {
		t.Errorf("got %v; want %v", got, want)
	}
}

// TestToStarlarkNew checks that the result is new and unfrozen, and that
// starlark values inside are shared, not copied.
func TestToStarlarkNew(t *testing.T) {
	list := starlark.NewList(nil)
	v, err := starpool.ToStarlark(map[string]any{"shared": list, "new": []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*starlark.Dict)
	if err := d.SetKey(starlark.String("added"), starlark.None); err != nil {
		t.Errorf("SetKey on the result = %v; want nil", err)
	}
	if got, _, _ := d.Get(starlark.String("shared")); got != list {
		t.Errorf("got %v; want the same *starlark.List", got)
	}
	fresh, _, _ := d.Get(starlark.String("new"))
	if err := fresh.(*starlark.List).Append(starlark.MakeInt(2)); err != nil {
		t.Errorf("Append on a converted list = %v; want nil", err)
	}
}

func TestToStarlarkErrors(t *testing.T) {
	type holder struct{ Items []struct{ C any } }
	self := &node{}
	self.Next = self
	loop := &node{Next: &node{}}
	loop.Next.Next = loop
	m := map[string]any{}
	m["self"] = m
	s := []any{nil}
	s[0] = s
	type clash struct {
		Name string
		Also string `starlark:"name"`
	}
	type inner1 struct{ ID int }
	type inner2 struct{ ID int }
	type ambiguous struct {
		inner1
		inner2
	}
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"chan", make(chan int), "ToStarlark: cannot convert chan int"},
		{"func", func() {}, "ToStarlark: cannot convert func()"},
		{"complex", 1 + 2i, "ToStarlark: cannot convert complex128"},
		{"unsafe", unsafe.Pointer(nil), "ToStarlark: cannot convert unsafe.Pointer"},
		{"path", holder{Items: []struct{ C any }{{1}, {"x"}, {make(chan int)}}}, "ToStarlark: .Items[2].C: cannot convert chan int"},
		{"map value path", map[string][]any{"k": {1, func() {}}}, `ToStarlark: ["k"][1]: cannot convert func()`},
		{"map key", map[complex128]int{1 + 2i: 1}, "ToStarlark: [(1+2i)]: key: cannot convert complex128"},
		{"unhashable key", map[[2]int]string{{1, 2}: "x"}, "ToStarlark: [[1, 2]]: key: unhashable type: list"},
		{"pointer cycle", self, "ToStarlark: .Next: cannot convert *starpool_test.node: it contains itself"},
		{"longer cycle", loop, "ToStarlark: .Next.Next: cannot convert *starpool_test.node: it contains itself"},
		{"map cycle", m, `ToStarlark: ["self"]: cannot convert map[string]any: it contains itself`},
		{"slice cycle", s, "ToStarlark: [0]: cannot convert []any: it contains itself"},
		{"opaque struct", time.Unix(0, 0), "ToStarlark: cannot convert time.Time: it has no exported fields"},
		{"opaque inside", []any{big.NewFloat(1)}, "ToStarlark: [0]: cannot convert big.Float: it has no exported fields"},
		{"duplicate names", clash{}, `ToStarlark: cannot convert starpool_test.clash: fields Name and Also both have the name "name"`},
		{"ambiguous promotion", ambiguous{}, `ToStarlark: cannot convert starpool_test.ambiguous: fields inner1.ID and inner2.ID both have the name "id"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := starpool.ToStarlark(tc.in)
			if err == nil {
				t.Fatalf("ToStarlark = %v, nil; want error %q", v, tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got %v; want %v", got, tc.want)
			}
		})
	}
}

// eval evaluates a Starlark expression.
func eval(t *testing.T, expr string) starlark.Value {
	t.Helper()
	thread := &starlark.Thread{Name: "eval"}
	v, err := starlark.EvalOptions(&syntax.FileOptions{Set: true}, thread, "expr", expr, nil)
	if err != nil {
		t.Fatalf("eval(%s): %v", expr, err)
	}
	return v
}

func TestFromStarlark(t *testing.T) {
	for _, tc := range []struct {
		expr string
		dst  any // a pointer to a zero variable
		want any // what it holds afterwards
	}{
		{"True", new(bool), true},
		{"-128", new(int8), int8(-128)},
		{"255", new(uint8), uint8(255)},
		{"(1 << 64) - 1", new(uint64), uint64(math.MaxUint64)},
		{"-(1 << 63)", new(int64), int64(math.MinInt64)},
		{"1 << 100", new(*big.Int), bigInt("1267650600228229401496703205376")},
		{"-5", new(big.Int), *big.NewInt(-5)},
		{"2", new(float64), 2.0},
		{"1.5", new(float32), float32(1.5)},
		{"float('inf')", new(float64), math.Inf(1)},
		{"-float('inf')", new(float32), float32(math.Inf(-1))},
		{"float('nan')", new(float64), math.NaN()},
		{`"héllo, 世界"`, new(string), "héllo, 世界"},
		{`b"\xff\xfe"`, new([]byte), []byte{0xff, 0xfe}},
		{`"ü"`, new([]byte), []byte("ü")},
		{"1.5", new(time.Duration), 1500 * time.Millisecond},
		{"90", new(time.Duration), 90 * time.Second},
		{"0.000000001", new(time.Duration), time.Nanosecond},
		{"[1, 2]", new([]int), []int{1, 2}},
		{"(1, 2)", new([]int), []int{1, 2}},
		{"set([3, 1])", new([]int), []int{3, 1}},
		{"[]", new([]int), []int{}},
		{"None", new([]int), []int(nil)},
		{"None", new(map[string]int), map[string]int(nil)},
		{"None", new(*int), (*int)(nil)},
		{"[1, 2]", new([2]int8), [2]int8{1, 2}},
		{"{}", new(map[string]int), map[string]int{}},
		{`{"a": [1], "b": []}`, new(map[string][]int), map[string][]int{"a": {1}, "b": {}}},
		{`{1: "x", 2: "y"}`, new(map[int]string), map[int]string{1: "x", 2: "y"}},
		{"7", new(*int), ptr(7)},
		{
			`{"items": {"a": [{"name": "pen", "labels": ["x"], "price": 2}]}, "owner": "ann"}`,
			new(inventory),
			inventory{Items: map[string][]item{"a": {{Name: "pen", Tags: []string{"x"}, Price: 2}}}, Owner: ptr("ann")},
		},
		{
			`{"id": 7, "created": 0.5, "version": 3, "hostname": "h", "limits": {"id": 1}}`,
			new(server),
			server{base: base{ID: 7, Created: 500 * time.Millisecond}, Meta: &Meta{Version: 3}, Host: "h", Limits: base{ID: 1}},
		},
		{`{"hostname": "h"}`, new(server), server{Host: "h"}},
		// any gets the natural mapping.
		{"None", new(any), nil},
		{"1", new(any), int64(1)},
		{"1 << 70", new(any), bigInt("1180591620717411303424")},
		{"2.5", new(any), 2.5},
		{`"s"`, new(any), "s"},
		{`b"\x00"`, new(any), []byte{0}},
		{`[1, ("a", None), set([True])]`, new(any), []any{int64(1), []any{"a", nil}, []any{true}}},
		{`{"a": {"b": [1.0]}}`, new(any), map[string]any{"a": map[string]any{"b": []any{1.0}}}},
		{`[{"k": 1}]`, new([]map[string]any), []map[string]any{{"k": int64(1)}}},
		// starlark.Value and starlark types take the value itself.
		{`"s"`, new(starlark.Value), starlark.String("s")},
		{`"s"`, new(starlark.String), starlark.String("s")},
		{`"s"`, new(fmt.Stringer), starlark.String("s")},
		{"None", new(starlark.Value), starlark.None},
	} {
		t.Run(fmt.Sprintf("%s into %T", tc.expr, tc.dst), func(t *testing.T) {
			if err := starpool.FromStarlark(eval(t, tc.expr), tc.dst); err != nil {
				t.Fatalf("FromStarlark(%s) failed: %v", tc.expr, err)
			}
			if got := reflect.ValueOf(tc.dst).Elem().Interface(); !equal(got, tc.want) {
				t.Errorf("got %#v; want %#v", got, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestFromStarlarkKeepsDefaults(t *testing.T) {
	got := server{Host: "localhost", Port: 8080, Limits: base{ID: 9}}
	if err := starpool.FromStarlark(eval(t, `{"port": 9090, "limits": {"created": 1}}`), &got); err != nil {
		t.Fatal(err)
	}
	want := server{Host: "localhost", Port: 9090, Limits: base{ID: 9, Created: time.Second}}
	if !equal(got, want) {
		t.Errorf("got %+v; want %+v", got, want)
	}
}

func TestFromStarlarkPassThrough(t *testing.T) {
	d := eval(t, `{"a": 1}`)
	var dict *starlark.Dict
	if err := starpool.FromStarlark(d, &dict); err != nil {
		t.Fatal(err)
	}
	if dict != d {
		t.Errorf("got %p; want %p", dict, d)
	}
	var holder struct{ Raw starlark.Value }
	if err := starpool.FromStarlark(eval(t, `{"raw": [1]}`), &holder); err != nil {
		t.Fatal(err)
	}
	if got, want := holder.Raw.String(), "[1]"; got != want {
		t.Errorf("got %v; want %v", got, want)
	}
}

func TestFromStarlarkErrors(t *testing.T) {
	type ports struct{ Items []struct{ Port uint16 } }
	for _, tc := range []struct {
		expr string
		dst  any
		want string
	}{
		{"70000", new(uint16), "FromStarlark: cannot convert int 70000 to uint16: out of range"},
		{"-1", new(uint), "FromStarlark: cannot convert int -1 to uint: out of range"},
		{"128", new(int8), "FromStarlark: cannot convert int 128 to int8: out of range"},
		{"1 << 63", new(int64), "FromStarlark: cannot convert int 9223372036854775808 to int64: out of range"},
		{"1 << 64", new(uint64), "FromStarlark: cannot convert int 18446744073709551616 to uint64: out of range"},
		{"(1 << 500) * (1 << 500) * (1 << 100)", new(float64), "FromStarlark: cannot convert int " + new(big.Int).Lsh(big.NewInt(1), 1100).String() + " to float64: out of range"},
		{"1e39", new(float32), "FromStarlark: cannot convert float 1e+39 to float32: out of range"},
		{"10000000000", new(time.Duration), "FromStarlark: cannot convert int 10000000000 to time.Duration: out of range"},
		{"float('nan')", new(time.Duration), "FromStarlark: cannot convert float nan to time.Duration: out of range"},
		{"1e19", new(time.Duration), "FromStarlark: cannot convert float 1e+19 to time.Duration: out of range"},
		{`"1s"`, new(time.Duration), "FromStarlark: cannot convert string to time.Duration"},
		{"1.5", new(int), "FromStarlark: cannot convert float to int"},
		{"1", new(bool), "FromStarlark: cannot convert int to bool"},
		{`b"x"`, new(string), "FromStarlark: cannot convert bytes to string"},
		{"None", new(int), "FromStarlark: cannot convert NoneType to int"},
		{`"abc"`, new([]string), "FromStarlark: cannot convert string to []string"},
		{"[1, 2, 3]", new([2]int), "FromStarlark: cannot convert list of length 3 to [2]int"},
		{"[1]", new(chan int), "FromStarlark: cannot convert list to chan int"},
		{"1", new(complex128), "FromStarlark: cannot convert int to complex128"},
		{"[1]", new(*starlark.Dict), "FromStarlark: cannot convert list to *starlark.Dict"},
		{`{"items": [{"port": 1}, {"port": 70000}]}`, new(ports), "FromStarlark: .Items[1].Port: cannot convert int 70000 to uint16: out of range"},
		{`{"a": [1, "x"]}`, new(map[string][]int), `FromStarlark: ["a"][1]: cannot convert string to int`},
		{`{1: "a"}`, new(map[string]string), "FromStarlark: [1]: key: cannot convert int to string"},
		{`{(1, 2): "a"}`, new(map[any]string), "FromStarlark: [(1, 2)]: key: cannot use tuple as a key of map[any]string"},
		{`{"hostname": "h", "colour": "red"}`, new(server), `FromStarlark: unknown key "colour" for starpool_test.server`},
		{`{"internal": 1}`, new(inventory), `FromStarlark: unknown key "internal" for starpool_test.inventory`},
		{`{"skip": 1}`, new(inventory), `FromStarlark: unknown key "skip" for starpool_test.inventory`},
		{`{1: 2}`, new(server), "FromStarlark: cannot convert dict with int key to starpool_test.server"},
		{`{"limits": {"id": "x"}}`, new(server), "FromStarlark: .Limits.ID: cannot convert string to int"},
		{"[1]", new(server), "FromStarlark: cannot convert list to starpool_test.server"},
		{"{}", new(time.Time), "FromStarlark: cannot convert dict to time.Time: it has no exported fields"},
		{`{1: "a"}`, new(any), "FromStarlark: cannot convert dict with int key 1 to map[string]any; decode it into a map with a typed key"},
		{`[{"x": {2: 3}}]`, new(any), `FromStarlark: [0]["x"]: cannot convert dict with int key 2 to map[string]any; decode it into a map with a typed key`},
		{"len", new(any), "FromStarlark: cannot convert builtin_function_or_method to any"},
		{"lambda: 1", new([]any), "FromStarlark: cannot convert function to []any"},
		{"1", new(error), "FromStarlark: cannot convert int to error"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			err := starpool.FromStarlark(eval(t, tc.expr), tc.dst)
			if err == nil {
				t.Fatalf("FromStarlark(%s) = nil; want error %q", tc.expr, tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got %v; want %v", got, tc.want)
			}
		})
	}
}

func TestFromStarlarkCycles(t *testing.T) {
	list := starlark.NewList(nil)
	if err := list.Append(list); err != nil {
		t.Fatal(err)
	}
	dict := starlark.NewDict(1)
	if err := dict.SetKey(starlark.String("self"), starlark.NewList([]starlark.Value{dict})); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		v    starlark.Value
		dst  any
		want string
	}{
		{"list into any", list, new(any), "FromStarlark: [0]: cannot convert list: it contains itself"},
		{"list into [][]any", list, new([][]any), "FromStarlark: [0]: cannot convert list: it contains itself"},
		{"dict into any", dict, new(any), `FromStarlark: ["self"][0]: cannot convert dict: it contains itself`},
		{"tuple holding a list", starlark.Tuple{list}, new([]any), "FromStarlark: [0][0]: cannot convert list: it contains itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := starpool.FromStarlark(tc.v, tc.dst)
			if err == nil {
				t.Fatalf("FromStarlark = nil; want error %q", tc.want)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got %v; want %v", got, tc.want)
			}
		})
	}
}

func TestFromStarlarkDestination(t *testing.T) {
	var n int
	for _, tc := range []struct {
		dst  any
		want string
	}{
		{nil, "FromStarlark: dst must be a non-nil pointer; got nil"},
		{n, "FromStarlark: dst must be a non-nil pointer; got int"},
		{(*int)(nil), "FromStarlark: dst must be a non-nil pointer; got nil *int"},
	} {
		err := starpool.FromStarlark(starlark.MakeInt(1), tc.dst)
		if got := fmt.Sprint(err); got != tc.want {
			t.Errorf("FromStarlark(1, %#v): got %v; want %v", tc.dst, got, tc.want)
		}
	}
}

func TestFromStarlarkValue(t *testing.T) {
	got, err := starpool.FromStarlarkValue(eval(t, `{"n": 1, "big": 1 << 64, "f": [1.5, None], "b": b"\xff"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": int64(1), "big": bigInt("18446744073709551616"), "f": []any{1.5, nil}, "b": []byte{0xff}}
	if !equal(got, want) {
		t.Errorf("got %#v; want %#v", got, want)
	}
	if _, err := starpool.FromStarlarkValue(eval(t, "{1: 2}")); err == nil {
		t.Errorf("FromStarlarkValue({1: 2}) = nil error; want the refusal of a non-str key")
	}
}

// TestRoundTrip converts Go values to Starlark, freezes them as a script's
// globals would be, and converts them back into the same Go type.
func TestRoundTrip(t *testing.T) {
	for _, in := range []any{
		false,
		int(math.MinInt64), int8(math.MaxInt8), int16(math.MinInt16), int32(math.MaxInt32), int64(math.MaxInt64),
		uint(math.MaxUint), uint8(math.MaxUint8), uint16(math.MaxUint16), uint32(math.MaxUint32), uint64(math.MaxUint64),
		*bigInt("-340282366920938463463374607431768211456"),
		bigInt("340282366920938463463374607431768211456"),
		math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), math.SmallestNonzeroFloat64, math.MaxFloat64,
		float32(math.NaN()), float32(math.MaxFloat32), float32(0.1),
		"", "héllo, 世界 🌍", "\x00tab\there",
		[]byte{}, []byte{0xff, 0x00, 0xc3, 0x28}, []byte("ü"),
		time.Duration(0), time.Nanosecond, -1500 * time.Millisecond, 90 * time.Minute, 365 * 24 * time.Hour,
		[]int{}, []string{"a", "b"}, [3]float64{1, math.NaN(), 3}, [0]int{},
		map[string]int{}, map[string]int{"a": 1, "b": 2}, map[int]string{-1: "x", 1 << 40: "y"},
		map[bool][]byte{true: {1}, false: {}},
		map[float64]bool{1.5: true},
		[]any{int64(1), "a", nil, 2.5, []any{true, []byte("b")}, map[string]any{"k": []any{}}},
		map[string]any{"nested": map[string]any{"x": int64(-3)}},
		ptr(42), ptr(ptr("deep")),
		item{Name: "pen", Tags: []string{"a"}, Price: 0.5},
		inventory{Items: map[string][]item{"a": {{Name: "x", Tags: []string{}}}, "b": {}}, Owner: ptr("ann")},
		server{base: base{ID: 1, Created: time.Minute}, Meta: &Meta{Version: 2}, Host: "h", Port: 65535, Limits: base{ID: 3}},
		node{Value: 1, Next: &node{Value: 2}},
	} {
		t.Run(fmt.Sprintf("%T %v", in, in), func(t *testing.T) {
			v, err := starpool.ToStarlark(in)
			if err != nil {
				t.Fatalf("ToStarlark: %v", err)
			}
			v.Freeze()
			dst := reflect.New(reflect.TypeOf(in))
			if err := starpool.FromStarlark(v, dst.Interface()); err != nil {
				t.Fatalf("FromStarlark(%s): %v", v, err)
			}
			if got := dst.Elem().Interface(); !equal(got, in) {
				t.Errorf("got %#v; want %#v", got, in)
			}
		})
	}
}

// TestRoundTripNil checks the one loss of a round trip: a nil slice or map
// becomes an empty one, since a script sees [] and {} rather than None.
func TestRoundTripNil(t *testing.T) {
	v, err := starpool.ToStarlark(struct {
		S []int
		M map[string]int
		P *int
	}{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), `{"s": [], "m": {}, "p": None}`; got != want {
		t.Fatalf("got %v; want %v", got, want)
	}
	var back struct {
		S []int
		M map[string]int
		P *int
	}
	if err := starpool.FromStarlark(v, &back); err != nil {
		t.Fatal(err)
	}
	if back.S == nil || len(back.S) != 0 || back.M == nil || len(back.M) != 0 || back.P != nil {
		t.Errorf("got %#v; want an empty slice, an empty map and a nil pointer", back)
	}
}

// TestPredeclaredFrozen checks the documented ownership: a converted value
// is the host's until it is predeclared, and then frozen for every script.
func TestPredeclaredFrozen(t *testing.T) {
	cfg, err := starpool.ToStarlark(map[string][]int{"ids": {1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rt := starpool.New(starpool.Options{Predeclared: starlark.StringDict{"cfg": cfg}, Stdout: &out})
	defer rt.Close()
	_, err = rt.ExecFile(context.Background(), "frozen.star", `
print(cfg["ids"])
cfg["ids"].append(3)
`)
	if err == nil || !strings.Contains(err.Error(), "frozen") {
		t.Errorf("appending to a predeclared list: got %v; want a frozen-value error", err)
	}
	if got, want := out.String(), "[1, 2]\n"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

// equal is reflect.DeepEqual, except that NaN equals NaN and unexported
// fields (of big.Int) compare too.
func equal(a, b any) bool { return equalValues(reflect.ValueOf(a), reflect.ValueOf(b)) }

func equalValues(a, b reflect.Value) bool {
	if !a.IsValid() || !b.IsValid() {
		return a.IsValid() == b.IsValid()
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y && math.Signbit(x) == math.Signbit(y) || math.IsNaN(x) && math.IsNaN(y)
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalValues(a.Elem(), b.Elem())
	case reflect.Slice, reflect.Array:
		if a.Kind() == reflect.Slice && a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for iter := a.MapRange(); iter.Next(); {
			y := b.MapIndex(iter.Key())
			if !y.IsValid() || !equalValues(iter.Value(), y) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// ExampleToStarlark passes a host's configuration to a script as a
// predeclared dict. The runtime freezes it, so the script and all its tasks
// may read it concurrently.
func ExampleToStarlark() {
	type Config struct {
		Name       string
		MaxWorkers int           // max_workers in the script
		Timeout    time.Duration // seconds, as a float
		Hosts      []string      `starlark:"targets"`
		Secret     string        `starlark:"-"` // never reaches the script
	}
	cfg, err := starpool.ToStarlark(Config{
		Name:       "nightly",
		MaxWorkers: 4,
		Timeout:    2500 * time.Millisecond,
		Hosts:      []string{"a.example", "b.example"},
		Secret:     "hunter2",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg)

	rt := starpool.New(starpool.Options{
		Predeclared: starlark.StringDict{"config": cfg},
		Stdout:      os.Stdout,
	})
	defer rt.Close()
	_, err = rt.ExecFile(context.Background(), "job.star", `
print(config["name"], "runs", len(config["targets"]), "targets on", config["max_workers"], "workers")
print("timeout:", config["timeout"], "s")
print("secret" in config)
`)
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"name": "nightly", "max_workers": 4, "timeout": 2.5, "targets": ["a.example", "b.example"]}
	// nightly runs 2 targets on 4 workers
	// timeout: 2.5 s
	// False
}

// ExampleFromStarlark reads a script's result, computed by a pool of tasks,
// back into a Go struct.
func ExampleFromStarlark() {
	type Report struct {
		Squares map[string]int
		Total   int64
		Elapsed time.Duration
	}
	rt := starpool.New(starpool.Options{})
	defer rt.Close()
	globals, err := rt.ExecFile(context.Background(), "report.star", `
from concurrent.futures import ThreadPoolExecutor

def square(n):
    return n * n

with ThreadPoolExecutor(max_workers=4) as pool:
    squares = list(pool.map(square, range(1, 6)))

report = {
    "squares": {str(n): s for n, s in zip(range(1, 6), squares)},
    "total": sum(squares),
    "elapsed": 0.25,
}
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	var r Report
	if err := starpool.FromStarlark(globals["report"], &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Squares["3"], r.Total, r.Elapsed)

	var port uint16
	err = starpool.FromStarlark(starlark.MakeInt(70000), &port)
	fmt.Println(err)
	// Output:
	// 9 55 250ms
	// FromStarlark: cannot convert int 70000 to uint16: out of range
}
