# mp-forkserver-join: mp-queue-join with the forkserver start method: multiprocessing's fork
# server (a helper process) forks the child. The same deadlock: the child's exit joins its
# queue's feeder thread, which waits for the parent to read; the parent joins the child
# before it reads.
# Run: python3 mp_forkserver_join.py (hangs)
import multiprocessing


def child(q):
    q.put(b"x" * 1_000_000)


if __name__ == "__main__":
    multiprocessing.set_start_method("forkserver")
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=child, args=(q,))
    p.start()
    p.join()  # before q.get(): deadlock
    print(len(q.get()))
