# Per-task overhead of submit + result: N trivial tasks, all submitted, then
# every result collected in order. The CPython twin of submit.star.
# usage: python3 bench/submit.py [N] [MAX_WORKERS]
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter
from sys import argv

n = int(argv[1]) if len(argv) > 1 else 100000
workers = int(argv[2]) if len(argv) > 2 else 2

def f(x):
    return x

pool = ThreadPoolExecutor(max_workers = workers)
t0 = perf_counter()
futures = [pool.submit(f, i) for i in range(n)]
results = [fut.result() for fut in futures]
elapsed = perf_counter() - t0
pool.shutdown()
if len(results) != n or results[-1] != n - 1:
    raise SystemExit("wrong results")
print("bench=submit n=%d workers=%d seconds=%s us_per_task=%s" % (n, workers, elapsed, elapsed * 1e6 / n))
