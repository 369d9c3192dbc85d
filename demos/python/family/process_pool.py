# process-pool: a ProcessPoolExecutor worker that never returns. At exit the executor's
# hook joins its manager thread, which waits for the worker's result.
# Run: python3 process_pool.py (hangs)
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor


def forever():
    started.set()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    started = multiprocessing.Event()  # the worker inherits it (fork)
    pool = ProcessPoolExecutor(max_workers=1)
    pool.submit(forever)
    started.wait()  # running, not only queued (a queued item would be cancelled at exit)
    print("main is done")
