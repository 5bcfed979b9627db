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

# wait. The slow tasks wait for a gate that the script opens, so what is
# done first never depends on how the threads are scheduled.
def wait_for(gate, value):
    gate.result()
    return value


f1 = executor.submit(sleep_and_return, 0.01, 'one')
gate2 = Future()
f2 = executor.submit(wait_for, gate2, 'two')
done, not_done = wait([f1, f2], return_when=FIRST_COMPLETED)
print([f.result() for f in done], len(not_done))
gate2.set_result(None)
done, not_done = wait([f1, f2], return_when=ALL_COMPLETED)
print(len(done), len(not_done))
bad = executor.submit(divide, 1, 0)
gate_slow = Future()
slow = executor.submit(wait_for, gate_slow, 'slow')
done, not_done = wait([bad, slow], return_when=FIRST_EXCEPTION)
print(bad in done, slow in not_done, bad.exception() is not None)
done, not_done = wait([slow], timeout=0.01)
print(len(done), len(not_done))
gate_slow.set_result(None)

# as_completed yields in completion order: the loop opens the gate of the
# next task as it receives each one.
gates = [Future(), Future(), Future()]
fs = [executor.submit(wait_for, g, t) for g, t in zip(gates, [0.09, 0.03, 0.06])]
after = {fs[1]: gates[2], fs[2]: gates[0]}
gates[1].set_result(None)
order = []
for f in as_completed(fs):
    order.append(f.result())
    if f in after:
        after[f].set_result(None)
print(order)

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
