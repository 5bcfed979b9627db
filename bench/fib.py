# CPU-bound tasks: TASKS x fib(DEPTH) on MAX_WORKERS threads. Run it with 1
# and then 2 workers: the ratio of the two times is the parallel speedup.
# The CPython twin of fib.star.
# usage: python3 bench/fib.py [MAX_WORKERS] [TASKS] [DEPTH]
from concurrent.futures import ThreadPoolExecutor
from time import perf_counter
from sys import argv

workers = int(argv[1]) if len(argv) > 1 else 1
tasks = int(argv[2]) if len(argv) > 2 else 16
depth = int(argv[3]) if len(argv) > 3 else 23

def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

pool = ThreadPoolExecutor(max_workers = workers)
t0 = perf_counter()
results = [fut.result() for fut in [pool.submit(fib, depth) for _ in range(tasks)]]
elapsed = perf_counter() - t0
pool.shutdown()
if results != [fib(depth)] * tasks:
    raise SystemExit("wrong results")
print("bench=fib workers=%d tasks=%d depth=%d seconds=%s" % (workers, tasks, depth, elapsed))
