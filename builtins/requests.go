package builtins

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"go.starlark.net/lib/json"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/starpool/starpool/runtime"
)

// Requests is the module requests, the familiar subset of Python's
// requests library, on one shared HTTP client per runtime:
//
//	get(url, params=None, **kwargs) - send a GET request; returns a Response
//	post(url, data=None, json=None, **kwargs) - send a POST request
//	put(url, data=None, **kwargs) - send a PUT request
//	patch(url, data=None, **kwargs) - send a PATCH request
//	delete(url, **kwargs) - send a DELETE request
//	head(url, **kwargs) - send a HEAD request (no redirects unless allow_redirects=True)
//	request(method, url, params=None, headers=None, data=None, json=None, timeout=None, allow_redirects=True) - send a request
//
// A request needs network permission for its host and each redirect's. The
// timeout defaults to the runtime's (30 s), never to waiting forever; a
// cancelled script aborts its requests in flight.
var Requests = &starlarkstruct.Module{
	Name: "requests",
	Members: starlark.StringDict{
		"get":     starlark.NewBuiltin("requests.get", method("GET")),
		"post":    starlark.NewBuiltin("requests.post", method("POST")),
		"put":     starlark.NewBuiltin("requests.put", method("PUT")),
		"patch":   starlark.NewBuiltin("requests.patch", method("PATCH")),
		"delete":  starlark.NewBuiltin("requests.delete", method("DELETE")),
		"head":    starlark.NewBuiltin("requests.head", method("HEAD")),
		"request": starlark.NewBuiltin("requests.request", method("")),
	},
}

// method returns the builtin for one HTTP method ("" takes it as the first
// argument, as requests.request does).
func method(name string) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		m := name
		var (
			rawURL                      string
			params, headers, data, body starlark.Value = starlark.None, starlark.None, starlark.None, starlark.None
			timeout                     starlark.Value = starlark.None
			allowRedirects                             = name != "HEAD"
		)
		pairs := []any{"url", &rawURL, "params?", &params, "headers?", &headers, "data?", &data,
			"json?", &body, "timeout?", &timeout, "allow_redirects?", &allowRedirects}
		if name == "" {
			pairs = append([]any{"method", &m}, pairs...)
		}
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, pairs...); err != nil {
			return nil, err
		}
		req := runtime.HTTPRequest{Method: strings.ToUpper(m), Header: http.Header{}, AllowRedirects: allowRedirects}
		var err error
		if req.URL, err = withParams(b.Name(), rawURL, params); err != nil {
			return nil, err
		}
		if err := setHeaders(b.Name(), req.Header, headers); err != nil {
			return nil, err
		}
		if req.Body, err = requestBody(thread, b.Name(), req.Header, data, body); err != nil {
			return nil, err
		}
		if timeout != starlark.None {
			d, err := seconds(b.Name(), "timeout", timeout)
			if err != nil {
				return nil, err
			}
			if d <= 0 {
				return nil, pyError(b.Name(), "ValueError", "timeout must be greater than 0, or None for the default")
			}
			req.Timeout = d
		}
		rt := runtime.Of(thread)
		if rt == nil {
			return nil, fmt.Errorf("%s: not called from a starpool script", b.Name())
		}
		resp, err := rt.Fetch(thread, b.Name(), req)
		if err != nil {
			if _, ok := err.(*runtime.Exception); ok {
				return nil, fmt.Errorf("%s: %w", b.Name(), err)
			}
			return nil, err
		}
		return &response{r: resp}, nil
	}
}

