# timer-poller (chapter 2): a poller thread checks for work every half second, and a
# threading.Timer is set to retry in 600 s. Nobody stops either. Both are non-daemon
# threads, so the interpreter waits: for the Timer, 600 s; for the poller, forever.
# CLOSE=1 is the fix: main cancels the Timer and tells the poller to stop, then joins it.
# Run: [CLOSE=1] python3 timer_poller.py (does not exit by itself without the fix)
import os
import threading

CLOSE = os.environ.get("CLOSE", "0") == "1"  # the fix: cancel the Timer, stop the poller

stop = threading.Event()


def poll():
    while not stop.is_set():
        stop.wait(0.5)  # look for work, then wait a little


poller = threading.Thread(target=poll, name="poller")
poller.start()  # step: start
retry = threading.Timer(600, print, args=("retrying",))
retry.start()  # step: timer
if CLOSE:
    retry.cancel()  # step: fix
    stop.set()
    poller.join()
print("main is done")  # step: main-end
