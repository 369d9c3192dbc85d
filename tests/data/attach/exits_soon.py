# Exits (os._exit from a Timer thread) a moment after it says ready, while main sleeps in C:
# an attach started at "ready" sees the process end under it.
import os
import threading
import time

threading.Timer(0.3, os._exit, [0]).start()
print("ready", flush=True)
time.sleep(100)
