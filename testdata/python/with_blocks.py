# with-blocks: nested, several managers, inside functions, exits on return.
from concurrent.futures import ThreadPoolExecutor, wait
import time


def square(x):
    return x * x


with ThreadPoolExecutor(max_workers=2) as outer:
    with ThreadPoolExecutor(max_workers=2) as inner:
        a = outer.submit(square, 3)
        b = inner.submit(square, 4)
    print('inner done:', b.done())
print('outer done:', a.done(), a.result() + b.result())

with ThreadPoolExecutor(max_workers=1) as p1, ThreadPoolExecutor(max_workers=1) as p2:
    print(p1.submit(square, 5).result(), p2.submit(square, 6).result())


def first_result(values):
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(time.sleep, 0.02) for _ in values]
        return futures


futures = first_result([1, 2, 3])
print('all finished at return:', all([f.done() for f in futures]))

for i in range(3):
    with ThreadPoolExecutor(max_workers=1) as pool:
        print(i, pool.submit(square, i).result())

with ThreadPoolExecutor(max_workers=3) as pool:
    done, not_done = wait([pool.submit(square, i) for i in range(6)])
    print(sorted([f.result() for f in done]), len(not_done))
