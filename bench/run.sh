#!/usr/bin/env bash
# Runs every benchmark pair (bench/NAME.star with starpool, bench/NAME.py with
# CPython) under the same conditions, interleaved, in one run, and prints a
# table of figures and ratios. Needs only Go and python3 (hyperfine is used
# for the start-up figure when installed). About two minutes on 2 cores.
#
# usage: bench/run.sh [REPS]
#   REPS      repetitions of each measurement (default 7). The table shows
#             the median run and the best (fastest) run: on a shared or
#             virtual machine the best run is the one least disturbed. A
#             run during which other processes were busy is made again (at
#             most twice), and the table ends with how busy they were.
# environment:
#   PYTHON    the CPython to compare with (default python3)
#   STARPOOL  a starpool binary to use instead of building ./cmd/starpool
#   GOGCS     the GOGC settings of the sweep (default "100 200 400 800 off")
#   HYPERFINE hyperfine's path (default hyperfine; empty: time a shell loop)
#   RETRY_UNTIL  seconds after which disturbed runs are no longer made again
#             (default 150)
set -euo pipefail

cd "$(dirname "$0")/.."
REPS=${1:-7}
PYTHON=${PYTHON:-python3}
# The interpreter itself, not a wrapper such as a pyenv shim, which would
# add its own start-up time.
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)')
GOGCS=${GOGCS:-"100 200 400 800 off"}
HYPERFINE=${HYPERFINE-hyperfine}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [[ -z "${STARPOOL:-}" ]]; then
	STARPOOL=$TMP/starpool
	go build -o "$STARPOOL" ./cmd/starpool
fi
# The command's own default GC setting applies when GOGC is unset.
unset GOGC

# measure CMD...: runs CMD once and prints its last output line followed by
# wall=SECONDS rss_kb=KB cpu=CPUS others=CPUS: the child's wall time, its
# peak RSS (VmHWM, from getrusage), the CPUs it kept busy on average (user +
# system time / wall time), and the CPUs that the rest of the machine kept
# busy meanwhile (from /proc/stat), a measure of interference.
measure() {
	"$PYTHON" - "$@" <<'EOF'
import os, resource, subprocess, sys, time
def busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
b0, t0 = busy(), time.perf_counter()
p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
wall, b1 = time.perf_counter() - t0, busy()
if p.returncode != 0:
    sys.exit("benchmark failed: " + " ".join(sys.argv[1:]))
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = ru.ru_utime + ru.ru_stime
out = p.stdout.strip().splitlines()
print("%s wall=%.6f rss_kb=%d cpu=%.3f others=%.3f" % (
    out[-1] if out else "", wall, ru.ru_maxrss, cpu / wall, max(0, b1 - b0 - cpu) / wall))
EOF
}

# record KEY FIELD... -- CMD...: runs CMD once and appends the value of each
# FIELD=VALUE of its line to the file KEY.FIELD. A run during which other
# processes kept more than a quarter of a CPU busy is made again, at most
# twice, and only while the whole script has run for less than RETRY_UNTIL
# seconds.
RETRY_UNTIL=${RETRY_UNTIL:-150}
RETRIES=0
record() {
	local key=$1 fields=() f line try
	shift
	while [[ $1 != -- ]]; do fields+=("$1"); shift; done
	shift
	for ((try = 0; ; try++)); do
		line=$(measure "$@")
		if ((try == 2 || SECONDS > RETRY_UNTIL)) ||
			awk -v o="$(sed -n 's/.*\bothers=\([^ ]*\).*/\1/p' <<<"$line")" 'BEGIN {exit !(o < 0.25)}'; then
			break
		fi
		RETRIES=$((RETRIES + 1))
	done
	for f in "${fields[@]}" others; do
		sed -n "s/.*\b$f=\([^ ]*\).*/\1/p" <<<"$line" >>"$TMP/$key.$f"
	done
	cat "$TMP/$key.others" >>"$TMP/all.others"
	: >"$TMP/$key.others"
}

# pair KEY A B: appends A/B of the latest runs to KEY, a ratio of two runs
# made one after the other, under the same conditions.
pair() { awk -v a="$(tail -1 "$TMP/$2")" -v b="$(tail -1 "$TMP/$3")" 'BEGIN {print a / b}' >>"$TMP/$1"; }
# spread KEY: "median (min-max)" of the ratios in KEY.
spread() { echo "$(num "$(med "$1")" 1 2)x ($(num "$(best "$1")" 1 2)-$(num "$(worst "$1")" 1 2))"; }

