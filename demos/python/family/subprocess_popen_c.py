# subprocess-popen-c: a child of the same interpreter started with `-c`, whose output the
# parent reads with communicate(). The child's worker waits on an Event nobody sets, so the
# child never exits and communicate() never returns (the child's stdout stays open).
# Run: python3 subprocess_popen_c.py (hangs)
import subprocess
import sys

CHILD = """
import threading
stop = threading.Event()
threading.Thread(target=stop.wait, name="worker").start()
print("child: main ends")
"""

if __name__ == "__main__":
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE)
    out, _ = proc.communicate()  # waits for the child's end of the pipe and its exit
    print("never printed", out)
