# pool-blocked: a plain ThreadPoolExecutor worker blocked forever on an Event nobody sets.
# concurrent.futures' exit hook joins it at exit. Run: python3 pool_blocked.py (hangs)
import threading
from concurrent.futures import ThreadPoolExecutor

never = threading.Event()
pool = ThreadPoolExecutor(max_workers=1)
pool.submit(never.wait)
print("main is done")
