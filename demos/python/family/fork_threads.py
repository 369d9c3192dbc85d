# fork-threads: a forked child with threads of its own, which all end; the parent waits for
# it with os.waitpid. It exits 0: the child's threads are on the timeline under its pid.
# Run: python3 fork_threads.py (exits)
import os
import threading


def work(done):
    done.wait()


if __name__ == "__main__":
    pid = os.fork()
    if pid == 0:
        done = threading.Event()
        workers = [threading.Thread(target=work, args=(done,), name="child-worker-%d" % i)
                   for i in range(2)]
        for w in workers:
            w.start()
        done.set()
        for w in workers:
            w.join()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("child exited", os.waitstatus_to_exitcode(status))
