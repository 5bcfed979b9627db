# I/O-style tasks: N tasks of sleep(SECS), all in flight at once
# (max_workers=N). Ideal wall time is SECS. The CPython twin of sleep.star.
# usage: python3 bench/sleep.py [N] [SECS]
from concurrent.futures import ThreadPoolExecutor
from time import sleep, perf_counter
from sys import argv

n = int(argv[1]) if len(argv) > 1 else 10000
secs = float(argv[2]) if len(argv) > 2 else 0.1

pool = ThreadPoolExecutor(max_workers = n)
t0 = perf_counter()
futures = [pool.submit(sleep, secs) for _ in range(n)]
for fut in futures:
    fut.result()
elapsed = perf_counter() - t0
pool.shutdown()
print("bench=sleep n=%d secs=%s seconds=%s" % (n, secs, elapsed))
