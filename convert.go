package starpool

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
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

// encoder holds the state of one ToStarlark call.
type encoder struct {
	path     path
	visiting map[visit]bool // pointers, maps and slices being converted
	structs  map[reflect.Type]*structInfo
}

// visit identifies a pointer, map or slice on the way down, to catch cycles.
type visit struct {
	ptr uintptr
	len int
	typ reflect.Type
}

func (e *encoder) fail(format string, args ...any) error {
	return &convError{fn: "ToStarlark", path: e.path.String(), msg: fmt.Sprintf(format, args...)}
}

func (e *encoder) encode(v reflect.Value) (starlark.Value, error) {
	if !v.IsValid() {
		return starlark.None, nil
	}
	t := v.Type()
	if t.Kind() == reflect.Interface || t.Kind() == reflect.Pointer {
		if v.IsNil() {
			return starlark.None, nil
		}
		if t.Kind() == reflect.Interface {
			return e.encode(v.Elem())
		}
	}
	if t.Implements(valueType) && (t.Kind() != reflect.Pointer || !t.Elem().Implements(valueType)) {
		return v.Interface().(starlark.Value), nil
	}
	switch t {
	case durationType:
		return starlark.Float(time.Duration(v.Int()).Seconds()), nil
	case bigIntType:
		if v.CanAddr() {
			return starlark.MakeBigInt(v.Addr().Interface().(*big.Int)), nil
		}
		x := v.Interface().(big.Int)
		return starlark.MakeBigInt(&x), nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return starlark.Bool(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return starlark.MakeInt64(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return starlark.MakeUint64(v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return starlark.Float(v.Float()), nil
	case reflect.String:
		return starlark.String(v.String()), nil
	case reflect.Pointer:
		return e.within(v, visit{v.Pointer(), 0, t}, func() (starlark.Value, error) { return e.encode(v.Elem()) })
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return starlark.Bytes(v.Bytes()), nil
		}
		return e.within(v, visit{v.Pointer(), v.Len(), t}, func() (starlark.Value, error) { return e.list(v) })
	case reflect.Array:
		return e.list(v)
	case reflect.Map:
		return e.within(v, visit{v.Pointer(), 0, t}, func() (starlark.Value, error) { return e.dict(v) })
	case reflect.Struct:
		return e.structDict(v)
	}
	return nil, e.fail("cannot convert %s", goType(t))
}

// within converts a pointer, slice or map, refusing one that contains itself.
func (e *encoder) within(v reflect.Value, key visit, convert func() (starlark.Value, error)) (starlark.Value, error) {
	if e.visiting[key] {
		return nil, e.fail("cannot convert %s: it contains itself", goType(v.Type()))
	}
	e.visiting[key] = true
	defer delete(e.visiting, key)
	return convert()
}

func (e *encoder) list(v reflect.Value) (starlark.Value, error) {
	elems := make([]starlark.Value, v.Len())
	for i := range elems {
		e.path = append(e.path, step{index: i})
		x, err := e.encode(v.Index(i))
		e.path = e.path[:len(e.path)-1]
		if err != nil {
			return nil, err
		}
		elems[i] = x
	}
	return starlark.NewList(elems), nil
}

func (e *encoder) dict(v reflect.Value) (starlark.Value, error) {
	type item struct{ k, v starlark.Value }
	items := make([]item, 0, v.Len())
	for iter := v.MapRange(); iter.Next(); {
		e.path = append(e.path, step{key: keyOf(iter.Key())})
		k, err := e.encode(iter.Key())
		if err != nil {
			e.path = e.path[:len(e.path)-1]
			err.(*convError).msg = "key: " + err.(*convError).msg
			return nil, err
		}
		x, err := e.encode(iter.Value())
		e.path = e.path[:len(e.path)-1]
		if err != nil {
			return nil, err
		}
		items = append(items, item{k, x})
	}
	slices.SortFunc(items, func(a, b item) int { return compareKeys(a.k, b.k) })
	d := starlark.NewDict(len(items))
	for _, it := range items {
		if err := d.SetKey(it.k, it.v); err != nil {
			e.path = append(e.path, step{key: it.k})
			return nil, e.fail("key: %v", err)
		}
	}
	return d, nil
}

// keyOf is a map key for a path, never nil so that it prints as a key.
func keyOf(k reflect.Value) any {
	if k.Kind() == reflect.Interface && k.IsNil() {
		return starlark.None
	}
	return k.Interface()
}

// compareKeys orders dict keys: by type name, then by value, then by their
// text when the type has no order.
func compareKeys(a, b starlark.Value) int {
	if a.Type() != b.Type() {
		return strings.Compare(a.Type(), b.Type())
	}
	if lt, err := starlark.Compare(syntax.LT, a, b); err == nil {
		if lt {
			return -1
		}
		if gt, _ := starlark.Compare(syntax.GT, a, b); gt {
			return +1
		}
		return 0
	}
	return strings.Compare(a.String(), b.String())
}

func (e *encoder) structDict(v reflect.Value) (starlark.Value, error) {
	info, err := e.info(v.Type())
	if err != nil {
		return nil, err
	}
	d := starlark.NewDict(len(info.fields))
	for _, f := range info.fields {
		fv, err := v.FieldByIndexErr(f.index)
		if err != nil {
			continue // behind a nil embedded pointer
		}
		e.path = append(e.path, step{field: f.goName})
		x, err := e.encode(fv)
		e.path = e.path[:len(e.path)-1]
		if err != nil {
			return nil, err
		}
		if err := d.SetKey(starlark.String(f.name), x); err != nil {
			return nil, e.fail("%v", err)
		}
	}
	return d, nil
}

func (e *encoder) info(t reflect.Type) (*structInfo, error) {
	info, err := cachedInfo(e.structs, t)
	if err != nil {
		return nil, e.fail("cannot convert %s: %v", goType(t), err)
	}
	return info, nil
}

// decoder holds the state of one FromStarlark call.
type decoder struct {
	path     path
	visiting map[starlark.Value]bool // containers being converted
	structs  map[reflect.Type]*structInfo
}

func (d *decoder) fail(format string, args ...any) error {
	return &convError{fn: "FromStarlark", path: d.path.String(), msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) mismatch(v starlark.Value, t reflect.Type) error {
	return d.fail("cannot convert %s to %s", v.Type(), goType(t))
}

func (d *decoder) outOfRange(v starlark.Value, t reflect.Type) error {
	return d.fail("cannot convert %s %s to %s: out of range", v.Type(), v, goType(t))
}

// decode stores v into dst, which is settable.
func (d *decoder) decode(v starlark.Value, dst reflect.Value) error {
	if v == nil {
		v = starlark.None
	}
	t := dst.Type()
	vt := reflect.TypeOf(v)
	switch {
	case t == valueType:
		dst.Set(reflect.ValueOf(v))
		return nil
	case t.Kind() == reflect.Interface && t.NumMethod() == 0:
		x, err := d.natural(v)
		if err != nil {
			return err
		}
		if x == nil {
			dst.SetZero()
		} else {
			dst.Set(reflect.ValueOf(x))
		}
		return nil
	case t.Kind() == reflect.Interface || t.Implements(valueType):
		if !vt.AssignableTo(t) {
			return d.mismatch(v, t)
		}
		dst.Set(reflect.ValueOf(v))
		return nil
	case v == starlark.None && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map):
		dst.SetZero()
		return nil
	case t == durationType:
		return d.duration(v, dst)
	case t == bigIntType:
		i, ok := v.(starlark.Int)
		if !ok {
			return d.mismatch(v, t)
		}
		dst.Addr().Interface().(*big.Int).Set(i.BigInt())
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		b, ok := v.(starlark.Bool)
		if !ok {
			return d.mismatch(v, t)
		}
		dst.SetBool(bool(b))
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := v.(starlark.Int)
		if !ok {
			return d.mismatch(v, t)
		}
		n, ok := i.Int64()
		if !ok || dst.OverflowInt(n) {
			return d.outOfRange(v, t)
		}
		dst.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		i, ok := v.(starlark.Int)
		if !ok {
			return d.mismatch(v, t)
		}
		n, ok := i.Uint64()
		if !ok || dst.OverflowUint(n) {
			return d.outOfRange(v, t)
		}
		dst.SetUint(n)
		return nil
	case reflect.Float32, reflect.Float64:
		f, ok := starlark.AsFloat(v)
		if !ok {
			return d.mismatch(v, t)
		}
		_, isInt := v.(starlark.Int)
		if isInt && math.IsInf(f, 0) || !math.IsInf(f, 0) && dst.OverflowFloat(f) {
			return d.outOfRange(v, t)
		}
		dst.SetFloat(f)
		return nil
	case reflect.String:
		s, ok := v.(starlark.String)
		if !ok {
			return d.mismatch(v, t)
		}
		dst.SetString(string(s))
		return nil
	case reflect.Pointer:
		if dst.IsNil() {
			dst.Set(reflect.New(t.Elem()))
		}
		return d.decode(v, dst.Elem())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			switch s := v.(type) {
			case starlark.Bytes:
				dst.SetBytes([]byte(s))
				return nil
			case starlark.String:
				dst.SetBytes([]byte(s))
				return nil
			}
		}
		return d.within(v, func() error { return d.slice(v, dst) })
	case reflect.Array:
		return d.within(v, func() error { return d.array(v, dst) })
	case reflect.Map:
		return d.within(v, func() error { return d.dict(v, dst) })
	case reflect.Struct:
		return d.within(v, func() error { return d.structFields(v, dst) })
	}
	return d.mismatch(v, t)
}

// within decodes a container, refusing one that contains itself.
func (d *decoder) within(v starlark.Value, convert func() error) error {
	if reflect.TypeOf(v).Kind() != reflect.Pointer {
		return convert() // only a mutable container, a pointer, can close a cycle
	}
	if d.visiting[v] {
		return d.fail("cannot convert %s: it contains itself", v.Type())
	}
	d.visiting[v] = true
	defer delete(d.visiting, v)
	return convert()
}

func (d *decoder) duration(v starlark.Value, dst reflect.Value) error {
	const maxSeconds = math.MaxInt64 / int64(time.Second)
	switch x := v.(type) {
	case starlark.Int:
		s, ok := x.Int64()
		if !ok || s > maxSeconds || s < -maxSeconds {
			return d.outOfRange(v, dst.Type())
		}
		dst.SetInt(s * int64(time.Second))
		return nil
	case starlark.Float:
		ns := math.Round(float64(x) * float64(time.Second))
		if math.IsNaN(ns) || ns >= math.MaxInt64 || ns < math.MinInt64 {
			return d.outOfRange(v, dst.Type())
		}
		dst.SetInt(int64(ns))
		return nil
	}
	return d.mismatch(v, dst.Type())
}

// elements returns the elements of a list, tuple or set. Lists and tuples
// are read by index, which writes nothing; reading an unfrozen set marks it
// as being iterated for the while, as a script's for loop would.
func elements(v starlark.Value) ([]starlark.Value, bool) {
	switch v := v.(type) {
	case *starlark.List:
		elems := make([]starlark.Value, v.Len())
		for i := range elems {
			elems[i] = v.Index(i)
		}
		return elems, true
	case starlark.Tuple:
		return v, true
	case *starlark.Set:
		return slices.Collect(v.Elements()), true
	}
	return nil, false
}

func (d *decoder) slice(v starlark.Value, dst reflect.Value) error {
	elems, ok := elements(v)
	if !ok {
		return d.mismatch(v, dst.Type())
	}
	s := reflect.MakeSlice(dst.Type(), len(elems), len(elems))
	if err := d.each(elems, s); err != nil {
		return err
	}
	dst.Set(s)
	return nil
}

func (d *decoder) array(v starlark.Value, dst reflect.Value) error {
	elems, ok := elements(v)
	if _, isSet := v.(*starlark.Set); !ok || isSet {
		return d.mismatch(v, dst.Type())
	}
	if len(elems) != dst.Len() {
		return d.fail("cannot convert %s of length %d to %s", v.Type(), len(elems), goType(dst.Type()))
	}
	return d.each(elems, dst)
}

func (d *decoder) each(elems []starlark.Value, dst reflect.Value) error {
	for i, x := range elems {
		d.path = append(d.path, step{index: i})
		err := d.decode(x, dst.Index(i))
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) dict(v starlark.Value, dst reflect.Value) error {
	m, ok := v.(starlark.IterableMapping)
	if !ok {
		return d.mismatch(v, dst.Type())
	}
	t := dst.Type()
	items := m.Items()
	if dst.IsNil() {
		dst.Set(reflect.MakeMapWithSize(t, len(items)))
	}
	for _, item := range items {
		d.path = append(d.path, step{key: item[0]})
		k := reflect.New(t.Key()).Elem()
		if err := d.decode(item[0], k); err != nil {
			err.(*convError).msg = "key: " + err.(*convError).msg
			return err
		}
		if !k.Comparable() {
			return d.fail("key: cannot use %s as a key of %s", item[0].Type(), goType(t))
		}
		x := reflect.New(t.Elem()).Elem()
		if err := d.decode(item[1], x); err != nil {
			return err
		}
		d.path = d.path[:len(d.path)-1]
		dst.SetMapIndex(k, x)
	}
	return nil
}

func (d *decoder) structFields(v starlark.Value, dst reflect.Value) error {
	m, ok := v.(starlark.IterableMapping)
	if !ok {
		return d.mismatch(v, dst.Type())
	}
	info, err := cachedInfo(d.structs, dst.Type())
	if err != nil {
		return d.fail("cannot convert %s to %s: %v", v.Type(), goType(dst.Type()), err)
	}
	for _, item := range m.Items() {
		name, ok := item[0].(starlark.String)
		if !ok {
			return d.fail("cannot convert dict with %s key to %s", item[0].Type(), goType(dst.Type()))
		}
		f, ok := info.byName[string(name)]
		if !ok {
			return d.fail("unknown key %s for %s", name, goType(dst.Type()))
		}
		d.path = append(d.path, step{field: f.goName})
		err := d.decode(item[1], fieldAlloc(dst, f.index))
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
	}
	return nil
}

// fieldAlloc returns the field of v at index, allocating the embedded
// pointers on the way.
func fieldAlloc(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// natural decodes v into its natural Go form; see FromStarlarkValue.
func (d *decoder) natural(v starlark.Value) (any, error) {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(x), nil
	case starlark.Int:
		if n, ok := x.Int64(); ok {
			return n, nil
		}
		return x.BigInt(), nil
	case starlark.Float:
		return float64(x), nil
	case starlark.String:
		return string(x), nil
	case starlark.Bytes:
		return []byte(x), nil
	case *starlark.List, starlark.Tuple, *starlark.Set:
		var s []any
		err := d.decode(v, reflect.ValueOf(&s).Elem())
		return s, err
	case *starlark.Dict:
		for _, item := range x.Items() {
			if _, ok := item[0].(starlark.String); !ok {
				return nil, d.fail("cannot convert dict with %s key %s to map[string]any; decode it into a map with a typed key", item[0].Type(), item[0])
			}
		}
		var m map[string]any
		err := d.decode(v, reflect.ValueOf(&m).Elem())
		return m, err
	}
	return nil, d.fail("cannot convert %s to any", v.Type())
}

// structInfo lists the fields of a struct type that convert, by dict key.
type structInfo struct {
	fields []field // in declaration order, depth first
	byName map[string]*field
}

// field is a struct field that converts, possibly promoted from an embedded
// struct.
type field struct {
	name   string // the dict key
	goName string // the Go name, for error paths
	goPath string // the Go selector from the outer struct, as Base.ID
	index  []int
	depth  int // how many embedded structs it is promoted through
}

// cachedInfo returns the fields of struct type t, computed once per call of
// ToStarlark or FromStarlark: no state outlives a conversion.
func cachedInfo(cache map[reflect.Type]*structInfo, t reflect.Type) (*structInfo, error) {
	if info, ok := cache[t]; ok {
		return info, nil
	}
	var all []field
	exported := collectFields(t, nil, "", 0, map[reflect.Type]bool{t: true}, &all)
	if !exported && t.NumField() > 0 {
		return nil, fmt.Errorf("it has no exported fields")
	}
	info := &structInfo{byName: map[string]*field{}}
	at := map[string]int{}          // name -> index in info.fields
	clash := map[string][2]string{} // name -> two fields at the depth of info.fields[at[name]]
	for _, f := range all {
		i, seen := at[f.name]
		switch {
		case !seen:
			at[f.name] = len(info.fields)
			info.fields = append(info.fields, f)
		case f.depth < info.fields[i].depth:
			info.fields[i] = f
			delete(clash, f.name)
		case f.depth == info.fields[i].depth:
			if _, ok := clash[f.name]; !ok {
				clash[f.name] = [2]string{info.fields[i].goPath, f.goPath}
			}
		}
	}
	for _, f := range info.fields {
		if c, ok := clash[f.name]; ok {
			return nil, fmt.Errorf("fields %s and %s both have the name %q", c[0], c[1], f.name)
		}
	}
	for i := range info.fields {
		info.byName[info.fields[i].name] = &info.fields[i]
	}
	cache[t] = info
	return info, nil
}

// collectFields appends the fields of struct type t to all, depth first,
// descending into untagged embedded structs not already on the way down. It
// reports whether t has an exported field or a field tagged "-".
func collectFields(t reflect.Type, index []int, prefix string, depth int, onPath map[reflect.Type]bool, all *[]field) bool {
	exported := false
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("starlark")
		if sf.IsExported() {
			exported = true
		}
		if tag == "-" {
			continue
		}
		idx := append(slices.Clip(index), i)
		if sf.Anonymous && tag == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				if !sf.IsExported() {
					continue // cannot be allocated through reflection
				}
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				if !onPath[et] {
					onPath[et] = true
					if collectFields(et, idx, prefix+sf.Name+".", depth+1, onPath, all) {
						exported = true
					}
					delete(onPath, et)
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		name := tag
		if name == "" {
			name = snakeCase(sf.Name)
		}
		*all = append(*all, field{name: name, goName: sf.Name, goPath: prefix + sf.Name, index: idx, depth: depth})
	}
	return exported
}

// snakeCase turns a Go name into a Starlark one: MaxWorkers is max_workers,
// HTTPServer http_server, UserID user_id.
func snakeCase(name string) string {
	rs := []rune(name)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := rs[i-1]
				next := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && next {
					b.WriteByte('_')
				}
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
