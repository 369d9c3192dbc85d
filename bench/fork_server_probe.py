# fork_server_probe.py — would a pre-imported interpreter forked per cell (a fork server)
# make the CPython matrix cheaper? The CPU time of one cell's interpreter, each way in turn:
#   fresh:   a new `python3 -c CELL` (start-up, `import websockets.sync.client`, exit);
#   forked:  a child forked from this process, which imported websockets.sync.client once,
#            running the same CELL and then ending as every run ends (sys.exit: the
#            interpreter finalizes);
#   frozen:  the same, with gc.freeze() before the fork (the collector never walks what
#            the parent imported, so the child does not copy those pages to mark them);
#   _exit:   the forked child ending with os._exit, no finalization: not how a run ends,
#            shown only to say where the time goes.
# Usage: python3 bench/fork_server_probe.py [N]    (websockets importable: PYTHONPATH=...)
import gc
import os
import resource
import subprocess
import sys

import websockets.sync.client  # noqa: F401  (the fork server's import, once)

CELL = "import threading; t = threading.Thread(target=print); t.start(); t.join()"
N = int(sys.argv[1]) if len(sys.argv) > 1 else 20


def children_cpu_ms():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * 1000


def fresh():
    subprocess.run([sys.executable, "-c", "import websockets.sync.client\n" + CELL],
                   stdout=subprocess.DEVNULL, check=True)


def forked(finalize=True, freeze=False):
    if freeze:
        gc.freeze()
    pid = os.fork()
    if pid == 0:
        sys.stdout = open(os.devnull, "w")
        exec(CELL, {})
        if finalize:
            sys.exit(0)
        os._exit(0)
    if freeze:
        gc.unfreeze()
    os.waitpid(pid, 0)


ways = {"fresh interpreter": fresh,
        "forked, finalizes as a run ends": forked,
        "forked after gc.freeze(), finalizes": lambda: forked(freeze=True),
        "forked, os._exit (no finalization)": lambda: forked(finalize=False)}
spent = dict.fromkeys(ways, 0.0)
for _ in range(N):
    for name, way in ways.items():
        before = children_cpu_ms()
        way()
        spent[name] += children_cpu_ms() - before
print("%s, %d rounds:" % (sys.version.split()[0], N))
for name in ways:
    print("  %-38s %6.1f ms of CPU a cell" % (name, spent[name] / N))
