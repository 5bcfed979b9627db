# Every built-in module can be imported the ways Python allows.
import time
import os
import sys
import math
import json
import concurrent.futures
import concurrent.futures as cf
from concurrent.futures import (
    ThreadPoolExecutor,
    as_completed,
    wait as wait_for,
    FIRST_COMPLETED,
)
from math import sqrt, floor
from time import sleep, perf_counter

print(math.sqrt(16.0), sqrt(2.25), floor(2.5))
print(os.cpu_count() > 0, len(sys.argv) >= 1)
print(FIRST_COMPLETED, cf.ALL_COMPLETED, concurrent.futures.FIRST_EXCEPTION)
start = time.monotonic()
sleep(0.01)
print(time.monotonic() - start >= 0.01, perf_counter() > 0)
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    fs = [pool.submit(pow, 2, i) for i in range(5)]
    print(sorted([f.result() for f in cf.as_completed(fs)]))
    done, _ = wait_for(fs)
    print(len(done))
with ThreadPoolExecutor(max_workers=1) as pool:
    print([f.result() for f in as_completed([pool.submit(abs, -3)])])
