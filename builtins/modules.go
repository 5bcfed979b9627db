package builtins

import (
	"go.starlark.net/lib/json"
	"go.starlark.net/lib/math"
	"go.starlark.net/starlark"
)

// Predeclared returns the Python builtins that starpool adds to Starlark's
// universe:
//
//	pow(base, exp, mod=None) - base to the power exp, optionally modulo mod
//	round(number, ndigits=None) - number rounded to an integer, or to ndigits decimals
func Predeclared() starlark.StringDict {
	return starlark.StringDict{
		"pow":   starlark.NewBuiltin("pow", pow),
		"round": starlark.NewBuiltin("round", round),
	}
}

// Modules returns the standard modules by the names load() knows them,
// with sys built from argv and version.
func Modules(argv []string, version string) map[string]starlark.StringDict {
	return map[string]starlark.StringDict{
		"concurrent.futures": Futures.Members,
		"time":               Time.Members,
		"os":                 OS.Members,
		"sys":                Sys(argv, version).Members,
		"math":               math.Module.Members,
		"json":               json.Module.Members,
	}
}
