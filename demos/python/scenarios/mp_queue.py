# mp-queue (chapter 2): the multiprocessing docs' "joining processes that use queues". The
# child puts more on a Queue than a pipe holds; a process that has put items on a queue
# waits, before it ends, until its queue's feeder thread has handed them all to the pipe;
# the parent joins the child before it reads: each waits for the other. CLOSE=1 is the fix:
# the parent takes the item off the queue first, then joins.
# Source: https://docs.python.org/3/library/multiprocessing.html#programming-guidelines
# ("Joining processes that use queues").
# Run: [CLOSE=1] python3 mp_queue.py (hangs without the fix)
import multiprocessing
import os

CLOSE = os.environ.get("CLOSE", "0") == "1"  # the fix: get() before join()


def child(q):
    q.put(b"x" * 1_000_000)  # more than a pipe holds (64 KiB on Linux)


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=child, args=(q,))
    p.start()  # step: start
    if CLOSE:
        data = q.get()  # step: fix
        p.join()  # after get(): the child can exit
    else:
        p.join()  # step: join
        data = q.get()  # never reached: the child cannot exit
    print("got %d bytes" % len(data))
    print("main is done")  # step: main-end
