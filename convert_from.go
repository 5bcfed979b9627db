package starpool

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"time"

	"go.starlark.net/starlark"
)

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
