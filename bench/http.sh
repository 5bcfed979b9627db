#!/usr/bin/env bash
# The I/O benchmark of the requests module: 1,000 GETs with 100 workers
# against a loopback server that answers after 50 ms (ideal: 0.5 s), in
# starpool and in CPython 3 (ThreadPoolExecutor + urllib.request), run
# alternately. Prints each run's wall time (whole process) and peak RSS.
#   bench/http.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/starpool" ./cmd/starpool
go build -o "$tmp/slowserver" ./bench/slowserver
python=$(python3 -c 'import sys; print(sys.executable)')
port=$((20000 + RANDOM % 20000))
"$tmp/slowserver" -addr "127.0.0.1:$port" -delay 50ms &
server=$!
url="http://127.0.0.1:$port/"
for _ in $(seq 50); do
	python3 -c "import urllib.request; urllib.request.urlopen('$url')" 2>/dev/null && break
	sleep 0.1
done

# measure CMD...: prints "wall_seconds peak_rss_kb" of one run.
measure() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
wall = time.perf_counter() - start
print(f"{wall:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

echo "run  starpool_s  starpool_rss_kb  cpython_s  cpython_rss_kb  ratio"
for i in $(seq "$runs"); do
	read -r sw sm < <(measure "$tmp/starpool" --allow-net=127.0.0.1 bench/http_get.star "$url")
	read -r cw cm < <(measure "$python" bench/http_get.py "$url")
	ratio=$(python3 -c "print(f'{$cw / $sw:.2f}')")
	echo "$i    $sw       $sm            $cw      $cm           $ratio"
done