// withParams appends a dict of query parameters to a URL.
func withParams(fn, rawURL string, params starlark.Value) (string, error) {
	if params == starlark.None {
		return rawURL, nil
	}
	d, ok := params.(*starlark.Dict)
	if !ok {
		return "", fmt.Errorf("%s: for parameter params: got %s, want dict", fn, params.Type())
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", pyError(fn, "InvalidURL", "Invalid URL %q: %v", rawURL, err)
	}
	q := u.Query()
	for _, kv := range d.Items() {
		q.Add(text(kv[0]), text(kv[1]))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func setHeaders(fn string, h http.Header, headers starlark.Value) error {
	if headers == starlark.None {
		return nil
	}
	d, ok := headers.(*starlark.Dict)
	if !ok {
		return fmt.Errorf("%s: for parameter headers: got %s, want dict", fn, headers.Type())
	}
	for _, kv := range d.Items() {
		h.Set(text(kv[0]), text(kv[1]))
	}
	return nil
}

// requestBody encodes data (a dict as a form, or a string or bytes as is)
// or json (any JSON-encodable value), setting the Content-Type.
func requestBody(thread *starlark.Thread, fn string, h http.Header, data, body starlark.Value) ([]byte, error) {
	switch {
	case data != starlark.None && body != starlark.None:
		return nil, fmt.Errorf("%s: give data or json, not both", fn)
	case body != starlark.None:
		encoded, err := starlark.Call(thread, json.Module.Members["encode"], starlark.Tuple{body}, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: json: %w", fn, err)
		}
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
		return []byte(encoded.(starlark.String)), nil
	}
	switch d := data.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.String:
		return []byte(d), nil
	case starlark.Bytes:
		return []byte(d), nil
	case *starlark.Dict:
		form := url.Values{}
		for _, kv := range d.Items() {
			form.Add(text(kv[0]), text(kv[1]))
		}
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return []byte(form.Encode()), nil
	}
	return nil, fmt.Errorf("%s: for parameter data: got %s, want dict, string or bytes", fn, data.Type())
}

// text is a value as a string: a string as is, anything else as str().
func text(v starlark.Value) string {
	if s, ok := starlark.AsString(v); ok {
		return s
	}
	return v.String()
}

// response is a Response, read whole and immutable, so tasks may share it.
type response struct{ r *runtime.HTTPResponse }

var _ starlark.HasAttrs = (*response)(nil)

func (r *response) String() string        { return fmt.Sprintf("<Response [%d]>", r.r.StatusCode) }
func (r *response) Type() string          { return "Response" }
func (r *response) Freeze()               {}
func (r *response) Truth() starlark.Bool  { return r.ok() }
func (r *response) Hash() (uint32, error) { return 0, errUnhashable("Response") }

func (r *response) ok() starlark.Bool { return r.r.StatusCode < 400 }

// responseAttrs are the attributes and methods of a Response:
//
//	status_code - the HTTP status, an int
//	ok - whether the status is below 400
//	reason - the status text, such as "Not Found"
//	text - the body as a string
//	content - the body as bytes
//	json() - the body decoded as JSON
//	headers - the response headers, looked up without regard to case
//	url - the final URL, after redirects
//	elapsed - seconds from sending the request to reading the body
//	raise_for_status() - fail with HTTPError if the status is 400 or more
var responseAttrs = []string{"content", "elapsed", "headers", "json", "ok", "raise_for_status", "reason", "status_code", "text", "url"}

// Attr returns an attribute of the response.
func (r *response) Attr(name string) (starlark.Value, error) {
	switch name {
	case "status_code":
		return starlark.MakeInt(r.r.StatusCode), nil
	case "ok":
		return r.ok(), nil
	case "reason":
		_, reason, _ := strings.Cut(r.r.Status, " ")
		return starlark.String(reason), nil
	case "text":
		return starlark.String(r.r.Body), nil
	case "content":
		return starlark.Bytes(r.r.Body), nil
	case "url":
		return starlark.String(r.r.URL), nil
	case "elapsed":
		return starlark.Float(r.r.Elapsed.Seconds()), nil
	case "headers":
		return headerMap(r.r.Header), nil
	case "json":
		return starlark.NewBuiltin("json", r.json).BindReceiver(r), nil
	case "raise_for_status":
		return starlark.NewBuiltin("raise_for_status", r.raiseForStatus).BindReceiver(r), nil
	}
	return nil, nil
}

// AttrNames lists the attributes.
func (r *response) AttrNames() []string { return responseAttrs }

func (r *response) json(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := noArgs(b, args, kwargs); err != nil {
		return nil, err
	}
	v, err := starlark.Call(thread, json.Module.Members["decode"], starlark.Tuple{starlark.String(r.r.Body)}, nil)
	if err != nil {
		return nil, pyError(b.Name(), "JSONDecodeError", "%v", err)
	}
	return v, nil
}

func (r *response) raiseForStatus(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := noArgs(b, args, kwargs); err != nil {
		return nil, err
	}
	code := r.r.StatusCode
	if code < 400 {
		return starlark.None, nil
	}
	kind := "Client"
	if code >= 500 {
		kind = "Server"
	}
	_, reason, _ := strings.Cut(r.r.Status, " ")
	return nil, pyError(b.Name(), "HTTPError", "%d %s Error: %s for url: %s", code, kind, reason, r.r.URL)
}

// headerMap is a response's headers: a mapping whose lookups ignore case,
// as in requests.
type headerMap http.Header

var _ starlark.IterableMapping = headerMap(nil)

func (h headerMap) String() string {
	var parts []string
	for _, k := range h.keys() {
		parts = append(parts, fmt.Sprintf("%q: %q", k, http.Header(h).Get(k)))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
func (h headerMap) Type() string          { return "headers" }
func (h headerMap) Freeze()               {}
func (h headerMap) Truth() starlark.Bool  { return len(h) > 0 }
func (h headerMap) Hash() (uint32, error) { return 0, errUnhashable("headers") }

// Get looks a header up, whatever its case; several values are joined with
// ", " as in requests.
func (h headerMap) Get(k starlark.Value) (starlark.Value, bool, error) {
	name, ok := starlark.AsString(k)
	if !ok {
		return nil, false, nil
	}
	values := http.Header(h).Values(name)
	if len(values) == 0 {
		return nil, false, nil
	}
	return starlark.String(strings.Join(values, ", ")), true, nil
}

func (h headerMap) keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Iterate yields the header names.
func (h headerMap) Iterate() starlark.Iterator {
	var names starlark.Tuple
	for _, k := range h.keys() {
		names = append(names, starlark.String(k))
	}
	return names.Iterate()
}

// Items returns the (name, value) pairs.
func (h headerMap) Items() []starlark.Tuple {
	var items []starlark.Tuple
	for _, k := range h.keys() {
		items = append(items, starlark.Tuple{starlark.String(k), starlark.String(strings.Join(h[k], ", "))})
	}
	return items
}

// Attr offers get(name, default=None), keys(), values() and items(), as a
// dict does.
func (h headerMap) Attr(name string) (starlark.Value, error) {
	switch name {
	case "get":
		return starlark.NewBuiltin("get", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			var key string
			var dflt starlark.Value = starlark.None
			if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &key, &dflt); err != nil {
				return nil, err
			}
			if v, ok, _ := h.Get(starlark.String(key)); ok {
				return v, nil
			}
			return dflt, nil
		}), nil
	case "keys", "values", "items":
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := noArgs(b, args, kwargs); err != nil {
				return nil, err
			}
			var out []starlark.Value
			for _, kv := range h.Items() {
				switch name {
				case "keys":
					out = append(out, kv[0])
				case "values":
					out = append(out, kv[1])
				default:
					out = append(out, kv)
				}
			}
			return starlark.NewList(out), nil
		}), nil
	}
	return nil, nil
}

// AttrNames lists the dict-like methods.
func (h headerMap) AttrNames() []string { return []string{"get", "items", "keys", "values"} }
