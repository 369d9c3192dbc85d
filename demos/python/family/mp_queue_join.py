# mp-queue-join: the documented "joining processes that use queues" deadlock. The child
# puts more than a pipe holds; its exit joins the queue's feeder thread, which waits for
# the parent to read; the parent joins the child before it reads.
# Run: python3 mp_queue_join.py (hangs)
import multiprocessing


def child(q):
    q.put(b"x" * 1_000_000)


if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=child, args=(q,))
    p.start()
    p.join()  # before q.get(): deadlock
    print(len(q.get()))
