# Per-task overhead of Executor.map: N trivial tasks, results in input order.
# The CPython twin of map.star.
# usage: python3 bench/map.py [N] [MAX_WORKERS]
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter
from sys import argv

n = int(argv[1]) if len(argv) > 1 else 100000
workers = int(argv[2]) if len(argv) > 2 else 2

def f(x):
    return x

pool = ThreadPoolExecutor(max_workers = workers)
t0 = perf_counter()
results = list(pool.map(f, range(n)))
elapsed = perf_counter() - t0
pool.shutdown()
if len(results) != n or results[-1] != n - 1:
    raise SystemExit("wrong results")
print("bench=map n=%d workers=%d seconds=%s us_per_task=%s" % (n, workers, elapsed, elapsed * 1e6 / n))
