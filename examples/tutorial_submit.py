from concurrent.futures import ThreadPoolExecutor


def my_task(argument):
    return f'task got {argument}'


pool = ThreadPoolExecutor()
future = pool.submit(my_task, 'an argument')
print(future.result())
pool.shutdown()
