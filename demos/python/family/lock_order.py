# lock-order: two threads take two locks in opposite orders; main joins them. Every thread
# waits for another, before main ends. Run: python3 lock_order.py (hangs)
import threading

a, b = threading.Lock(), threading.Lock()
both = threading.Barrier(2)


def one():
    with a:
        both.wait()
        with b:
            pass


def two():
    with b:
        both.wait()
        with a:
            pass


threads = [threading.Thread(target=f, name=f.__name__) for f in (one, two)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("main is done")
