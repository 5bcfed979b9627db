package builtins

import (
	"fmt"
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// helpTopics holds, for each module and type, its members' doc lines: the
// same "name(args) - description" lines as the doc comments of this
// package (a test keeps the two equal).
var helpTopics = map[string][]string{
	"concurrent.futures": {
		`ThreadPoolExecutor(max_workers=None, thread_name_prefix="", initializer=None, initargs=()) - a pool of goroutine workers`,
		`Future() - a future to complete by hand with set_result or set_exception`,
		`wait(fs, timeout=None, return_when=ALL_COMPLETED) - wait for futures; returns (done, not_done)`,
		`as_completed(fs, timeout=None, progress=False) - iterate over futures as they complete; progress=True draws a progress bar`,
		`FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED - the conditions of wait`,
	},
	"ThreadPoolExecutor": {
		`submit(fn, /, *args, **kwargs) - schedule fn(*args, **kwargs); return its Future`,
		`map(fn, *iterables, timeout=None, chunksize=1, buffersize=None, progress=False) - results of fn over the zipped iterables, in order; progress=True draws a progress bar`,
		`shutdown(wait=True, *, cancel_futures=False, cancel_running=False) - stop taking tasks; optionally wait, cancel pending or interrupt running ones`,
	},
	"Future": {
		`result(timeout=None) - wait for the task and return its value, or fail with its error`,
		`exception(timeout=None) - wait for the task and return its error, or None`,
		`done() - whether the future is finished or cancelled`,
		`running() - whether the task is running now`,
		`cancelled() - whether the future was cancelled`,
		`cancel() - cancel the future if it has not started; whether it is cancelled`,
		`add_done_callback(fn) - call fn(future) once the future is done`,
		`set_result(result) - complete the future with a value`,
		`set_exception(exception) - complete the future with an error`,
		`set_running_or_notify_cancel() - mark the future running, or False if cancelled`,
	},
	"time": {
		`sleep(secs) - pause the calling thread; returns early, failing, if the script is cancelled`,
		`time() - seconds since the Unix epoch, as a float`,
		`monotonic() - seconds on a clock that never goes back, as a float`,
		`perf_counter() - seconds on the clock for timing, as a float`,
	},
	"os": {
		`cpu_count() - the number of logical CPUs`,
		`listdir(path=".") - the names of the entries of the directory path, sorted`,
		`getenv(key, default=None) - the value of the environment variable key, or default if it is not set`,
		`path - the module os.path`,
	},
	"os.path": {
		`exists(path) - whether path names an existing file or directory`,
		`join(*paths) - the paths joined with "/"; an absolute path discards those before it`,
		`basename(p) - the final component of p, after its last "/"`,
		`dirname(p) - p without its final component`,
	},
	"file": {
		`read(size=-1) - read and return at most size characters (bytes in binary mode), or all that is left`,
		`readline(size=-1) - read and return one line, with its "\n"; "" at the end of the file`,
		`readlines() - read and return the remaining lines, as a list`,
		`write(s) - write a string (bytes in binary mode); returns how many characters (bytes) were written`,
		`close() - close the file; closing it again does nothing`,
		`name - the path the file was opened with`,
		`mode - the mode the file was opened with`,
		`closed - whether the file is closed`,
	},
	"sys": {
		`argv - the command-line arguments, a list of strings`,
		`version - starpool's version`,
	},
	"requests": {
		`get(url, params=None, **kwargs) - send a GET request; returns a Response`,
		`post(url, data=None, json=None, **kwargs) - send a POST request`,
		`put(url, data=None, **kwargs) - send a PUT request`,
		`patch(url, data=None, **kwargs) - send a PATCH request`,
		`delete(url, **kwargs) - send a DELETE request`,
		`head(url, **kwargs) - send a HEAD request (no redirects unless allow_redirects=True)`,
		`request(method, url, params=None, headers=None, data=None, json=None, timeout=None, allow_redirects=True) - send a request`,
	},
	"Response": {
		`status_code - the HTTP status, an int`,
		`ok - whether the status is below 400`,
		`reason - the status text, such as "Not Found"`,
		`text - the body as a string`,
		`content - the body as bytes`,
		`json() - the body decoded as JSON`,
		`headers - the response headers, looked up without regard to case`,
		`url - the final URL, after redirects`,
		`elapsed - seconds from sending the request to reading the body`,
		`raise_for_status() - fail with HTTPError if the status is 400 or more`,
	},
	"builtins": {
		`print(*args, sep=" ", end="\n", flush=False) - write the arguments to stdout as one unit`,
		`pow(base, exp, mod=None) - base to the power exp, optionally modulo mod`,
		`round(number, ndigits=None) - number rounded to an integer, or to ndigits decimals`,
		`sum(iterable, start=0) - start plus the sum of the numbers in iterable`,
		`divmod(a, b) - the pair (a // b, a % b)`,
		`help(x) - describe x and list its members; help() for an introduction`,
		`open(file, mode="r", encoding="utf-8") - open a file (modes r, w, a, x, with b for bytes); needs read or write permission`,
		`progress(iterable, total=None, desc="") - iterate over iterable, drawing a progress bar on stderr: count, rate, elapsed time and estimate`,
	},
}

// helpIntro is what help() prints.
const helpIntro = `starpool runs Python-flavored Starlark; concurrent.futures runs on goroutines.
  help(x)        describe x: a module, an executor, a future, a function
  dir(x)         the names of x's members
  shutdown_all() at the prompt, cancel every task still running
Modules: concurrent.futures, time, os, sys, math, json (import them as in Python).
Tasks see frozen copies of what they share: return values from tasks instead
of mutating shared lists. Ctrl-C stops the running statement; Ctrl-D exits.`

// help implements help(x) and help().
func help(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0, &x); err != nil {
		return nil, err
	}
	thread.Print(thread, describe(x))
	return starlark.None, nil
}

// describe returns help's text for x.
func describe(x starlark.Value) string {
	switch v := x.(type) {
	case nil:
		return helpIntro
	case *starlarkstruct.Module:
		if lines, ok := helpTopics[v.Name]; ok {
			return topic("module "+v.Name, lines)
		}
		return topic("module "+v.Name, v.AttrNames())
	case *Executor:
		return topic("ThreadPoolExecutor "+v.String(), helpTopics["ThreadPoolExecutor"])
	case Future:
		return topic("Future "+v.String(), helpTopics["Future"])
	case *response:
		return topic("Response "+v.String(), helpTopics["Response"])
	case *starlark.Builtin:
		name := v.Name()
		for _, lines := range helpTopics {
			for _, line := range lines {
				if strings.HasPrefix(line, name+"(") {
					return line
				}
			}
		}
		return name + "(...) - a builtin function"
	case *starlark.Function:
		params := make([]string, v.NumParams())
		for i := range params {
			params[i], _ = v.Param(i)
		}
		text := fmt.Sprintf("%s(%s) - a function defined at %s", v.Name(), strings.Join(params, ", "), v.Position())
		if doc := v.Doc(); doc != "" {
			text += "\n" + doc
		}
		return text
	}
	if h, ok := x.(starlark.HasAttrs); ok {
		names := h.AttrNames()
		sort.Strings(names)
		return topic(x.Type()+" "+x.String(), names)
	}
	return x.Type() + " " + x.String()
}

func topic(title string, lines []string) string {
	return title + "\n  " + strings.Join(lines, "\n  ")
}
