# A deadlock before main ends: main holds A and wants B; "taker" holds B and wants A.
# SIGUSR1 ends the process with status 7 (its handler runs in main, in the lock wait).
import os
import signal
import threading

a, b = threading.Lock(), threading.Lock()
both = threading.Barrier(2)


def taker():
    with b:
        both.wait()
        with a:
            pass


signal.signal(signal.SIGUSR1, lambda *_: os._exit(7))
t = threading.Thread(target=taker, name="taker")
with a:
    t.start()
    both.wait()
    print("ready", flush=True)
    with b:
        pass