med() { sort -g "$TMP/$1" | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
best() { sort -g "$TMP/$1" | head -1; }
worst() { sort -g "$TMP/$1" | tail -1; }
num() { awk -v a="$1" -v m="${2:-1}" -v p="${3:-3}" 'BEGIN {printf "%.*f", p, a * m}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
MB=0.0009765625 # MB per KB

echo "starpool $("$STARPOOL" -version | cut -d' ' -f2), $("$PYTHON" --version), $(go version | cut -d' ' -f3)," \
	"$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $REPS repetitions" >&2

cat >"$TMP/control.py" <<'EOF'
import time
from concurrent.futures import ProcessPoolExecutor
def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)
if __name__ == "__main__":
    times = []
    for workers in (1, 2):
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(fib, [1] * workers))  # start the processes first
            t0 = time.perf_counter()
            list(pool.map(fib, [24] * 16))
            times.append(time.perf_counter() - t0)
    print("speedup=%f" % (times[0] / times[1]))
EOF

for ((rep = 0; rep < REPS; rep++)); do
	echo -n "run $((rep + 1))/$REPS..." >&2

	# 1. Per-task overhead: 100,000 trivial tasks on 2 workers.
	for b in submit map; do
		record "sp.$b" us_per_task -- "$STARPOOL" "bench/$b.star" 100000 2
		record "py.$b" us_per_task -- "$PYTHON" "bench/$b.py" 100000 2
		pair "$b.ratio" "py.$b.us_per_task" "sp.$b.us_per_task"
	done

	# 2. CPU-bound: 16 x fib(23) on 1 and then 2 workers, three pairs per
	# repetition (they are short, and the speedup is the noisiest figure),
	# with a control: the same kind of work in 1 and then 2 CPython
	# processes shows how well the machine runs two busy cores at the time.
	# The order alternates, so that a drift in the machine's speed favours
	# neither.
	for ((k = 0; k < 3; k++)); do
		order="1 2"
		(((rep + k) % 2)) && order="2 1"
		for w in $order; do
			record "sp.fib$w" seconds cpu -- "$STARPOOL" bench/fib.star $w 16 23
		done
		for w in $order; do
			record "py.fib$w" seconds -- "$PYTHON" bench/fib.py $w 16 23
		done
		pair sp.speedup sp.fib1.seconds sp.fib2.seconds
		pair py.speedup py.fib1.seconds py.fib2.seconds
	done
	record control speedup -- "$PYTHON" "$TMP/control.py"

	# The GOGC sweep: the same CPU-bound pair under each GC setting.
	for g in $GOGCS; do
		for w in $order; do
			GOGC=$g record "gc$g.fib$w" seconds rss_kb cpu -- "$STARPOOL" bench/fib.star $w 16 23
		done
		pair "gc$g.speedup" "gc$g.fib1.seconds" "gc$g.fib2.seconds"
	done

	# 3. I/O-style: 10,000 tasks of sleep(0.1) with max_workers=10000.
	record sp.sleep seconds rss_kb -- "$STARPOOL" bench/sleep.star 10000 0.1
	record py.sleep seconds rss_kb -- "$PYTHON" bench/sleep.py 10000 0.1
	pair sleep.ratio py.sleep.seconds sp.sleep.seconds
done
echo >&2

# 4. Start-up: the whole command on an empty script.
startup() { # startup CMD...: the mean wall seconds of one run
	if [[ -n $HYPERFINE ]] && command -v "$HYPERFINE" >/dev/null; then
		"$HYPERFINE" -N --warmup 5 --runs 50 --export-json "$TMP/hf.json" "$*" >/dev/null 2>&1
		"$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$TMP/hf.json"
	else
		local runs=50 t0 t1 i
		for ((i = 0; i < 5; i++)); do "$@" >/dev/null; done
		t0=$(date +%s%N)
		for ((i = 0; i < runs; i++)); do "$@" >/dev/null; done
		t1=$(date +%s%N)
		awk -v d=$((t1 - t0)) -v n=$runs 'BEGIN {print d / n / 1e9}'
	fi
}
sp_start=$(startup "$STARPOOL" bench/empty.star)
py_start=$(startup "$PYTHON" bench/empty.py)

