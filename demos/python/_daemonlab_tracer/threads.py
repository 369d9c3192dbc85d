# threads.py — every thread on the trace: who made it, where, with which daemon flag and
# where that flag came from (patches of threading.Thread); tracebacks without the tracer.

import os
import sys
import threading

from . import step, writer
from .writer import (_emit, _get_ident, _get_native_id, _is_ours, _tls, _tracer_error,
                     _TRACER_FILES, _OURS)

# --------------------------------------------------------------------------------------
# Names and places


_own_cache = {}
_program = {"path": "", "dir": "", "file": ""}


def _is_own(filename):
    """True for a file of the program itself (not the stdlib, a library or the tracer)."""
    r = _own_cache.get(filename)
    if r is None:
        if filename == _program["file"]:
            r = True
        elif filename.startswith("<") or filename in _TRACER_FILES:
            r = False
        else:
            # Under the program's directory, but not reached through another sys.path
            # entry there (./lib, ./venv/.../site-packages): those are libraries.
            p = os.path.realpath(filename)
            top = _program["dir"]
            r = p.startswith(top + os.sep) and p not in _TRACER_FILES
            if r:
                for entry in sys.path:
                    e = os.path.realpath(entry or ".")
                    if e != top and e.startswith(top + os.sep) and p.startswith(e + os.sep):
                        r = False
                        break
        _own_cache[filename] = r
    return r


def _where(frame):
    return "%s:%d" % (frame.f_code.co_filename, frame.f_lineno)


def _caller(frame):
    """The innermost frame that is not the tracer's, from `frame` outwards."""
    while frame is not None and id(frame.f_globals) in _OURS:
        frame = frame.f_back
    return frame


def _qualname(obj):
    f = getattr(obj, "__func__", obj)
    for attr in ("__qualname__", "__name__"):
        n = getattr(f, attr, None)
        if isinstance(n, str):
            return n
    if hasattr(f, "func"):  # functools.partial
        return _qualname(f.func)
    return type(obj).__name__


def _thread_by_ident(ident):
    try:
        return threading._active.get(ident)  # never creates a _DummyThread
    except Exception as e:  # a threading without _active: name the thread "Dummy"
        _tracer_error("_thread_by_ident", e)
        return None


