from concurrent.futures import ThreadPoolExecutor
import time

urls = [
    'https://www.example.com',
    'https://www.python.org',
    'https://go.dev',
    'https://github.com',
]


def scrape(url):
    time.sleep(0.1)  # the network round trip
    return f'{url} was scraped!'


with ThreadPoolExecutor(max_workers=4) as pool:
    for result in pool.map(scrape, urls):
        print(result)
