# A plain threading.Timer (non-daemon) an hour away; main ends, the exit waits for it.
# SIGUSR1 cancels it: the process exits 0 at once.
import signal
import threading

timer = threading.Timer(3600, print, ["fired"])
signal.signal(signal.SIGUSR1, lambda *a: timer.cancel())
timer.start()
print("ready", flush=True)
