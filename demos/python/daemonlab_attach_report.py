# daemonlab_attach_report.py — run ONCE inside a live CPython process by `daemonlab attach`
# (lab/run/attach.cpp), in its main thread, as a pending call (Py_AddPendingCall), with the GIL.
#
# It writes a snapshot of every thread in the trace protocol (docs/TRACE-PROTOCOL.md) to the
# file OUT + "/trace", and every thread's Python stack in faulthandler's format to
# OUT + "/stacks", both created beforehand by the host in its private directory. The host
# passes OUT in the globals of exec(). The last line of the trace is `snapshot`: the host
# waits for it.
#
# Rules, because this runs inside somebody else's program:
# - never raise (an exception would be printed on the program's stderr, and a pending call
#   that fails makes the interrupted call raise SystemError): everything is in try/except;
# - import nothing the program has not imported (sys is always there); start no thread;
#   touch no object's state: frames are read, f_locals only of threading's and queue's own
#   frames;
# - open the files without creating them: when the host gave up waiting (a time-out) it
#   removed them, and a late run does nothing at all.


def _daemonlab_report(out):
    import sys

    mods = sys.modules
    th = mods.get("threading")
    tm = mods.get("time")
    now = tm.monotonic_ns() if tm else 0
    try:
        trace = open(out + "/trace", "r+", encoding="utf-8", errors="replace")
    except OSError:
        return  # the host is gone: do nothing
    lines = []
    dump = []
    mine = ("<daemonlab-attach>", "<string>")

    def esc(v, limit=1000):
        v = str(v)[:limit]
        return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    def emit(tid, kind, **fields):
        parts = ["%d\t%d\t%s" % (now, tid, kind)]
        for k, v in fields.items():
            if v is not None:
                parts.append("%s=%s" % (k.replace("_", "-"), esc(v)))
        line = "\t".join(parts)
        while len(line.encode("utf-8", "replace")) > 3990:
            line = line[: len(line) - 100]
        lines.append(line + "\n")

    def stack_of(frame):
        out_frames = []
        while frame is not None and len(out_frames) < 64:
            if frame.f_code.co_filename not in mine:
                out_frames.append(frame)
            frame = frame.f_back
        return out_frames  # innermost first

    def base(f):
        name = f.f_code.co_filename.replace("\\", "/")
        return name.rsplit("/", 1)[-1]

    def loc(f):
        return "%s:%d" % (f.f_code.co_filename, f.f_lineno or 0)

    def local(f, name):
        try:
            return f.f_locals.get(name)
        except Exception:
            return None

    def source_line(f):
        try:
            want = f.f_lineno or 0
            with open(f.f_code.co_filename, encoding="utf-8", errors="replace") as src:
                for n, text in enumerate(src, 1):
                    if n == want:
                        return text.strip()
                    if n > 50000:
                        break
        except Exception:
            pass
        return ""

    threads = {}  # ident -> Thread
    if th is not None:
        for t in list(th._active.values()) + list(getattr(th, "_limbo", {}).values()):
            if t.ident is not None:
                threads[t.ident] = t
    frames = sys._current_frames()
    import _thread

    here = _thread.get_ident()

    def tid_of(t, fallback):
        nid = getattr(t, "native_id", None) if t is not None else None
        return nid if nid is not None else fallback

    tids = {}
    for n, ident in enumerate(sorted(frames)):
        tids[ident] = tid_of(threads.get(ident), 2000000000 - n)
    for ident, t in threads.items():
        tids.setdefault(ident, tid_of(t, 1900000000 - len(tids)))

    def wait_of(stack):
        # What the thread waits for, from threading's, queue's, selectors' frames and the
        # innermost line: (on, timeout, target tid or None, where).
        Event = getattr(th, "Event", None) if th else None
        Thread = getattr(th, "Thread", None) if th else None
        where = loc(stack[0]) if stack else None
        for i, f in enumerate(stack):
            b, fn = base(f), f.f_code.co_name
            if b == "threading.py" and fn == "wait":
                me = local(f, "self")
                to = local(f, "timeout") is not None
                if Event is not None and isinstance(me, Event):
                    return "event", to, None, where
                nxt = stack[i + 1] if i + 1 < len(stack) else None
                if nxt is not None and base(nxt) == "threading.py" and nxt.f_code.co_name == "wait":
                    continue  # Event.wait, one frame out
                if nxt is not None and base(nxt) == "queue.py" and nxt.f_code.co_name == "get":
                    return "queue-get", local(nxt, "timeout") is not None, None, where
                return "condition", to, None, where
            if b == "threading.py" and fn in ("join", "_wait_for_tstate_lock"):
                me = local(f, "self")
                to = local(f, "timeout") not in (None, -1)
                if Thread is not None and isinstance(me, Thread):
                    return "join", to, tids.get(me.ident), where
            if b == "threading.py" and fn == "_shutdown":
                return "join", False, None, where
            if b == "queue.py" and fn == "get":
                return "queue-get", local(f, "timeout") is not None, None, where
            if b == "selectors.py" and fn == "select":
                return "select", local(f, "timeout") is not None, None, where
            if b == "ssl.py" and fn in ("read", "recv", "recv_into"):
                return "ssl-read", False, None, where
            if b == "socket.py" and fn in ("readinto", "accept"):
                return "socket-read", False, None, where
        if not stack:
            return None, False, None, where
        text = source_line(stack[0])
        for needle, on in (
            (".acquire(", "lock"),
            ("with ", "lock"),
            ("sleep(", "sleep"),
            (".recv", "socket-read"),
            (".accept(", "socket-read"),
            ("select(", "select"),
            (".poll(", "select"),
            (".join(", "join"),
            (".get(", "queue-get"),
            (".wait(", "event"),
        ):
            if needle in text:
                return on, False, None, where
        return None, False, None, where

    # The exit stage, from the main thread's stack (we run in it, under our own frames).
    main_t = th.main_thread() if th else None
    main_ident = main_t.ident if main_t is not None else here
    mstack = stack_of(sys._getframe()) if main_ident == here else stack_of(frames.get(main_ident))
    stage, hook, joined = "main", None, None
    shut = None
    for i, f in enumerate(mstack):
        if base(f) == "threading.py" and f.f_code.co_name == "_shutdown":
            shut = i
            break
    if shut is not None:
        stage = "join"
        inner = mstack[:shut]
        if inner:  # one of threading's own exit hooks runs (e.g. concurrent.futures')
            hf = inner[-1]
            stage = "threading-atexit"
            hook = "%s.%s" % (hf.f_globals.get("__name__", "?"), hf.f_code.co_name)
        else:
            lock = local(mstack[shut], "lock")
            for ident, t in threads.items():
                if lock is not None and getattr(t, "_tstate_lock", None) is lock:
                    joined = tids.get(ident)
            if joined is None:  # 3.13 joins in C (_thread._shutdown): the first one left
                for ident, t in sorted(threads.items(), key=lambda p: tids.get(p[0], 0)):
                    if ident != main_ident and not t.daemon and t.is_alive():
                        joined = tids.get(ident)
                        break
    elif not mstack or mstack[-1].f_code.co_name != "<module>":
        stage = "atexit" if mstack else "join"
        if mstack:
            hf = mstack[-1]
            hook = "%s.%s" % (hf.f_globals.get("__name__", "?"), hf.f_code.co_name)
    finalizing = getattr(sys, "is_finalizing", lambda: False)()
    if finalizing:
        stage = "finalize"

    emit(-1, "process", version=1, engine="cpython", program=(sys.argv or [""])[0],
         python="%d.%d.%d" % sys.version_info[:3])
    main_tid = tids.get(main_ident, -1)
    for ident in sorted(set(frames) | set(threads), key=lambda i: tids.get(i, 0)):
        t = threads.get(ident)
        tid = tids[ident]
        is_main = ident == main_ident
        if is_main:
            src = "main"
        elif t is None or type(t).__name__ == "_DummyThread":
            src = "dummy"
        else:
            src = "unknown"  # not started under the tracer: the creator is not known
        target = getattr(t, "_target", None) if t is not None else None
        tname = getattr(target, "__qualname__", None) if target is not None else None
        emit(tid, "thread", name=t.name if t is not None else "thread %d" % ident,
             daemon=1 if (t is not None and t.daemon and not is_main) or t is None else 0,
             source=src, ident=ident, target=tname)
        stack = mstack if is_main else stack_of(frames.get(ident))
        dump.append("Thread 0x%016x (most recent call first):\n" % ident)
        for f in stack:
            dump.append('  File "%s", line %d in %s\n' % (esc(f.f_code.co_filename, 500),
                                                          f.f_lineno or 0, f.f_code.co_name))
        dump.append("\n")
        if ident not in frames:
            emit(tid, "state", state="running")
            continue
        on, to, target_tid, where = wait_of(stack)
        if is_main and stage == "join" and joined is not None:
            on, to, target_tid = "join", False, joined
        if on is None:
            emit(tid, "state", state="running")
        else:
            emit(tid, "state", state="blocked", on=on, timeout=1 if to else 0,
                 target=target_tid, at=where)
    if stage != "main":
        emit(main_tid, "main-end")
        if hook and stage == "threading-atexit":
            emit(main_tid, "threading-atexit", name=hook)
        if stage == "join":
            emit(main_tid, "shutdown")
        if stage == "threading-atexit" and joined is None:
            joined = wait_of(mstack)[2]  # the thread the hook joins
        if joined is not None and stage in ("join", "threading-atexit"):
            emit(main_tid, "shutdown-wait", target=joined)
        if hook and stage == "atexit":
            emit(main_tid, "atexit", name=hook)
    emit(main_tid, "snapshot", stage=stage, threads=len(tids))
    try:
        with open(out + "/stacks", "r+", encoding="utf-8", errors="replace") as s:
            s.write("".join(dump))
    except OSError:
        pass
    trace.write("".join(lines))
    trace.close()


try:
    _daemonlab_report(OUT)  # noqa: F821 (given by the host)
except BaseException:
    pass
