package runtime_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/starpool/starpool/runtime"
)

// permDir returns a fresh directory with its symbolic links resolved.
func permDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func permRuntime(t *testing.T, p runtime.Permissions) *runtime.Runtime {
	t.Helper()
	rt := runtime.New(runtime.Options{Permissions: p})
	t.Cleanup(func() { rt.Close() })
	return rt
}

// refused checks that err is a refusal of kind for target, with the
// message want.
func refused(t *testing.T, err error, kind, target, want string) {
	t.Helper()
	var pe *runtime.PermissionError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a refusal of %s access to %s", err, kind, target)
	}
	if pe.Kind != kind || pe.Target != target {
		t.Errorf("refused %s %q, want %s %q", pe.Kind, pe.Target, kind, target)
	}
	if err.Error() != want {
		t.Errorf("message %q\nwant    %q", err.Error(), want)
	}
}

func TestPermissionsNothingGranted(t *testing.T) {
	dir := permDir(t)
	rt := permRuntime(t, runtime.Permissions{})
	_, err := rt.CheckRead("open", dir+"/a.txt")
	refused(t, err, "read", dir+"/a.txt", fmt.Sprintf("open: read access to %q is not allowed", dir+"/a.txt"))
	_, err = rt.CheckWrite("open", dir+"/a.txt")
	refused(t, err, "write", dir+"/a.txt", fmt.Sprintf("open: write access to %q is not allowed", dir+"/a.txt"))
	err = rt.CheckEnv("os.getenv", "HOME")
	refused(t, err, "env", "HOME", `os.getenv: access to the environment variable "HOME" is not allowed`)
	err = rt.CheckNet("requests.get", "example.com:443")
	refused(t, err, "net", "example.com", `requests.get: network access to "example.com" is not allowed`)
}

func TestPermissionsEverything(t *testing.T) {
	dir := permDir(t)
	rt := permRuntime(t, runtime.Permissions{Read: []string{"*"}, Write: []string{"*"}, Net: []string{"*"}, Env: true})
	for _, check := range []func(string, string) (string, error){rt.CheckRead, rt.CheckWrite} {
		got, err := check("open", dir+"/sub/../a.txt")
		if err != nil || got != dir+"/a.txt" {
			t.Errorf("got %q, %v; want the resolved path %q", got, err, dir+"/a.txt")
		}
	}
	if err := rt.CheckEnv("os.getenv", "HOME"); err != nil {
		t.Error(err)
	}
	if err := rt.CheckNet("requests.get", "example.com:8080"); err != nil {
		t.Error(err)
	}
}

func TestPermissionsHint(t *testing.T) {
	rt := permRuntime(t, runtime.Permissions{Hint: func(kind, target string) string {
		if kind == "env" {
			return "run with --allow-env"
		}
		return fmt.Sprintf("run with --allow-%s=%s", kind, target)
	}})
	_, err := rt.CheckRead("open", "/etc/passwd")
	refused(t, err, "read", "/etc/passwd", `open: read access to "/etc/passwd" is not allowed; run with --allow-read=/etc/passwd`)
	_, err = rt.CheckWrite("open", "out/x.txt")
	refused(t, err, "write", "out/x.txt", `open: write access to "out/x.txt" is not allowed; run with --allow-write=out/x.txt`)
	err = rt.CheckEnv("os.getenv", "PATH")
	refused(t, err, "env", "PATH", `os.getenv: access to the environment variable "PATH" is not allowed; run with --allow-env`)
	err = rt.CheckNet("requests.get", "example.com:8080")
	refused(t, err, "net", "example.com:8080", `requests.get: network access to "example.com:8080" is not allowed; run with --allow-net=example.com:8080`)
}

