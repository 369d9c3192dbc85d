# subprocess-run-child: the program runs itself again, as a child, with subprocess.run() and
# the same interpreter. The child's main returns, but its non-daemon worker waits on an Event
# nobody sets: the child's interpreter joins the worker at exit forever, so the parent's
# subprocess.run() never returns.
# Run: python3 subprocess_run_child.py (hangs)
import subprocess
import sys
import threading

if sys.argv[1:] == ["child"]:
    stop = threading.Event()
    threading.Thread(target=stop.wait, name="worker").start()  # not a daemon
    print("child: main ends", flush=True)  # ... and the interpreter joins the worker
else:
    subprocess.run([sys.executable, __file__, "child"])
    print("never printed")
