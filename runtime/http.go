package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"go.starlark.net/starlark"
)

// HTTPOptions configure the runtime's HTTP client, shared by all of its
// scripts and tasks.
type HTTPOptions struct {
	// Timeout is the default time a request may take, connection and body
	// included, when the script gives none. Zero means 30 seconds: unlike
	// Python's requests, a request never waits forever by default.
	Timeout time.Duration
	// MaxBodySize is the largest response body a request reads. Zero means
	// 64 MiB.
	MaxBodySize int64
}

const (
	defaultHTTPTimeout = 30 * time.Second
	defaultMaxBody     = 64 << 20
)

// An HTTPRequest is a request a script makes.
type HTTPRequest struct {
	Method         string
	URL            string
	Header         http.Header
	Body           []byte
	Timeout        time.Duration // zero: the runtime's default
	AllowRedirects bool
}

// An HTTPResponse is a response read whole.
type HTTPResponse struct {
	StatusCode int
	Status     string // "404 Not Found"
	Header     http.Header
	Body       []byte
	URL        string        // the final URL, after redirects
	Elapsed    time.Duration // from sending the request to reading the body
}

// httpClient returns the runtime's client, made on first use: connections
// are reused across tasks, with enough idle connections per host for a
// pool's workers.
func (rt *Runtime) httpClient() *http.Client {
	rt.httpOnce.Do(func() {
		transport := &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
			ForceAttemptHTTP2:   true,
		}
		rt.transport = transport
		rt.client = &http.Client{Transport: transport}
	})
	return rt.client
}

// Fetch performs req for the builtin fn, called by thread: it checks the
// network permission for the URL and for every redirect, applies the
// timeout and the body limit, and returns when the response has been read,
// the timeout passes, or the thread is cancelled.
func (rt *Runtime) Fetch(thread *starlark.Thread, fn string, req HTTPRequest) (*HTTPResponse, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, &Exception{Class: "InvalidURL", Msg: fmt.Sprintf("Invalid URL %q: %v", req.URL, err)}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &Exception{Class: "InvalidSchema", Msg: fmt.Sprintf("No connection adapters were found for %q", req.URL)}
	}
	if u.Host == "" {
		return nil, &Exception{Class: "InvalidURL", Msg: fmt.Sprintf("Invalid URL %q: No host supplied", req.URL)}
	}
	if err := rt.CheckNet(fn, hostPort(u)); err != nil {
		return nil, err
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = rt.opts.HTTP.Timeout
	}
	if timeout <= 0 {
		timeout = defaultHTTPTimeout
	}
	ctx, cancel := context.WithTimeoutCause(Context(thread), timeout, errRequestTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u.String(), bytes.NewReader(req.Body))
	if err != nil {
		return nil, &Exception{Class: "InvalidURL", Msg: err.Error()}
	}
	for k, vs := range req.Header {
		hreq.Header[k] = vs
	}
	client := *rt.httpClient()
	client.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if !req.AllowRedirects {
			return http.ErrUseLastResponse
		}
		if len(via) >= 30 {
			return &Exception{Class: "TooManyRedirects", Msg: "Exceeded 30 redirects."}
		}
		return rt.CheckNet(fn, hostPort(next.URL))
	}
	start := time.Now()
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, rt.fetchError(ctx, thread, req.URL, timeout, err)
	}
	defer resp.Body.Close()
	limit := rt.opts.HTTP.MaxBodySize
	if limit <= 0 {
		limit = defaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, rt.fetchError(ctx, thread, req.URL, timeout, err)
	}
	if int64(len(body)) > limit {
		return nil, &LimitError{Limit: "response body", Value: fmt.Sprintf("%d bytes, reading %s", limit, req.URL)}
	}
	return &HTTPResponse{
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Header:     resp.Header,
		Body:       body,
		URL:        resp.Request.URL.String(),
		Elapsed:    time.Since(start),
	}, nil
}

// errRequestTimeout ends a request's context when its timeout passes.
var errRequestTimeout = errors.New("request timeout")

// fetchError explains a failed request: the permission refused for a
// redirect, the timeout, the script's cancellation, or the network error.
func (rt *Runtime) fetchError(ctx context.Context, thread *starlark.Thread, target string, timeout time.Duration, err error) error {
	var perm *PermissionError
	var exc *Exception
	switch {
	case errors.As(err, &perm):
		return perm
	case errors.As(err, &exc):
		return exc
	case Context(thread).Err() != nil:
		return ContextError(Context(thread))
	case errors.Is(context.Cause(ctx), errRequestTimeout):
		return &Exception{Class: "Timeout", Msg: fmt.Sprintf("%s did not answer within %v", target, timeout)}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return &Exception{Class: "ConnectionError", Msg: fmt.Sprintf("%s: %v", target, err)}
}

// hostPort returns the host and port a URL connects to.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// closeHTTP closes the idle connections of the runtime's client, so that no
// connection goroutine outlives the runtime.
func (rt *Runtime) closeHTTP() {
	if rt.transport != nil {
		rt.transport.CloseIdleConnections()
	}
}
