# daemon-cut-off (chapter 2): a daemon thread writes 100 lines to a file; main does not
# wait for it. The process exits at once, and the file is cut off: daemon=True lets the
# program exit by throwing the daemon's work away. CLOSE=1 is the fix: main joins the
# writer before it ends (so the writer must be able to finish).
# Run: [CLOSE=1] python3 daemon_cut_off.py (exits either way; prints how much was written)
import atexit
import os
import tempfile
import threading
import time

CLOSE = os.environ.get("CLOSE", "0") == "1"  # the fix: join the writer before main ends

LINES = 100
written = 0


def write(path):
    global written
    with open(path, "w") as f:
        for i in range(LINES):
            f.write("line %d\n" % i)
            f.flush()
            written += 1
            time.sleep(0.01)


def report():
    print("at exit: %d of %d lines written" % (written, LINES))


path = os.path.join(tempfile.gettempdir(), "daemonlab-writer-%d.txt" % os.getpid())
atexit.register(report)
writer = threading.Thread(target=write, args=(path,), name="writer", daemon=True)
writer.start()  # step: start
time.sleep(0.1)
if CLOSE:
    writer.join()  # step: join
print("main is done")  # step: main-end
