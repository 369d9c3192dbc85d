# A thread-pool worker busy with a task that waits on an Event; main ends without shutting the
# pool down, so concurrent.futures' exit hook joins the worker forever.
# SIGUSR1 sets the Event: the task ends, the hook's join returns, the process exits 0.
import concurrent.futures
import signal
import threading

ev = threading.Event()
signal.signal(signal.SIGUSR1, lambda *a: ev.set())
pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
pool.submit(ev.wait)
print("ready", flush=True)
