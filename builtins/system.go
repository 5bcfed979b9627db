package builtins

import (
	goruntime "runtime"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// OS is the module os:
//
//	cpu_count() - the number of logical CPUs
var OS = &starlarkstruct.Module{
	Name: "os",
	Members: starlark.StringDict{
		"cpu_count": starlark.NewBuiltin("cpu_count", cpuCount),
	},
}

func cpuCount(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := noArgs(b, args, kwargs); err != nil {
		return nil, err
	}
	return starlark.MakeInt(goruntime.NumCPU()), nil
}

// Sys returns the module sys for a script run with the command-line
// arguments argv (argv[0] is the script):
//
//	argv - the command-line arguments, a list of strings
//	version - starpool's version
func Sys(argv []string, version string) *starlarkstruct.Module {
	list := make([]starlark.Value, len(argv))
	for i, a := range argv {
		list[i] = starlark.String(a)
	}
	return &starlarkstruct.Module{
		Name: "sys",
		Members: starlark.StringDict{
			"argv":    starlark.NewList(list),
			"version": starlark.String(version),
		},
	}
}
