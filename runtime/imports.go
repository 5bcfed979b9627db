package runtime

import (
	"fmt"
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// importModule implements __import__(name, renamed=False), which the source
// layer emits for "import name" (renamed=False: a dotted name binds its top
// package, as in Python) and "import name as alias" (renamed=True: the
// module itself). The same name always gives the same value.
func (rt *Runtime) importModule(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name string
	var renamed bool
	if err := starlark.UnpackPositionalArgs("import", args, kwargs, 1, &name, &renamed); err != nil {
		return nil, err
	}
	if !renamed {
		name, _, _ = strings.Cut(name, ".")
	}
	m := rt.module(name)
	if m == nil {
		//lint:ignore ST1005 this is CPython's message
		return nil, fmt.Errorf("No module named '%s'", name)
	}
	return m, nil
}

// module returns the module or package called name: a package holds the
// modules whose names extend it (concurrent holds concurrent.futures).
func (rt *Runtime) module(name string) *starlarkstruct.Module {
	if m, ok := rt.imported.Load(name); ok {
		return m.(*starlarkstruct.Module)
	}
	members := starlark.StringDict{}
	if own, ok := rt.opts.Modules[name]; ok {
		for k, v := range own {
			members[k] = v
		}
	}
	var subs []string
	for full := range rt.opts.Modules {
		if rest, ok := strings.CutPrefix(full, name+"."); ok {
			sub, _, _ := strings.Cut(rest, ".")
			subs = append(subs, sub)
		}
	}
	if len(members) == 0 && len(subs) == 0 {
		if _, ok := rt.opts.Modules[name]; !ok {
			return nil
		}
	}
	sort.Strings(subs)
	for _, sub := range subs {
		members[sub] = rt.module(name + "." + sub)
	}
	m := &starlarkstruct.Module{Name: name, Members: members}
	m.Freeze()
	actual, _ := rt.imported.LoadOrStore(name, m)
	return actual.(*starlarkstruct.Module)
}