def _strip_tracebacks(exc):
    """Unlinks the tracer's frames (its modules' and its entry point's) from exc's
    traceback (and its chained exceptions'), in place, so what Python prints is what it
    prints without the tracer."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        tb = exc.__traceback__
        while tb is not None and _is_ours(tb.tb_frame):
            tb = tb.tb_next
        head = tb
        while tb is not None:
            nxt = tb.tb_next
            while nxt is not None and _is_ours(nxt.tb_frame):
                nxt = nxt.tb_next
            if tb.tb_next is not nxt:
                tb.tb_next = nxt
            tb = nxt
        if exc.__traceback__ is not head:
            exc.__traceback__ = head
        for chained in (exc.__cause__, exc.__context__):
            if chained is not None and id(chained) not in seen:
                _strip_tracebacks(chained)
        return


# --------------------------------------------------------------------------------------
# Threads: who, where, which flag


class _Info(object):
    __slots__ = ("source", "creator", "creator_tid", "site", "origin", "target", "ws")


_infos = {}  # id(Thread) -> _Info, from its __init__ until it starts
_receiver = {"policy": "library"}
_library_sent = [False]


def _is_recv_events(target):
    f = getattr(target, "__func__", None)
    if f is None:
        return False
    mod = getattr(f, "__module__", None) or ""
    return getattr(f, "__name__", None) == "recv_events" and (
        mod == "websockets" or mod.startswith("websockets."))


def _is_websockets(target):
    f = getattr(target, "__func__", target)
    mod = getattr(f, "__module__", None) or ""
    return mod == "websockets" or mod.startswith("websockets.")


def _send_library(tid):
    if _library_sent[0]:
        return
    ws = sys.modules.get("websockets")
    if ws is None:
        return
    _library_sent[0] = True
    v = sys.modules.get("websockets.version")
    version = getattr(v, "version", None) or getattr(ws, "__version__", None) or "?"
    path = os.path.dirname(getattr(ws, "__file__", "") or "") or "?"
    _emit(tid, "library", ("name", "websockets"), ("version", version), ("path", path))


def _new_info(self, args, kwargs):
    """What Thread.__init__ is told and where it is called from; may set kwargs["daemon"]
    (the receiver policy)."""
    target = kwargs.get("target", args[1] if len(args) > 1 else None)
    daemon = kwargs.get("daemon")
    info = _Info()
    info.ws = target is not None and _is_websockets(target)
    policy = _receiver["policy"]
    if policy != "library" and target is not None and _is_recv_events(target):
        daemon = {"inherit": None, "daemon": True, "non-daemon": False}[policy]
        kwargs["daemon"] = daemon
    info.source = "inherited" if daemon is None else "explicit"
    me = _thread_by_ident(_get_ident())
    info.creator = me.name if me is not None else None
    info.creator_tid = _get_native_id()
    f = sys._getframe(2)
    # A subclass's __init__ calling super().__init__(): the site is where the object was
    # created, the outermost __init__ of this object.
    while (f.f_back is not None and f.f_code.co_name == "__init__"
           and f.f_locals.get("self") is self):
        f = f.f_back
    f = _caller(f)
    info.site = _where(f) if f is not None else None
    info.origin = None
    if f is not None and not _is_own(f.f_code.co_filename):
        g = f.f_back
        while g is not None and not _is_own(g.f_code.co_filename):
            g = g.f_back
        if g is not None:
            info.origin = _where(g)
    info.target = _qualname(target) if target is not None else None
    return info


def _install_threads():
    Thread = threading.Thread
    orig_init = Thread.__init__
    orig_bootstrap_inner = Thread._bootstrap_inner
    orig_daemon = Thread.daemon

    def __init__(self, *args, **kwargs):
        try:
            info = _new_info(self, args, kwargs)
        except Exception as e:
            _tracer_error("Thread.__init__", e)
            info = None
        orig_init(self, *args, **kwargs)
        if info is None:
            return
        try:
            if info.target is None and type(self).run is not Thread.run:
                info.target = _qualname(type(self).run)
            _infos[id(self)] = info
            # Uncaught exceptions in the thread: drop the tracer's frames from the
            # traceback threading.excepthook prints, and say so on the trace.
            invoke = self._invoke_excepthook

            def _invoke_excepthook(thread, _invoke=invoke):
                try:
                    e = sys.exc_info()[1]
                    _strip_tracebacks(e)
                    if e is not None and not isinstance(e, SystemExit):
                        _emit(_get_native_id(), "error", ("text", "%s: %s" % (
                            type(e).__name__, e)))
                except Exception as err:
                    _tracer_error("Thread._invoke_excepthook", err)
                _invoke(thread)

            self._invoke_excepthook = _invoke_excepthook
        except Exception as e:
            _tracer_error("Thread.__init__", e)

    def _set_daemon(self, daemonic):
        orig_daemon.fset(self, daemonic)
        try:
            info = _infos.get(id(self))
            if info is not None:
                info.source = "assigned"
        except Exception as e:
            _tracer_error("Thread.daemon", e)

    def _bootstrap_inner(self):
        tid = None
        try:
            tid = _get_native_id()
            _announce(self, tid)
            if step._stepper["on"]:
                sys.settrace(step._global_trace)
        except Exception as e:
            _tracer_error("Thread._bootstrap_inner", e)
        try:
            orig_bootstrap_inner(self)
        finally:
            if tid is not None:
                _emit(tid, "state", ("state", "done"))

    for name, fn in (("__init__", __init__), ("_bootstrap_inner", _bootstrap_inner)):
        orig = getattr(Thread, name)
        fn.__name__, fn.__qualname__, fn.__doc__ = orig.__name__, orig.__qualname__, orig.__doc__
        fn.__module__ = orig.__module__
        setattr(Thread, name, fn)
    Thread.daemon = property(orig_daemon.fget, _set_daemon, orig_daemon.fdel,
                             orig_daemon.__doc__)


def _announce(thread, tid):
    info = _infos.pop(id(thread), None)
    if info is None:
        info = _Info()
        info.source, info.creator, info.creator_tid = "inherited", None, None
        info.site = info.origin = info.target = None
        info.ws = False
    if info.ws:
        _send_library(tid)
    _tls.known = True
    _tls.tid = tid
    _emit(tid, "thread", ("name", thread.name), ("daemon", "1" if thread.daemon else "0"),
          ("source", info.source), ("creator", info.creator),
          ("creator-tid", info.creator_tid), ("ident", _get_ident()), ("site", info.site),
          ("origin", info.origin), ("target", info.target), ("pid", writer._trace.pid))
    _emit(tid, "state", ("state", "running"))


def _announce_unknown(tid):
    """A thread threading did not start (e.g. _thread.start_new_thread): `dummy`."""
    _tls.known = True
    _tls.tid = tid
    t = _thread_by_ident(_get_ident())
    _emit(tid, "thread", ("name", t.name if t is not None else "Dummy"), ("daemon", "1"),
          ("source", "dummy"), ("ident", _get_ident()), ("pid", writer._trace.pid))
