# 1,000 GETs with 100 workers against bench/slowserver (50 ms per answer),
# with CPython's ThreadPoolExecutor and urllib.request.
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

url = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000


def fetch(i):
    with urllib.request.urlopen(url) as response:
        response.read()
        return response.status


start = time.perf_counter()
with ThreadPoolExecutor(max_workers=100) as pool:
    codes = list(pool.map(fetch, range(n)))
wall = time.perf_counter() - start
print(f"cpython http: {n} GETs, {len([c for c in codes if c == 200])} ok, {wall:.3f} s")
