# daemon-writer: a daemon thread writes a file line by line; main does not wait for it.
# The process exits 0 and the file is half-written: the writer was cut off.
# Run: python3 daemon_writer.py (exits 0)
import os, tempfile, threading, time
def write(path):
    with open(path, "w") as f:
        for i in range(1000):
            f.write("line %d\n" % i)  # cut off here, or in the sleep below
            f.flush()
            time.sleep(0.01)


path = os.path.join(tempfile.gettempdir(), "daemonlab-writer-%d.txt" % os.getpid())
writer = threading.Thread(target=write, args=(path,), name="writer", daemon=True)
writer.start()
time.sleep(0.1)
print("main is done")