# The table. Times show the median run and the best run. Ratios are those
# of runs made one after the other: their median and range, and the ratio
# of the best runs. "met" judges the median ratio, then the best runs.
met() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {print ((op == ">=" ? v + 0 >= t : v + 0 <= t) ? "yes" : "NO")}'; }
row() { printf '%-31s %18s %18s %20s  %-18s %s\n' "$@"; }
echo
row "benchmark" "starpool" "CPython" "ratio" "target" "met"
row "" "median (best)" "median (best)" "median (range)" "" "median/best"
for b in submit map; do
	row "$b: µs per trivial task" "$(num "$(med sp.$b.us_per_task)") ($(num "$(best sp.$b.us_per_task)"))" \
		"$(num "$(med py.$b.us_per_task)" 1 2) ($(num "$(best py.$b.us_per_task)" 1 2))" \
		"$(spread $b.ratio)" ">= 10x vs CPython" \
		"$(met "$(med $b.ratio)" ">=" 10)/$(met "$(ratio "$(best py.$b.us_per_task)" "$(best sp.$b.us_per_task)" | tr -d x)" ">=" 10)"
	row "  ratio of the best runs" "" "" "$(ratio "$(best py.$b.us_per_task)" "$(best sp.$b.us_per_task)")" "" ""
done
for w in 1 2; do
	row "fib: 16 x fib(23), $w worker(s), s" "$(num "$(med sp.fib$w.seconds)") ($(num "$(best sp.fib$w.seconds)"))" \
		"$(num "$(med py.fib$w.seconds)") ($(num "$(best py.fib$w.seconds)"))" "" "" ""
done
sp_best=$(ratio "$(best sp.fib1.seconds)" "$(best sp.fib2.seconds)")
row "fib: speedup 1 -> 2 workers" "$(spread sp.speedup)" "$(spread py.speedup)" "" ">= 1.7x" \
	"$(met "$(med sp.speedup)" ">=" 1.7)/$(met "${sp_best%x}" ">=" 1.7)"
row "  speedup of the best runs" "$sp_best" "$(ratio "$(best py.fib1.seconds)" "$(best py.fib2.seconds)")" "" "" ""
row "fib: CPUs busy, 1 / 2 workers" "$(num "$(med sp.fib1.cpu)" 1 2) / $(num "$(med sp.fib2.cpu)" 1 2)" "" "" "" ""
row "control: 1 -> 2 processes" "" "$(spread control.speedup)" "" "(the machine)" ""
row "sleep: 10,000 x sleep(0.1), s" "$(num "$(med sp.sleep.seconds)") ($(num "$(best sp.sleep.seconds)"))" \
	"$(num "$(med py.sleep.seconds)") ($(num "$(best py.sleep.seconds)"))" "$(spread sleep.ratio)" "<= 0.5 s" \
	"$(met "$(med sp.sleep.seconds)" "<=" 0.5)/$(met "$(best sp.sleep.seconds)" "<=" 0.5)"
row "sleep: peak RSS, MB" "$(num "$(med sp.sleep.rss_kb)" $MB 1) ($(num "$(best sp.sleep.rss_kb)" $MB 1))" \
	"$(num "$(med py.sleep.rss_kb)" $MB 1) ($(num "$(best py.sleep.rss_kb)" $MB 1))" "" "(report)" ""
row "start-up, empty script, ms" "$(num "$sp_start" 1000 1)" "$(num "$py_start" 1000 1)" "$(ratio "$py_start" "$sp_start")" \
	"<= 5 ms" "$(met "$(num "$sp_start" 1000 2)" "<=" 5) (mean)"

echo
echo "GOGC sweep: starpool, 16 x fib(23); peak RSS and CPUs busy of the 2-worker run"
printf '%-6s %16s %16s %20s %9s %13s %10s\n' "GOGC" "1 worker, s" "2 workers, s" "speedup" "speedup" "peak RSS, MB" "CPUs busy"
printf '%-6s %16s %16s %20s %9s %13s %10s\n' "" "median (best)" "median (best)" "median (range)" "best runs" "median" "median"
for g in $GOGCS; do
	printf '%-6s %16s %16s %20s %9s %13s %10s\n' "$g" \
		"$(num "$(med gc$g.fib1.seconds)") ($(num "$(best gc$g.fib1.seconds)"))" \
		"$(num "$(med gc$g.fib2.seconds)") ($(num "$(best gc$g.fib2.seconds)"))" \
		"$(spread gc$g.speedup)" "$(ratio "$(best gc$g.fib1.seconds)" "$(best gc$g.fib2.seconds)")" \
		"$(num "$(med gc$g.fib2.rss_kb)" $MB 1)" "$(num "$(med gc$g.fib2.cpu)" 1 2)"
done
echo
echo "interference: the rest of the machine kept $(num "$(med all.others)" 1 2) CPUs busy during the median" \
	"measurement, $(num "$(worst all.others)" 1 2) at worst; $RETRIES runs were made again because of it"
