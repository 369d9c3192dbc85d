# pool-atexit: a ThreadPoolExecutor worker waits for `stop`, and atexit.register(stop.set)
# is meant to release it. It never does: concurrent.futures' exit hook
# (threading._register_atexit) joins every worker before the atexit handlers run.
# Opentrons-style "hangs on exit on 3.10, not 3.7". Run: python3 pool_atexit.py (hangs)
import atexit
import threading
from concurrent.futures import ThreadPoolExecutor

stop = threading.Event()


def worker():
    stop.wait()


pool = ThreadPoolExecutor(max_workers=1)
pool.submit(worker)
atexit.register(stop.set)
print("main is done")
