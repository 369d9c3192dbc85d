# pool-atexit (chapter 2): a ThreadPoolExecutor worker waits for `stop`, and
# atexit.register(stop.set) is meant to release it at exit. From 3.9 on it never runs:
# concurrent.futures' exit hook (threading._register_atexit, CPython gh-83993) joins every
# pool worker, daemon or not, before any atexit handler. CLOSE=1 is the fix: main sets
# `stop` itself before it ends.
# From the Opentrons report (https://github.com/Opentrons/opentrons/pull/12970, a test that
# hung on exit on Python 3.10 and not on 3.7).
# Run: [CLOSE=1] python3 pool_atexit.py (hangs without the fix)
import atexit
import os
import threading
from concurrent.futures import ThreadPoolExecutor

CLOSE = os.environ.get("CLOSE", "0") == "1"  # the fix: stop the worker before main ends

stop = threading.Event()


def worker():
    stop.wait()  # released only by stop.set()


pool = ThreadPoolExecutor(max_workers=1)
pool.submit(worker)  # step: submit
atexit.register(stop.set)  # step: register
if CLOSE:
    stop.set()  # step: fix
    pool.shutdown()
print("main is done")  # step: main-end
