# A non-daemon thread blocked on an Event; main ends, so the exit waits for it forever.
# SIGUSR1 sets the Event: the thread ends and the process exits with status 0.
import signal
import threading

ev = threading.Event()


def waiter():
    ev.wait()
    print("waiter ends", flush=True)


signal.signal(signal.SIGUSR1, lambda *a: ev.set())
threading.Thread(target=waiter, name="waiter").start()
print("ready", flush=True)
