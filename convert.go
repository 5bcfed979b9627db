package starpool

import (
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.starlark.net/starlark"
)

// ToStarlark converts a Go value into a new Starlark value, for a host that
// hands data to a script (for example through Options.Predeclared). It and
// [FromStarlark] follow one set of rules:
//
//	Go                               Starlark
//	nil, nil pointer or interface    None
//	bool                             bool
//	int*, uint* (any size), *big.Int int
//	float32, float64                 float (NaN and ±Inf included)
//	string                           str
//	[]byte                           bytes
//	time.Duration                    float, in seconds
//	slice, array                     list (a nil slice gives [])
//	map                              dict, keys sorted (a nil map gives {})
//	struct                           dict of its exported fields
//	starlark.Value                   itself, shared rather than copied
//
// Struct fields are named by a `starlark:"name"` tag; a field tagged "-" is
// skipped; an untagged field is named by its Go name in snake_case
// (MaxWorkers is "max_workers", HTTPServer "http_server", UserID "user_id").
// Unexported fields are ignored. The exported fields of an untagged embedded
// struct, or of a pointer to one, are promoted into the outer dict as Go
// promotes them, a shallower field hiding a deeper one of the same name;
// two fields with the same name at the same depth are an error. A tagged
// embedded struct is one field holding a nested dict. Fields behind a nil
// embedded pointer are left out. A struct with fields but none exported
// (time.Time, big.Float, sync.Mutex) is refused rather than made an empty
// dict.
//
// Map keys convert by the same rules and must give hashable Starlark values
// (str, int, float, bool, bytes). A struct's dict lists its fields in
// declaration order; a map's dict is sorted by key (keys of different types
// by type name first), so the result does not depend on Go's map order.
//
// Channels, functions, complex numbers and unsafe pointers do not convert;
// neither does a value that contains itself through a pointer, map or slice.
// The error names the Go type and where it sits inside v, as in
// "ToStarlark: .Items[2].C: cannot convert chan int".
//
// The result is new and unfrozen, owned by the caller, except for
// starlark.Values found inside v, which are passed through as they are. A
// host that puts it into Options.Predeclared or Options.Modules gets it
// frozen by [New], so every script and task may read it but none may change
// it. Converting costs one allocation or so per element.
func ToStarlark(v any) (starlark.Value, error) {
	e := &encoder{visiting: map[visit]bool{}, structs: map[reflect.Type]*structInfo{}}
	return e.encode(reflect.ValueOf(v))
}

// FromStarlark stores the Starlark value v into the Go variable that dst
// points to, by the rules of [ToStarlark] read backwards, as
// encoding/json's Unmarshal does:
//
//   - bool from bool; integer types from int, refusing values out of the
//     target's range; big.Int from any int; floats from float or int;
//     string from str; []byte from bytes or str; time.Duration from seconds,
//     int or float;
//   - slices from list, tuple or set; arrays from a list or tuple of the
//     same length; maps from dict, adding to the map already there if any;
//     structs from dict, by the field names of ToStarlark, refusing unknown
//     keys (fields absent from the dict keep their values, so dst may hold
//     defaults);
//   - a nil pointer is allocated, a non-nil one filled; None gives a nil
//     pointer, slice, map or interface;
//   - an empty interface (any) gets the natural mapping of
//     [FromStarlarkValue]; starlark.Value, or any other interface or
//     starlark type that v's type satisfies, gets v itself.
//
// Errors name where in dst the conversion failed, as in
// "FromStarlark: .Items[2].Port: cannot convert int 70000 to uint16: out of
// range"; dst may then be partly filled. Unless v is frozen, no other
// goroutine may use it during the call; the globals that ExecFile returns are
// frozen. Values from a list, dict or other starlark.Value that land in a
// starlark.Value target are shared with v, everything else is copied.
func FromStarlark(v starlark.Value, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		got := "nil"
		if rv.IsValid() {
			got = goType(rv.Type())
			if rv.Kind() == reflect.Pointer {
				got = "nil " + got
			}
		}
		return &convError{fn: "FromStarlark", msg: "dst must be a non-nil pointer; got " + got}
	}
	d := &decoder{visiting: map[starlark.Value]bool{}, structs: map[reflect.Type]*structInfo{}}
	return d.decode(v, rv.Elem())
}

// FromStarlarkValue returns the natural Go form of v: None is nil, bool a
// bool, int an int64 (a *big.Int beyond int64's range), float a float64,
// str a string, bytes a []byte, list, tuple and set an []any, and dict a
// map[string]any. A dict with a key that is not a str, and values of other
// types (functions, modules, futures), are refused; decode those with
// [FromStarlark] into a typed variable or a starlark.Value. The result is
// new and owned by the caller.
func FromStarlarkValue(v starlark.Value) (any, error) {
	var x any
	err := FromStarlark(v, &x)
	return x, err
}

var (
	valueType    = reflect.TypeFor[starlark.Value]()
	durationType = reflect.TypeFor[time.Duration]()
	bigIntType   = reflect.TypeFor[big.Int]()
)

// convError is a conversion failure at a path inside the value.
type convError struct {
	fn   string // ToStarlark or FromStarlark
	path string // where, as .Field[3]["key"]; empty at the top
	msg  string
}

func (e *convError) Error() string {
	if e.path == "" {
		return e.fn + ": " + e.msg
	}
	return e.fn + ": " + e.path + ": " + e.msg
}

// step is one element of a path: a struct field, a list index or a map key.
type step struct {
	field string
	index int
	key   any // a Go value or a starlark.Value; nil for fields and indexes
}

type path []step

func (p path) String() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.field != "":
			b.WriteString("." + s.field)
		case s.key != nil:
			b.WriteString("[" + keyString(s.key) + "]")
		default:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		}
	}
	return b.String()
}

func keyString(k any) string {
	switch k := k.(type) {
	case starlark.Value:
		return k.String()
	case string:
		return strconv.Quote(k)
	}
	if rv := reflect.ValueOf(k); rv.Kind() == reflect.String {
		return strconv.Quote(rv.String())
	}
	return fmt.Sprint(k)
}

// goType names a Go type as Go source would, writing any for interface {}.
func goType(t reflect.Type) string { return strings.ReplaceAll(t.String(), "interface {}", "any") }
