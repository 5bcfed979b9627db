package builtins

import (
	"go.starlark.net/lib/json"
	"go.starlark.net/lib/math"
	"go.starlark.net/starlark"
)

// Predeclared returns the Python builtins that starpool adds to Starlark's
// universe:
//
//	print(*args, sep=" ", end="\n", flush=False) - write the arguments to stdout as one unit
//	pow(base, exp, mod=None) - base to the power exp, optionally modulo mod
//	round(number, ndigits=None) - number rounded to an integer, or to ndigits decimals
//	sum(iterable, start=0) - start plus the sum of the numbers in iterable
//	divmod(a, b) - the pair (a // b, a % b)
//	help(x) - describe x and list its members; help() for an introduction
//	open(file, mode="r", encoding="utf-8") - open a file (modes r, w, a, x, with b for bytes); needs read or write permission
//	progress(iterable, total=None, desc="") - iterate over iterable, drawing a progress bar on stderr: count, rate, elapsed time and estimate
func Predeclared() starlark.StringDict {
	return starlark.StringDict{
		"print":    starlark.NewBuiltin("print", print),
		"pow":      starlark.NewBuiltin("pow", pow),
		"round":    starlark.NewBuiltin("round", round),
		"sum":      starlark.NewBuiltin("sum", sum),
		"divmod":   starlark.NewBuiltin("divmod", divmod),
		"help":     starlark.NewBuiltin("help", help),
		"open":     starlark.NewBuiltin("open", open),
		"progress": starlark.NewBuiltin("progress", progress),
	}
}

// Modules returns the standard modules by the names load() knows them,
// with sys built from argv and version.
func Modules(argv []string, version string) map[string]starlark.StringDict {
	return map[string]starlark.StringDict{
		"concurrent.futures": Futures.Members,
		"time":               Time.Members,
		"os":                 OS.Members,
		"os.path":            OSPath.Members,
		"sys":                Sys(argv, version).Members,
		"math":               math.Module.Members,
		"json":               json.Module.Members,
		"requests":           Requests.Members,
	}
}