// TestPermissionsPaths checks the path grants: a grant allows itself and
// what is under it, after symbolic links and ".." are resolved on both
// sides, so no path can escape a granted directory.
func TestPermissionsPaths(t *testing.T) {
	root := permDir(t)
	granted, outside, second := root+"/granted", root+"/outside", root+"/second"
	for _, d := range []string{granted, granted + "/sub", outside, second} {
		if err := os.Mkdir(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{granted + "/a.txt", outside + "/secret.txt", second + "/b.txt"} {
		if err := os.WriteFile(f, []byte("x"), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	links := [][2]string{
		{outside, granted + "/out"},                  // a directory link leading out
		{outside + "/secret.txt", granted + "/leak"}, // a file link leading out
		{granted + "/a.txt", granted + "/same"},      // a link staying inside
		{granted, root + "/alias"},                   // a link to the granted directory
		{"../../outside", granted + "/sub/rel"},      // a relative link leading out
	}
	for _, l := range links {
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}

	for _, tc := range []struct {
		name   string
		grants []string
		path   string
		want   string // the resolved path; "" if refused
	}{
		{"the granted dir", []string{granted}, granted, granted},
		{"a file in it", []string{granted}, granted + "/a.txt", granted + "/a.txt"},
		{"a file that does not exist yet", []string{granted}, granted + "/new.txt", granted + "/new.txt"},
		{"in a dir that does not exist yet", []string{granted}, granted + "/new/deeper/x.txt", granted + "/new/deeper/x.txt"},
		{"a grant with a trailing slash", []string{granted + "/"}, granted + "/a.txt", granted + "/a.txt"},
		{"a granted file", []string{granted + "/a.txt"}, granted + "/a.txt", granted + "/a.txt"},
		{"beside a granted file", []string{granted + "/a.txt"}, granted + "/b.txt", ""},
		{"a sibling with the grant as prefix", []string{root + "/gran"}, granted + "/a.txt", ""},
		{"the parent", []string{granted}, root, ""},
		{"dot-dot out", []string{granted}, granted + "/../outside/secret.txt", ""},
		{"dot-dot out of a missing dir", []string{granted}, granted + "/nosuch/../../outside/x", ""},
		{"dot-dot staying in", []string{granted}, granted + "/sub/../a.txt", granted + "/a.txt"},
		{"a dir link out", []string{granted}, granted + "/out/secret.txt", ""},
		{"a new file through a dir link out", []string{granted}, granted + "/out/new.txt", ""},
		{"a file link out", []string{granted}, granted + "/leak", ""},
		{"a relative link out", []string{granted}, granted + "/sub/rel/secret.txt", ""},
		{"a link staying in", []string{granted}, granted + "/same", granted + "/a.txt"},
		{"through a link to the granted dir", []string{granted}, root + "/alias/a.txt", granted + "/a.txt"},
		{"a granted link", []string{root + "/alias"}, granted + "/a.txt", granted + "/a.txt"},
		{"a granted link, through it", []string{root + "/alias"}, root + "/alias/new.txt", granted + "/new.txt"},
		{"a granted link, dot-dot out of it", []string{root + "/alias"}, root + "/alias/../outside/secret.txt", ""},
		{"the first of several grants", []string{granted, second}, granted + "/a.txt", granted + "/a.txt"},
		{"the second of several grants", []string{root + "/nosuch", granted, second}, second + "/b.txt", second + "/b.txt"},
		{"none of several grants", []string{granted, second}, outside + "/secret.txt", ""},
		{"no grants", nil, granted + "/a.txt", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, kind := range []string{"read", "write"} {
				p := runtime.Permissions{Read: tc.grants}
				check := (*runtime.Runtime).CheckRead
				if kind == "write" {
					p = runtime.Permissions{Write: tc.grants}
					check = (*runtime.Runtime).CheckWrite
				}
				got, err := check(permRuntime(t, p), "open", tc.path)
				if tc.want == "" {
					refused(t, err, kind, tc.path, fmt.Sprintf("open: %s access to %q is not allowed", kind, tc.path))
					if got != "" {
						t.Errorf("%s: a refusal returned the path %q", kind, got)
					}
				} else if err != nil || got != tc.want {
					t.Errorf("%s: got %q, %v; want %q", kind, got, err, tc.want)
				}
			}
		})
	}
	// Read and write are separate grants.
	rt := permRuntime(t, runtime.Permissions{Read: []string{granted}})
	if _, err := rt.CheckWrite("open", granted+"/a.txt"); err == nil {
		t.Error("a read grant allowed writing")
	}
	rt = permRuntime(t, runtime.Permissions{Write: []string{granted}})
	if _, err := rt.CheckRead("open", granted+"/a.txt"); err == nil {
		t.Error("a write grant allowed reading")
	}
}

func TestPermissionsRelative(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	wd, err = filepath.EvalSymlinks(wd)
	if err != nil {
		t.Fatal(err)
	}
	rt := permRuntime(t, runtime.Permissions{Read: []string{"."}})
	got, err := rt.CheckRead("open", "testdata/x.star")
	if err != nil || got != filepath.Join(wd, "testdata/x.star") {
		t.Errorf("got %q, %v", got, err)
	}
	_, err = rt.CheckRead("open", "../go.mod")
	refused(t, err, "read", "../go.mod", `open: read access to "../go.mod" is not allowed`)
}

func TestPermissionsPolicy(t *testing.T) {
	dir := permDir(t)
	var asked []string
	rt := permRuntime(t, runtime.Permissions{
		Read: []string{"*"}, Env: true, // the policy decides instead
		Policy: func(kind, target string) error {
			asked = append(asked, kind+" "+target)
			if target == "PATH" || target == dir+"/ok.txt" {
				return nil
			}
			return errors.New("the policy says no")
		},
	})
	if got, err := rt.CheckRead("open", dir+"/sub/../ok.txt"); err != nil || got != dir+"/ok.txt" {
		t.Errorf("got %q, %v", got, err)
	}
	_, err := rt.CheckRead("open", dir+"/no.txt")
	refused(t, err, "read", dir+"/no.txt", fmt.Sprintf("open: read access to %q is not allowed: the policy says no", dir+"/no.txt"))
	if !errors.Is(err, errors.Unwrap(err)) || errors.Unwrap(err).Error() != "the policy says no" {
		t.Errorf("the refusal does not wrap the policy's error: %v", errors.Unwrap(err))
	}
	if err := rt.CheckEnv("os.getenv", "PATH"); err != nil {
		t.Error(err)
	}
	err = rt.CheckEnv("os.getenv", "HOME")
	refused(t, err, "env", "HOME", `os.getenv: access to the environment variable "HOME" is not allowed: the policy says no`)
	err = rt.CheckNet("requests.get", "example.com:443")
	refused(t, err, "net", "example.com:443", `requests.get: network access to "example.com:443" is not allowed: the policy says no`)
	want := []string{"read " + dir + "/ok.txt", "read " + dir + "/no.txt", "env PATH", "env HOME", "net example.com:443"}
	if fmt.Sprint(asked) != fmt.Sprint(want) {
		t.Errorf("the policy was asked %q\nwant %q", asked, want)
	}
}

func TestPermissionsNet(t *testing.T) {
	rt := permRuntime(t, runtime.Permissions{Net: []string{"example.com", "api.example.org:8443", "127.0.0.1", "[::1]:9000"}})
	for _, hostport := range []string{"example.com:443", "EXAMPLE.com:80", "example.com:1234", "api.example.org:8443", "127.0.0.1:5000", "[::1]:9000"} {
		if err := rt.CheckNet("requests.get", hostport); err != nil {
			t.Errorf("%s: %v", hostport, err)
		}
	}
	for hostport, target := range map[string]string{
		"example.org:443":      "example.org",
		"api.example.org:443":  "api.example.org",
		"api.example.org:8080": "api.example.org:8080",
		"sub.example.com:80":   "sub.example.com",
		"[::1]:9001":           "[::1]:9001",
	} {
		err := rt.CheckNet("requests.get", hostport)
		refused(t, err, "net", target, fmt.Sprintf("requests.get: network access to %q is not allowed", target))
	}
}

// TestDanglingSymlinkEscape checks that a dangling symlink inside a granted
// directory that points outside it is judged by its target.
func TestDanglingSymlinkEscape(t *testing.T) {
	granted, outside := t.TempDir(), t.TempDir()
	link := filepath.Join(granted, "link")
	if err := os.Symlink(filepath.Join(outside, "new.txt"), link); err != nil {
		t.Skip(err)
	}
	rt := runtime.New(runtime.Options{Permissions: runtime.Permissions{Write: []string{granted}}})
	defer rt.Close()
	if _, err := rt.CheckWrite("open", link); err == nil {
		t.Errorf("CheckWrite through a dangling symlink to %s: got no error; want a refusal", outside)
	}
	inside := filepath.Join(granted, "inside")
	if err := os.Symlink(filepath.Join(granted, "target.txt"), inside); err != nil {
		t.Fatal(err)
	}
	if got, err := rt.CheckWrite("open", inside); err != nil || got != filepath.Join(granted, "target.txt") {
		t.Errorf("CheckWrite through a dangling symlink inside: got %q, %v; want the target", got, err)
	}
}
