#!/usr/bin/env python3
"""Two or more tracers side by side on one program, interleaved: the wall time of each run
with its trace (fd 3) into a pipe that a thread drains, as the host reads it.

    bench/tracer_ab.py RUNS PROGRAM.py TRACER_DIR...

TRACER_DIR: a directory holding daemonlab_tracer.py (demos/python of a checkout, e.g. a
worktree of an older commit). The program untraced comes first; each line gives the median
and its ratio to it. Run it without PYTHONDONTWRITEBYTECODE (the tracer is loaded from its
cached bytecode); the first three rounds are warm-ups."""
import os
import statistics
import subprocess
import sys
import threading
import time

PY = os.environ.get("PYTHON", "/usr/bin/python3")


def run(cmd, env):
    r, w = os.pipe()
    os.dup2(w, 3, inheritable=True)
    os.close(w)
    drain = threading.Thread(target=lambda: [None for _ in iter(lambda: os.read(r, 65536), b"")])
    drain.start()
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   pass_fds=(3,))
    dt = time.perf_counter() - t0
    os.dup2(os.open(os.devnull, os.O_RDONLY), 3)  # closes the write end: the drain ends
    drain.join()
    os.close(r)
    return dt * 1e3


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    runs, program, tracers = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    os.dup2(os.open(os.devnull, os.O_RDONLY), 3)  # fd 3 taken: pipe() never returns it
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmds = [[PY, program]] + [[PY, os.path.join(t, "daemonlab_tracer.py"), "--trace-fd", "3",
                               "--", program] for t in tracers]
    times = [[] for _ in cmds]
    for i in range(runs + 3):
        for k, cmd in enumerate(cmds):
            ms = run(cmd, env)
            if i >= 3:
                times[k].append(ms)
    base = statistics.median(times[0])
    for name, t in zip(["untraced"] + tracers, times):
        m = statistics.median(t)
        print("  %-40s median %6.1f ms  %.2fx" % (name[-40:], m, m / base))


if __name__ == "__main__":
    main()
