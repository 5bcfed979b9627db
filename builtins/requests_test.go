package builtins_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/starpool/starpool"
	"github.com/starpool/starpool/runtime"
)

// testServer answers the requests tests on loopback.
func testServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", "yes")
		json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck // a test server
			"method":       r.Method,
			"query":        r.URL.RawQuery,
			"body":         string(body),
			"content_type": r.Header.Get("Content-Type"),
			"agent":        r.Header.Get("X-Agent"),
		})
	})
	mux.HandleFunc("/delay", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		fmt.Fprintf(w, "slept %d", ms)
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		w.WriteHeader(code)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/echo?from=redirect", http.StatusFound)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 1<<20)) //nolint:errcheck // a test server
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// runRequests runs a Python-flavored script with network access to the
// test server, and returns its output and error.
func runRequests(t *testing.T, ctx context.Context, srv *httptest.Server, perms starpool.Permissions, src string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	rt := starpool.New(starpool.Options{
		Stdout:      &out,
		Stderr:      &out,
		Permissions: perms,
		Predeclared: starlark.StringDict{"BASE": starlark.String(srv.URL)},
		HTTP:        starpool.HTTPOptions{MaxBodySize: 512 << 10, Timeout: 5 * time.Second},
	})
	defer rt.Close()
	_, err := rt.ExecFile(ctx, "test.py", "import requests\n"+src)
	return out.String(), err
}

func loopback(srv *httptest.Server) starpool.Permissions {
	host, _, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	return starpool.Permissions{Net: []string{host}}
}

func TestRequests(t *testing.T) {
	srv := testServer(t)
	tests := []struct {
		name, src, want string
	}{
		{"get", `
r = requests.get(BASE + "/echo", params={"q": "a b", "n": 1}, headers={"X-Agent": "starpool"})
d = r.json()
print(r.status_code, r.ok, d["method"], d["query"], d["agent"], r.headers["x-echo"], r.headers.get("X-ECHO"), "x-echo" in r.headers)
print(type(r.content), r.url == BASE + "/echo?n=1&q=a+b", r.elapsed >= 0, r.reason)
`, "200 True GET n=1&q=a+b starpool yes yes True\nbytes True True OK\n"},
		{"post json", `
d = requests.post(BASE + "/echo", json={"a": [1, 2]}).json()
print(d["method"], d["body"], d["content_type"])
`, "POST {\"a\":[1,2]} application/json\n"},
		{"post form", `
d = requests.post(BASE + "/echo", data={"a": "1", "b": "x y"}).json()
print(d["body"], d["content_type"])
`, "a=1&b=x+y application/x-www-form-urlencoded\n"},
		{"other methods", `
print([requests.request(m, BASE + "/echo").json()["method"] for m in ["put", "PATCH", "delete"]])
print(requests.put(BASE + "/echo", data="raw").json()["body"], requests.head(BASE + "/echo").status_code)
`, "['PUT', 'PATCH', 'DELETE']\nraw 200\n"},
		{"redirects", `
r = requests.get(BASE + "/redirect")
print(r.status_code, r.json()["query"], r.url.endswith("/echo?from=redirect"))
r = requests.get(BASE + "/redirect", allow_redirects=False)
print(r.status_code, r.headers["Location"])
`, "200 from=redirect True\n302 /echo?from=redirect\n"},
		{"status", `
r = requests.get(BASE + "/status/404")
print(r.status_code, r.ok, bool(r))
`, "404 False False\n"},
		{"concurrent", `
from concurrent.futures import ThreadPoolExecutor
def fetch(ms):
    return requests.get(BASE + "/delay", params={"ms": ms}).text
with ThreadPoolExecutor(max_workers=20) as pool:
    print(sorted(set(pool.map(fetch, [20] * 40))))
`, "['slept 20']\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runRequests(t, context.Background(), srv, loopback(srv), tt.src)
			if err != nil {
				t.Fatalf("script failed: %s\n%s", starpool.Backtrace(err), out)
			}
			if out != tt.want {
				t.Errorf("output: got %q; want %q", out, tt.want)
			}
		})
	}
}

func TestRequestErrors(t *testing.T) {
	srv := testServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name  string
		perms starpool.Permissions
		src   string
		want  string
	}{
		{"404", loopback(srv), `requests.get(BASE + "/status/404").raise_for_status()`,
			"raise_for_status: HTTPError: 404 Client Error: Not Found for url: " + srv.URL + "/status/404"},
		{"500", loopback(srv), `requests.get(BASE + "/status/500").raise_for_status()`,
			"raise_for_status: HTTPError: 500 Server Error: Internal Server Error for url: " + srv.URL + "/status/500"},
		{"timeout", loopback(srv), `requests.get(BASE + "/hang", timeout=0.1)`,
			"requests.get: Timeout: " + srv.URL + "/hang did not answer within 100ms"},
		{"body limit", loopback(srv), `requests.get(BASE + "/big")`,
			"response body too large: more than 524288 bytes, reading " + srv.URL + "/big"},
		{"refused", starpool.Permissions{}, `requests.get(BASE + "/echo")`,
			`requests.get: network access to "` + host + `" is not allowed`},
		{"other port refused", starpool.Permissions{Net: []string{"127.0.0.1:1"}}, `requests.get(BASE + "/echo")`,
			`requests.get: network access to "` + host + `" is not allowed`},
		{"port granted", starpool.Permissions{Net: []string{host}}, `print(requests.get(BASE + "/echo").status_code)
fail("granted")`, "granted"},
		{"scheme", loopback(srv), `requests.get("ftp://example.com/")`,
			`requests.get: InvalidSchema: No connection adapters were found for "ftp://example.com/"`},
		{"bad json", loopback(srv), `requests.get(BASE + "/delay").json()`, "json: JSONDecodeError"},
		{"data and json", loopback(srv), `requests.post(BASE + "/echo", data="a", json=1)`, "give data or json, not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runRequests(t, context.Background(), srv, tt.perms, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error: got %v (output %q); want one containing %q", err, out, tt.want)
			}
		})
	}
}

// TestRequestCancelled checks that cancelling the script aborts a request
// to a server that never answers.
func TestRequestCancelled(t *testing.T) {
	srv := testServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := runRequests(t, ctx, srv, loopback(srv), `requests.get(BASE + "/hang", timeout=60)`)
	var ce *runtime.CancelError
	if !errors.As(err, &ce) {
		t.Fatalf("error: got %v; want a cancellation", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("cancelled request returned after %v", took)
	}
}
