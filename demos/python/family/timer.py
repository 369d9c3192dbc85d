# timer: a threading.Timer nobody cancels. The Timer thread is not a daemon: the
# interpreter waits for it to fire, in 600 s. Run: python3 timer.py (exits after 600 s)
import threading

threading.Timer(600, print, args=("fired",)).start()
print("main is done")
