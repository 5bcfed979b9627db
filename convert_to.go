package starpool

import (
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

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
