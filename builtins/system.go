package builtins

import (
	"os"
	goruntime "runtime"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/starpool/starpool/runtime"
)

// OS is the module os. Reading a directory needs read permission for it,
// and getenv needs permission to read the environment:
//
//	cpu_count() - the number of logical CPUs
//	listdir(path=".") - the names of the entries of the directory path, sorted
//	getenv(key, default=None) - the value of the environment variable key, or default if it is not set
//	path - the module os.path
var OS = &starlarkstruct.Module{
	Name: "os",
	Members: starlark.StringDict{
		"cpu_count": starlark.NewBuiltin("cpu_count", cpuCount),
		"listdir":   starlark.NewBuiltin("listdir", listdir),
		"getenv":    starlark.NewBuiltin("getenv", getenv),
		"path":      OSPath,
	},
}

// OSPath is the module os.path, with POSIX paths. exists needs read
// permission for the path; the others only compute on strings:
//
//	exists(path) - whether path names an existing file or directory
//	join(*paths) - the paths joined with "/"; an absolute path discards those before it
//	basename(p) - the final component of p, after its last "/"
//	dirname(p) - p without its final component
var OSPath = &starlarkstruct.Module{
	Name: "os.path",
	Members: starlark.StringDict{
		"exists":   starlark.NewBuiltin("exists", pathExists),
		"join":     starlark.NewBuiltin("join", pathJoin),
		"basename": starlark.NewBuiltin("basename", pathBasename),
		"dirname":  starlark.NewBuiltin("dirname", pathDirname),
	},
}

func cpuCount(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := noArgs(b, args, kwargs); err != nil {
		return nil, err
	}
	return starlark.MakeInt(goruntime.NumCPU()), nil
}

// runtimeOf returns the runtime of thread, for a builtin fn that needs
// its permissions.
func runtimeOf(thread *starlark.Thread, fn string) (*runtime.Runtime, error) {
	if rt := runtime.Of(thread); rt != nil {
		return rt, nil
	}
	return nil, pyError(fn, "PermissionError", "not allowed outside a starpool script")
}

func listdir(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	const fn = "os.listdir"
	path := "."
	if err := starlark.UnpackArgs(fn, args, kwargs, "path?", &path); err != nil {
		return nil, err
	}
	rt, err := runtimeOf(thread, fn)
	if err != nil {
		return nil, err
	}
	resolved, err := rt.CheckRead(fn, path)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(resolved)
	if err != nil {
		return nil, osError(fn, path, err)
	}
	names := make([]starlark.Value, len(entries))
	for i, e := range entries {
		names[i] = starlark.String(e.Name())
	}
	return starlark.NewList(names), nil
}

func getenv(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	const fn = "os.getenv"
	var key string
	var def starlark.Value = starlark.None
	if err := starlark.UnpackArgs(fn, args, kwargs, "key", &key, "default?", &def); err != nil {
		return nil, err
	}
	rt, err := runtimeOf(thread, fn)
	if err != nil {
		return nil, err
	}
	if err := rt.CheckEnv(fn, key); err != nil {
		return nil, err
	}
	if v, ok := os.LookupEnv(key); ok {
		return starlark.String(v), nil
	}
	return def, nil
}

func pathExists(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	const fn = "os.path.exists"
	var path string
	if err := starlark.UnpackArgs(fn, args, kwargs, "path", &path); err != nil {
		return nil, err
	}
	rt, err := runtimeOf(thread, fn)
	if err != nil {
		return nil, err
	}
	resolved, err := rt.CheckRead(fn, path)
	if err != nil {
		return nil, err
	}
	_, err = os.Stat(resolved)
	return starlark.Bool(err == nil), nil
}

// pathArgs unpacks the string arguments of the function b of os.path,
// whose first parameter is param.
func pathArgs(fn string, b *starlark.Builtin, param string, args starlark.Tuple, kwargs []starlark.Tuple) ([]string, error) {
	if len(kwargs) > 0 {
		return nil, pyError(fn, "TypeError", "%s() got an unexpected keyword argument '%s'", b.Name(), kwargs[0][0].(starlark.String).GoString())
	}
	if len(args) == 0 {
		return nil, pyError(fn, "TypeError", "%s() missing 1 required positional argument: '%s'", b.Name(), param)
	}
	paths := make([]string, len(args))
	for i, a := range args {
		s, ok := a.(starlark.String)
		if !ok {
			return nil, pyError(fn, "TypeError", "expected str, bytes or os.PathLike object, not %s", a.Type())
		}
		paths[i] = string(s)
	}
	return paths, nil
}

// pathJoin implements os.path.join as posixpath.join does.
func pathJoin(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	paths, err := pathArgs("os.path.join", b, "a", args, kwargs)
	if err != nil {
		return nil, err
	}
	joined := paths[0]
	for _, p := range paths[1:] {
		switch {
		case strings.HasPrefix(p, "/"):
			joined = p
		case joined == "" || strings.HasSuffix(joined, "/"):
			joined += p
		default:
			joined += "/" + p
		}
	}
	return starlark.String(joined), nil
}

// pathBasename implements os.path.basename as posixpath.basename does.
func pathBasename(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	p, err := onePath("os.path.basename", b, args, kwargs)
	if err != nil {
		return nil, err
	}
	return starlark.String(p[strings.LastIndex(p, "/")+1:]), nil
}

// pathDirname implements os.path.dirname as posixpath.dirname does: the
// trailing slashes of the head go, unless it is all slashes.
func pathDirname(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	p, err := onePath("os.path.dirname", b, args, kwargs)
	if err != nil {
		return nil, err
	}
	head := p[:strings.LastIndex(p, "/")+1]
	if strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return starlark.String(head), nil
}

func onePath(fn string, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (string, error) {
	if len(args) > 1 {
		return "", pyError(fn, "TypeError", "%s() takes 1 positional argument but %d were given", b.Name(), len(args))
	}
	paths, err := pathArgs(fn, b, "p", args, kwargs)
	if err != nil {
		return "", err
	}
	return paths[0], nil
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
