# concurrent.futures exercised the way CPython's own tests do, within what
# Starlark can express.
from concurrent.futures import (ThreadPoolExecutor, Future, wait, as_completed,
                                FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED)
import time


def mul(x, y):
    return x * y


def sleep_and_return(t, value):
    time.sleep(t)
    return value


def divide(a, b):
    return a // b


executor = ThreadPoolExecutor(max_workers=5)

# submit
future = executor.submit(pow, 2, 8)
print(future.result())
future = executor.submit(mul, 2, y=8)
print(future.result())

# map
print(list(executor.map(pow, range(10), range(10))))
print(list(executor.map(mul, [1, 2, 3], [4, 5, 6, 7])))
results = executor.map(sleep_and_return, [0.05, 0.01, 0.03], ['slow', 'fast', 'mid'])
print(list(results))

# a failing task
failing = executor.submit(divide, 1, 0)
print(failing.exception() is not None, failing.done(), failing.cancelled())

# wait
f1 = executor.submit(sleep_and_return, 0.01, 'one')
f2 = executor.submit(sleep_and_return, 0.3, 'two')
done, not_done = wait([f1, f2], return_when=FIRST_COMPLETED)
print([f.result() for f in done], len(not_done))
done, not_done = wait([f1, f2], return_when=ALL_COMPLETED)
print(len(done), len(not_done))
bad = executor.submit(divide, 1, 0)
slow = executor.submit(sleep_and_return, 0.3, 'slow')
done, not_done = wait([bad, slow], return_when=FIRST_EXCEPTION)
print(bad in done, slow in not_done, bad.exception() is not None)
done, not_done = wait([slow], timeout=0.01)
print(len(done), len(not_done))

# as_completed
fs = [executor.submit(sleep_and_return, t, t) for t in [0.09, 0.03, 0.06]]
print([f.result() for f in as_completed(fs)])

# futures are hashable
future_to_n = {executor.submit(mul, n, n): n for n in range(4)}
print(sorted([(future_to_n[f], f.result()) for f in as_completed(future_to_n)]))

# callbacks
calls = []
f = executor.submit(mul, 3, 3)
f.result()
f.add_done_callback(lambda fut: print('callback sees', fut.result()))

# Future() completed by hand
manual = Future()
print(manual.done(), manual.running(), manual.cancelled())
print(manual.set_running_or_notify_cancel(), manual.running())
manual.set_result('by hand')
print(manual.result(), manual.done())
cancelled = Future()
print(cancelled.cancel(), cancelled.cancelled(), cancelled.done())

executor.shutdown(wait=True)
print('after shutdown')
