package starpool

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
)

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
