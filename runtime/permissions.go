package runtime

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// Permissions are the capabilities a host grants its scripts. The zero
// value grants nothing: no network, no files, no environment, which is the
// embedding default.
type Permissions struct {
	// Net lists the hosts scripts may reach: "example.com" (any port),
	// "example.com:8080", "127.0.0.1", "[::1]:8080". "*" allows any host.
	Net []string
	// Read and Write list the paths scripts may read and write: a granted
	// path allows itself and everything under it. "*" allows any path.
	// Paths are resolved (symlinks, "..") before they are compared, so a
	// granted directory cannot be escaped.
	Read, Write []string
	// Env allows reading environment variables.
	Env bool
	// Policy, if set, decides instead of the lists above: it is called
	// with the kind of access ("net", "read", "write" or "env") and its
	// target (a host:port, an absolute resolved path, a variable name) and
	// returns nil to allow it.
	Policy func(kind, target string) error
	// Hint completes a refusal with how to grant the access, e.g. the
	// command's "run with --allow-net=example.com". Nil gives no hint.
	Hint func(kind, target string) string
}

// A PermissionError reports an access the host has not granted.
type PermissionError struct {
	Fn     string // the builtin that was refused, e.g. "requests.get"
	Kind   string // "net", "read", "write" or "env"
	Target string // the host, path or variable
	Hint   string // how to grant it, if known
	Err    error  // the policy's own error, if a policy refused
}

// Error names the builtin, the refused access and how to grant it.
func (e *PermissionError) Error() string {
	what := map[string]string{
		"net":   "network access to %q",
		"read":  "read access to %q",
		"write": "write access to %q",
		"env":   "access to the environment variable %q",
	}[e.Kind]
	msg := fmt.Sprintf("%s: "+what+" is not allowed", e.Fn, e.Target)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap returns the policy's error.
func (e *PermissionError) Unwrap() error { return e.Err }

// CheckNet allows or refuses a connection by fn to hostport ("host:port").
func (rt *Runtime) CheckNet(fn, hostport string) error {
	p := &rt.opts.Permissions
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ""
	}
	if p.Policy != nil {
		return rt.refusal(fn, "net", hostport, p.Policy("net", hostport))
	}
	for _, grant := range p.Net {
		if grant == "*" {
			return nil
		}
		gHost, gPort, err := net.SplitHostPort(grant)
		if err != nil {
			gHost, gPort = strings.Trim(grant, "[]"), ""
		}
		if strings.EqualFold(gHost, host) && (gPort == "" || gPort == port) {
			return nil
		}
	}
	target := host
	if port != "" && port != "80" && port != "443" {
		target = hostport
	}
	return rt.refusal(fn, "net", target, errDenied)
}

// CheckRead allows or refuses reading path; it returns the resolved path
// that was checked, which the caller should open.
func (rt *Runtime) CheckRead(fn, path string) (string, error) {
	return rt.checkPath(fn, "read", path, rt.opts.Permissions.Read)
}

// CheckWrite allows or refuses writing path (which need not exist yet);
// it returns the resolved path.
func (rt *Runtime) CheckWrite(fn, path string) (string, error) {
	return rt.checkPath(fn, "write", path, rt.opts.Permissions.Write)
}

// CheckEnv allows or refuses reading the environment variable name.
func (rt *Runtime) CheckEnv(fn, name string) error {
	p := &rt.opts.Permissions
	switch {
	case p.Policy != nil:
		return rt.refusal(fn, "env", name, p.Policy("env", name))
	case p.Env:
		return nil
	}
	return rt.refusal(fn, "env", name, errDenied)
}

// errDenied marks a refusal by the permission lists rather than a policy.
var errDenied = errors.New("denied")

func (rt *Runtime) refusal(fn, kind, target string, err error) error {
	if err == nil {
		return nil
	}
	e := &PermissionError{Fn: fn, Kind: kind, Target: target}
	if err != errDenied {
		e.Err = err
	}
	if h := rt.opts.Permissions.Hint; h != nil {
		e.Hint = h(kind, target)
	}
	return e
}

func (rt *Runtime) checkPath(fn, kind, path string, grants []string) (string, error) {
	resolved, err := resolvePath(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", fn, err)
	}
	if p := rt.opts.Permissions.Policy; p != nil {
		return resolved, rt.refusal(fn, kind, resolved, p(kind, resolved))
	}
	for _, grant := range grants {
		if grant == "*" {
			return resolved, nil
		}
		g, err := resolvePath(grant)
		if err != nil {
			continue
		}
		if resolved == g || strings.HasPrefix(resolved, strings.TrimSuffix(g, string(filepath.Separator))+string(filepath.Separator)) {
			return resolved, nil
		}
	}
	return "", rt.refusal(fn, kind, path, errDenied)
}

// resolvePath makes path absolute and resolves its symlinks and "..": the
// longest existing prefix is resolved on disk, the rest lexically, so a
// file that does not exist yet is judged by the directory it would be in.
// A dangling symlink is followed to where it points, so that creating a
// file through it cannot leave a granted directory.
func resolvePath(path string) (string, error) {
	return resolveDepth(path, 0)
}

func resolveDepth(path string, depth int) (string, error) {
	if depth > 40 {
		return "", fmt.Errorf("%s: too many levels of symbolic links", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rest := ""
	dir := abs
	for {
		resolved, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return filepath.Join(resolved, rest), nil
		}
		if !os.IsNotExist(err) {
			return "", err
		}
		if info, lerr := os.Lstat(dir); lerr == nil && info.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(dir)
			if err != nil {
				return "", err
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(dir), target)
			}
			return resolveDepth(filepath.Join(target, rest), depth+1)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = parent
	}
}
