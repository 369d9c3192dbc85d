# -*- coding: utf-8 -*-
# _daemonlab_tracer.py — DaemonLab's tracer for an unmodified CPython program.
#
# Standard library only, CPython 3.9 to 3.13. It is started by its entry point,
# daemonlab_tracer.py, which only imports this module (an imported module is compiled once
# and then loaded from __pycache__; a script is compiled on every start). The host starts:
#
#   python3 daemonlab_tracer.py --trace-fd 3 [--control-fd 4] [--stack-fd 5]
#           [--stack-signal 12|SIGUSR2] [--receiver library|inherit|daemon|non-daemon]
#           [--pause NAME=LINE ...] -- PROGRAM.py [ARGS...]
#
# PROGRAM.py then runs as `__main__`, with sys.argv == [PROGRAM.py, ARGS...], its cwd and
# sys.path[0] as `python3 PROGRAM.py` gives them, and the tracer writes the trace protocol
# v1 (docs/TRACE-PROTOCOL.md) on --trace-fd: every thread (flag, where the flag came from,
# creator, site, target), what each thread is blocked on, how main ended, the shutdown in
# CPython's order (threading's hooks, the join of each non-daemon thread, atexit handlers,
# exit), and in step mode the pause points.
#
# Options
#   --trace-fd N       where events go (required; a pipe; EPIPE/EBADF are ignored).
#   --control-fd N     step mode: at a pause point the thread reads one line from N: `go`
#                      (go on), `run` or end of file (go on and never pause again).
#   --stack-fd N       every thread's Python stack is written on N, in faulthandler's format,
#   --stack-signal S   when the process gets signal S (default SIGUSR2), by a Python-level
#                      handler (GIL held: safe while threads move). Frames of this file
#                      appear in a dump (the handler, the wrappers around blocking calls):
#                      a reader should skip them.
#   --receiver P       library (default): leave websockets alone. inherit|daemon|non-daemon:
#                      give websockets' recv_events thread that daemon flag (inherit: as if
#                      no daemon= were given, as in websockets <= 12.0; daemon: >= 13.0).
#   --pause NAME=LINE  a pause point: before a thread runs line LINE of PROGRAM.py. Give
#                      the same LINE several times for a line that is reached several
#                      times (a with-statement's line is reached when the block is entered
#                      and again when it is left): the k-th time the line is reached pauses
#                      at the k-th NAME given for it; later times do not pause (3.9 does
#                      not reach a with-line again when the block is left). Without
#                      --control-fd a pause point only writes `step name=NAME`.
#                      The lessons' programs mark pause points with `# step: NAME[, NAME]`.
#
# Exit status: the program's own. 2 for a bad command line, a missing PROGRAM or a Python
# older than 3.9 (one line on stderr saying what is wrong and how to fix it).
#
# Not reported: `threading.Lock().acquire()` and other C-level lock waits (the locks are C
# objects; wrapping them would change their type). A wait on a Condition, Semaphore or
# Barrier shows as on=condition. atexit._ncallbacks() counts one extra callback per
# registered handler (the marker that writes `atexit name=...` just before it).
#
# This file must stay parseable by old Pythons so that they get the version message:
# no f-strings, no walrus, no print(file=...).

import sys

_MIN = (3, 9)

if sys.version_info < _MIN:
    sys.stderr.write(
        "daemonlab_tracer: this is Python %d.%d.%d at %s; the tracer needs Python 3.9 or "
        "newer. Install one (`apt-get install python3`) and point DaemonLab at it with "
        "--python PATH.\n" % (sys.version_info[0], sys.version_info[1], sys.version_info[2],
                              sys.executable or "?"))
    sys.exit(2)

# Only what any threaded program loads anyway: queue, selectors, socket and ssl are
# patched when the program imports them (see _PatchOnImport), which keeps start-up short.
import atexit  # noqa: E402
import builtins  # noqa: E402
import os  # noqa: E402
import select  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

_PROG_NAME = "daemonlab_tracer"
_MAX_LINE = 4000  # bytes, LF included (trace::kMaxLine)
_RECEIVER_POLICIES = ("library", "inherit", "daemon", "non-daemon")

_orig_select = select.select
_orig_sleep = time.sleep
_monotonic_ns = time.monotonic_ns
_get_native_id = threading.get_native_id
_get_ident = threading.get_ident
_os_write = os.write
_MY_GLOBALS = globals()
# The entry point's globals: it is __main__ until the program takes that name.
_BOOT_GLOBALS = getattr(sys.modules.get("__main__"), "__dict__", _MY_GLOBALS)
_TRACER_FILES = frozenset(
    p for f in (__file__, _BOOT_GLOBALS.get("__file__") or __file__)
    for p in (f, os.path.realpath(f)))


# --------------------------------------------------------------------------------------
# Writing events


class _Trace(object):
    fd = -1
    enabled = False


_trace = _Trace()


class _TLS(threading.local):
    depth = 0  # > 0: inside a wrapped blocking call (nested ones say nothing)
    known = False  # this thread's `thread` event was written
    tid = 0  # its native id, once known
    busy = False  # writing an event (reentrancy from a signal handler)


_tls = _TLS()
_write_lock = threading.Lock()


def _esc(value):
    if not isinstance(value, str):
        value = str(value)
    if "\\" in value or "\t" in value or "\n" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return value


def _line(tid, kind, fields):
    """One protocol line, LF included, at most _MAX_LINE bytes. `fields`: (key, value)
    pairs; a None value leaves its field out."""
    parts = ["%d\t%d\t%s" % (_monotonic_ns(), tid, kind)]
    for k, v in fields:
        if v is None:
            continue
        if v.__class__ is not str:
            v = str(v)
        if "\\" in v or "\t" in v or "\n" in v:
            v = _esc(v)
        parts.append("\t%s=%s" % (k, v))
    parts.append("\n")
    data = "".join(parts).encode("utf-8", "replace")
    if len(data) <= _MAX_LINE:
        return data
    return _fit(parts[0], [(k, v if v.__class__ is str else str(v))
                           for k, v in fields if v is not None])


def _fit(head, fields):
    """The slow path of _line: cut the longest values until the line fits."""
    keys = [k for k, _ in fields]
    raws = [v for _, v in fields]
    while True:
        text = head + "".join("\t%s=%s" % (k, _esc(v)) for k, v in zip(keys, raws)) + "\n"
        data = text.encode("utf-8", "replace")
        over = len(data) - _MAX_LINE
        if over <= 0:
            return data
        i = max(range(len(raws)), key=lambda j: len(raws[j])) if raws else -1
        if i < 0 or not raws[i]:
            return data[:_MAX_LINE - 1] + b"\n"
        # Cut enough characters for `over` bytes, given this value's bytes per character.
        per = len(_esc(raws[i]).encode("utf-8", "replace")) / float(len(raws[i]))
        raws[i] = raws[i][:max(0, len(raws[i]) - int(over / per) - 1)]


def _write(data):
    fd = _trace.fd
    waited = 0
    while True:
        try:
            n = _os_write(fd, data)
        except BlockingIOError:
            # The host is slow to read: wait a little, then drop the event rather than
            # hold the program up (a writer never blocks its program for long).
            if waited >= 10:
                return
            waited += 1
            try:
                _orig_select([], [fd], [], 0.01)
            except Exception:
                return
            continue
        except InterruptedError:
            continue
        except OSError:
            _trace.enabled = False  # EPIPE, EBADF: nobody is watching; stay silent
            return
        if n >= len(data):
            return
        data = data[n:]  # only after a partial write to a full non-blocking pipe


def _emit_raw(data):
    """Writes one ready line (the hot path of blocking calls)."""
    tls = _tls
    if tls.busy:
        return
    tls.busy = True
    try:
        with _write_lock:
            if _trace.enabled:
                _write(data)
    except Exception:
        pass
    finally:
        tls.busy = False


def _emit(tid, kind, *fields):
    """Writes one event. Never raises (except what a signal handler raises), never
    recurses into itself."""
    if not _trace.enabled:
        return
    try:
        tls = _tls
        if tls.busy:
            return
        tls.busy = True
    except Exception:
        return
    try:
        data = _line(tid, kind, fields)
        with _write_lock:  # so that nothing follows `exit`, even from a daemon thread
            if _trace.enabled:
                _write(data)
    except Exception:
        pass
    finally:
        try:
            tls.busy = False
        except Exception:
            pass


# --------------------------------------------------------------------------------------
# Names and places


_own_cache = {}
_program = {"path": "", "dir": "", "file": ""}


def _is_own(filename):
    """True for a file of the program itself (not the stdlib, a library or this file)."""
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
    """The innermost frame that is not this file's, from `frame` outwards."""
    while frame is not None and frame.f_globals is _MY_GLOBALS:
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
    except Exception:
        return None


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


def _install_threads():
    Thread = threading.Thread
    orig_init = Thread.__init__
    orig_bootstrap_inner = Thread._bootstrap_inner
    orig_daemon = Thread.daemon

    def __init__(self, *args, **kwargs):
        info = None
        try:
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
            f = sys._getframe(1)
            # A subclass's __init__ calling super().__init__(): the site is where the
            # object was created, the outermost __init__ of this object.
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
        except Exception:
            info = None
        orig_init(self, *args, **kwargs)
        if info is None:
            return
        try:
            if info.target is None and type(self).run is not Thread.run:
                info.target = _qualname(type(self).run)
            _infos[id(self)] = info
            # Uncaught exceptions in the thread: drop this file's frames from the
            # traceback threading.excepthook prints, and say so on the trace.
            invoke = self._invoke_excepthook

            def _invoke_excepthook(thread, _invoke=invoke):
                try:
                    e = sys.exc_info()[1]
                    _strip_tracebacks(e)
                    if e is not None and not isinstance(e, SystemExit):
                        _emit(_get_native_id(), "error", ("text", "%s: %s" % (
                            type(e).__name__, e)))
                except Exception:
                    pass
                _invoke(thread)

            self._invoke_excepthook = _invoke_excepthook
        except Exception:
            pass

    def _set_daemon(self, daemonic):
        orig_daemon.fset(self, daemonic)
        try:
            info = _infos.get(id(self))
            if info is not None:
                info.source = "assigned"
        except Exception:
            pass

    def _bootstrap_inner(self):
        tid = None
        try:
            tid = _get_native_id()
            _announce(self, tid)
            if _stepper["on"]:
                sys.settrace(_global_trace)
        except Exception:
            pass
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
          ("origin", info.origin), ("target", info.target))
    _emit(tid, "state", ("state", "running"))


def _announce_unknown(tid):
    """A thread threading did not start (e.g. _thread.start_new_thread): `dummy`."""
    _tls.known = True
    _tls.tid = tid
    t = _thread_by_ident(_get_ident())
    _emit(tid, "thread", ("name", t.name if t is not None else "Dummy"), ("daemon", "1"),
          ("source", "dummy"), ("ident", _get_ident()))


# --------------------------------------------------------------------------------------
# What a thread is blocked on


_quiet = set()  # code objects whose waits are not worth a line (Thread.start's)


_at_cache = {}


def _at(f):
    """`file:line`, escaped and bounded, for the `at` field (cached: it is hot)."""
    key = (f.f_code.co_filename, f.f_lineno)
    s = _at_cache.get(key)
    if s is None:
        s = _esc("%s:%d" % key)
        if len(s) > 900:
            s = _esc(("%s:%d" % key)[-800:])
        if len(_at_cache) < 20000:
            _at_cache[key] = s
    return s


def _enter(on, timeout, target=None):
    """Before a blocking call: writes `state blocked` and returns the tid, or None when
    this call is nested in another reported one (or anything goes wrong)."""
    try:
        tls = _tls
        if tls.depth or not _trace.enabled:
            return None
        tls.depth = 1
        f = sys._getframe(2)
        if f.f_code in _quiet:
            return -1  # quiet, and so are the calls nested in it
        if not tls.known:
            _announce_unknown(_get_native_id())
        tid = tls.tid
        while f is not None and f.f_globals is _MY_GLOBALS:
            f = f.f_back
        line = "%d\t%d\tstate\tstate=blocked\ton=%s%s%s%s\n" % (
            _monotonic_ns(), tid, on, "\ttimeout=1" if timeout else "",
            "" if target is None else "\ttarget=%d" % target,
            "" if f is None else "\tat=" + _at(f))
        _emit_raw(line.encode("utf-8", "replace"))
        return tid
    except Exception:
        return None


def _leave(tid):
    try:
        _tls.depth = 0
        if tid >= 0 and _trace.enabled:
            _emit_raw(b"%d\t%d\tstate\tstate=running\n" % (_monotonic_ns(), tid))
    except Exception:
        pass


def _same_face(fn, orig):
    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
        try:
            setattr(fn, attr, getattr(orig, attr))
        except Exception:
            pass
    return fn


class _Builtin(object):
    """A callable standing for a C function (time.sleep, select.select): unlike a Python
    function it does not become a method when stored in a class."""

    def __init__(self, call, orig):
        self._call = call
        self.__wrapped__ = orig
        for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
            try:
                setattr(self, attr, getattr(orig, attr, None))
            except Exception:
                pass

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    def __repr__(self):
        return repr(self.__wrapped__)


def _install_blocking():
    _quiet.add(threading.Thread.start.__code__)
    # threading.Event.wait / Condition.wait
    ev_wait = threading.Event.wait

    def wait(self, timeout=None):
        if self._flag:  # set already: it returns at once, nothing to report
            return ev_wait(self, timeout)
        tid = _enter("event", timeout is not None)
        try:
            return ev_wait(self, timeout)
        finally:
            if tid is not None:
                _leave(tid)

    threading.Event.wait = _same_face(wait, ev_wait)

    cond_wait = threading.Condition.wait

    def cwait(self, timeout=None):
        tid = _enter("condition", timeout is not None)
        try:
            return cond_wait(self, timeout)
        finally:
            if tid is not None:
                _leave(tid)

    threading.Condition.wait = _same_face(cwait, cond_wait)

    # Thread.join
    t_join = threading.Thread.join

    def join(self, timeout=None):
        tid = None
        try:
            if self._started.is_set():
                tid = _enter("join", timeout is not None, self.native_id)
        except Exception:
            pass
        try:
            return t_join(self, timeout)
        finally:
            if tid is not None:
                _leave(tid)

    threading.Thread.join = _same_face(join, t_join)

    # time.sleep
    def sleep(secs):
        tid = _enter("sleep", True) if secs else None
        try:
            return _orig_sleep(secs)
        finally:
            if tid is not None:
                _leave(tid)

    time.sleep = _Builtin(sleep, _orig_sleep)

    # select.select
    def select_(rlist, wlist, xlist, timeout=None):
        tid = None if timeout == 0 else _enter("select", timeout is not None)
        try:
            return _orig_select(rlist, wlist, xlist, timeout)
        finally:
            if tid is not None:
                _leave(tid)

    select.select = _Builtin(select_, _orig_select)

    sys.meta_path.insert(0, _PatchOnImport())
    for name in list(_LAZY):
        if name in sys.modules:
            _LAZY.pop(name)(sys.modules[name])


def _patch_queue(queue):
    q_get = queue.Queue.get

    empty = queue.Empty

    def get(self, block=True, timeout=None):
        if not block:
            return q_get(self, False)
        try:  # an item is there: it returns at once, nothing to report
            return q_get(self, False)
        except empty:
            pass
        tid = _enter("queue-get", timeout is not None)
        try:
            return q_get(self, block, timeout)
        finally:
            if tid is not None:
                _leave(tid)

    queue.Queue.get = _same_face(get, q_get)


def _patch_selectors(selectors):
    def wrap_selector(cls):
        orig = cls.__dict__["select"]

        def sel(self, timeout=None):
            tid = None
            if timeout is None or timeout > 0:
                tid = _enter("select", timeout is not None)
            try:
                return orig(self, timeout)
            finally:
                if tid is not None:
                    _leave(tid)

        cls.select = _same_face(sel, orig)

    for name in dir(selectors):
        cls = getattr(selectors, name)
        if isinstance(cls, type) and issubclass(cls, selectors.BaseSelector) \
                and "select" in cls.__dict__ \
                and not getattr(cls.__dict__["select"], "__isabstractmethod__", False):
            wrap_selector(cls)


def _wrap_socket_read(cls, name, on):
    orig = getattr(cls, name)

    def read(self, *args, **kwargs):
        tid = None
        if not _tls.depth:
            t = self.gettimeout()
            if t != 0.0:
                tid = _enter(on, t is not None)
        try:
            return orig(self, *args, **kwargs)
        finally:
            if tid is not None:
                _leave(tid)

    setattr(cls, name, _same_face(read, orig))


def _patch_socket(socket):
    # socket.socket is a Python subclass of the C _socket.socket.
    for name in ("recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "accept"):
        if hasattr(socket.socket, name):
            _wrap_socket_read(socket.socket, name, "socket-read")


def _patch_ssl(ssl):
    for name in ("recv", "recv_into", "read"):
        _wrap_socket_read(ssl.SSLSocket, name, "ssl-read")


_LAZY = {"queue": _patch_queue, "selectors": _patch_selectors, "socket": _patch_socket,
         "ssl": _patch_ssl}


class _PatchOnImport(object):
    """A meta path finder that only steps in for the modules in _LAZY: it lets the other
    finders find them, and patches them once they have run. The module's __loader__ and
    __spec__.loader stay the real ones."""

    def find_spec(self, name, path=None, target=None):
        if name not in _LAZY:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        real = spec.loader
        if real is None or not hasattr(real, "exec_module"):
            return spec
        spec.loader = _PatchingLoader(real)
        return spec


class _PatchingLoader(object):
    def __init__(self, real):
        self.real = real

    def create_module(self, spec):
        return self.real.create_module(spec)

    def exec_module(self, module):
        try:
            module.__loader__ = self.real
            module.__spec__.loader = self.real
        except Exception:
            pass
        self.real.exec_module(module)
        patch = _LAZY.pop(module.__name__, None)
        if patch is not None:
            try:
                patch(module)
            except Exception:
                pass


# --------------------------------------------------------------------------------------
# Tracebacks without the tracer's frames


def _is_tracer_frame(frame):
    g = frame.f_globals
    return g is _MY_GLOBALS or g is _BOOT_GLOBALS


def _strip_tracebacks(exc):
    """Unlinks the tracer's frames (this module's and its entry point's) from exc's
    traceback (and its chained exceptions'), in place, so what Python prints is what it
    prints without the tracer."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        tb = exc.__traceback__
        while tb is not None and _is_tracer_frame(tb.tb_frame):
            tb = tb.tb_next
        head = tb
        while tb is not None:
            nxt = tb.tb_next
            while nxt is not None and _is_tracer_frame(nxt.tb_frame):
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
# The shutdown


_orig_atexit_register = atexit.register
_orig_atexit_unregister = atexit.unregister
_end = {"code": 0, "sigint": False, "main_tid": 0}
_hook_names = {}


class _AtexitMarker(object):
    """Registered just after a program's handler, so it runs just before it (LIFO) and
    writes `atexit name=...`; the handler itself is registered as is, so what it prints
    when it fails, and atexit.unregister(handler), are unchanged."""
    __slots__ = ("func", "name", "live")

    def __init__(self, func):
        self.func, self.name, self.live = func, _qualname(func), True

    def __call__(self):
        if self.live:
            _emit(_get_native_id(), "atexit", ("name", self.name))


_markers = []


def _install_atexit():
    def register(func, *args, **kwargs):
        result = _orig_atexit_register(func, *args, **kwargs)
        try:
            m = _AtexitMarker(func)
            _markers.append(m)
            _orig_atexit_register(m)
            _emit(_get_native_id(), "atexit-register", ("name", m.name))
        except Exception:
            pass
        return result

    def unregister(func):
        _orig_atexit_unregister(func)
        for m in _markers:
            try:
                if m.func == func:
                    m.live = False
            except Exception:
                pass

    atexit.register = _same_face(register, _orig_atexit_register)
    atexit.unregister = _same_face(unregister, _orig_atexit_unregister)

    orig_reg = getattr(threading, "_register_atexit", None)
    if orig_reg is not None:
        def _register_atexit(func, *arg, **kwargs):
            orig_reg(func, *arg, **kwargs)
            try:
                _hook_names[id(threading._threading_atexits[-1])] = _qualname(func)
            except Exception:
                pass

        threading._register_atexit = _same_face(_register_atexit, orig_reg)

    # Registered first, so it runs last: the interpreter ends the process next.
    _orig_atexit_register(_at_exit)


def _at_exit():
    try:
        data = _line(_get_native_id(), "exit", (("code", _end["code"]),))
    except Exception:
        data = None
    with _write_lock:  # one hold: no daemon thread can slip a line in after `exit`
        if _trace.enabled and data is not None:
            try:
                _write(data)
            except Exception:
                pass
        _trace.enabled = False  # the last line: daemon threads that still run say no more
    if _end["sigint"]:
        # An uncaught KeyboardInterrupt: CPython ends the process by SIGINT after its
        # finalization; do the same, with stdout and stderr flushed first.
        for f in (sys.stdout, sys.stderr):
            try:
                f.flush()
            except Exception:
                pass
        try:
            import signal
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        except Exception:
            pass


class _LockProxy(object):
    """Stands for a non-daemon thread's _tstate_lock in threading._shutdown_locks during the
    join (3.9 to 3.12): hashes and compares equal to the real lock, and says which thread
    the interpreter waits for before it waits."""
    __slots__ = ("lock", "target")

    def __init__(self, lock, target):
        self.lock, self.target = lock, target

    def __hash__(self):
        return hash(self.lock)

    def __eq__(self, other):
        return other is self.lock or (isinstance(other, _LockProxy) and other.lock is self.lock)

    def __ne__(self, other):
        return not self.__eq__(other)

    def locked(self):
        return self.lock.locked()

    def acquire(self, *args, **kwargs):
        me = _end["main_tid"]
        if self.target is not None and self.lock.locked():
            _emit(me, "shutdown-wait", ("target", self.target))
            _emit(me, "state", ("state", "blocked"), ("on", "join"), ("target", self.target))
        try:
            return self.lock.acquire(*args, **kwargs)
        finally:
            if self.target is not None:
                _emit(me, "state", ("state", "running"))

    def release(self):
        self.lock.release()
        _wrap_shutdown_locks()  # threads started meanwhile: the loop goes round again

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def _wrap_shutdown_locks():
    try:
        locks = threading._shutdown_locks
        owners = {}
        for t in list(threading._active.values()):
            lk = getattr(t, "_tstate_lock", None)
            if lk is not None:
                owners[id(lk)] = t.native_id
        with threading._shutdown_locks_lock:
            real = [lk for lk in locks if not isinstance(lk, _LockProxy)]
            for lk in real:
                locks.discard(lk)
                locks.add(_LockProxy(lk, owners.get(id(lk))))
    except Exception:
        pass


def _shutdown_begins():
    """The last of threading's exit hooks: the join of non-daemon threads comes next."""
    try:
        me = _end["main_tid"]
        _emit(me, "shutdown")
        if hasattr(threading, "_shutdown_locks"):
            _wrap_shutdown_locks()
            return
        # 3.13+: the join is in C (_thread._shutdown). Say which thread it waits for
        # first, and that main waits until the atexit handlers begin.
        for t in list(threading._active.values()):
            if not t.daemon and t is not threading.main_thread() and t.is_alive():
                _emit(me, "shutdown-wait", ("target", t.native_id))
                _emit(me, "state", ("state", "blocked"), ("on", "join"),
                      ("target", t.native_id))
                _orig_atexit_register(lambda: _emit(me, "state", ("state", "running")))
                break
    except Exception:
        pass


def _instrument_shutdown():
    """At main's end: name threading's exit hooks as they run, and mark the join."""
    try:
        hooks = threading._threading_atexits
        marked = []
        for call in hooks:
            name = _hook_names.get(id(call)) or _qualname(call)

            def marker(name=name):
                _emit(_get_native_id(), "threading-atexit", ("name", name))

            marked.append(call)
            marked.append(marker)  # runs just before `call` (they run newest first)
        hooks[:] = [_shutdown_begins] + marked
    except Exception:
        pass


# --------------------------------------------------------------------------------------
# Step mode


_stepper = {"on": False, "lines": {}, "hits": {}, "control": -1, "stepping": False}
_pause_lock = threading.Lock()


def _read_control():
    fd = _stepper["control"]
    buf = b""
    while len(buf) < 256:
        try:
            c = os.read(fd, 1)
        except InterruptedError:
            continue
        except OSError:
            return "run"
        if not c:
            return "run"
        if c == b"\n":
            return buf.decode("utf-8", "replace").strip()
        buf += c
    return "run"


def _pause(name):
    tid = _get_native_id()
    _emit(tid, "step", ("name", name))
    if _stepper["control"] < 0:
        return
    with _pause_lock:
        if not _stepper["stepping"]:
            return
        _emit(tid, "state", ("state", "paused"), ("step", name))
        if _read_control() != "go":
            _stepper["stepping"] = False
        _emit(tid, "state", ("state", "running"))


def _local_trace(frame, event, arg):
    if event == "line":
        names = _stepper["lines"].get(frame.f_lineno)
        if names:
            hits = _stepper["hits"]
            k = hits.get(frame.f_lineno, 0)
            hits[frame.f_lineno] = k + 1
            if k < len(names):
                try:
                    _pause(names[k])
                except Exception:
                    pass
    return _local_trace


def _global_trace(frame, event, arg):
    if frame.f_code.co_filename == _program["file"]:
        return _local_trace
    return None


# --------------------------------------------------------------------------------------
# Command line and running the program


def _usage_error(what):
    sys.stderr.write(
        "%s: %s\nusage: python3 daemonlab_tracer.py --trace-fd N [--control-fd N] "
        "[--stack-fd N] [--stack-signal SIG] [--receiver library|inherit|daemon|non-daemon] "
        "[--pause NAME=LINE ...] -- PROGRAM.py [ARGS...]\n" % (_PROG_NAME, what))
    sys.exit(2)


def _parse_fd(opt, s):
    try:
        fd = int(s)
        if fd < 0:
            raise ValueError
        os.fstat(fd)
    except ValueError:
        _usage_error("%s needs a file descriptor number, not %r" % (opt, s))
    except OSError:
        _usage_error("%s %s: that file descriptor is not open (the host must pass it "
                     "open)" % (opt, s))
    return fd


def _parse_args(argv):
    opts = {"trace": -1, "control": -1, "stack": -1, "signal": "SIGUSR2",
            "receiver": "library", "pauses": []}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if not a.startswith("--"):
            break
        if "=" in a and a.split("=", 1)[0] in ("--trace-fd", "--control-fd", "--stack-fd",
                                                  "--stack-signal", "--receiver"):
            a, v = a.split("=", 1)
            argv = argv[:i] + [a, v] + argv[i + 1:]
        if a not in ("--trace-fd", "--control-fd", "--stack-fd", "--stack-signal",
                     "--receiver", "--pause"):
            _usage_error("unknown option %s" % a)
        if i + 1 >= len(argv):
            _usage_error("%s needs a value" % a)
        v = argv[i + 1]
        i += 2
        if a == "--trace-fd":
            opts["trace"] = _parse_fd(a, v)
        elif a == "--control-fd":
            opts["control"] = _parse_fd(a, v)
        elif a == "--stack-fd":
            opts["stack"] = _parse_fd(a, v)
        elif a == "--stack-signal":
            opts["signal"] = v
        elif a == "--receiver":
            if v not in _RECEIVER_POLICIES:
                _usage_error("--receiver must be one of %s, not %r"
                             % ("|".join(_RECEIVER_POLICIES), v))
            opts["receiver"] = v
        elif a == "--pause":
            name, _, line = v.rpartition("=")
            if not name or not line.isdigit() or int(line) < 1:
                _usage_error("--pause needs NAME=LINE (LINE a line number of PROGRAM.py), "
                             "not %r" % v)
            opts["pauses"].append((name, int(line)))
    if i >= len(argv):
        _usage_error("no PROGRAM.py given (put it after --)")
    if opts["trace"] < 0:
        _usage_error("--trace-fd is required")
    return opts, argv[i], argv[i + 1:]


def _open_trace(fd):
    _trace.fd = fd
    try:
        os.set_blocking(fd, False)
    except OSError:
        pass
    _trace.enabled = True


def _private(fd):
    """The host's fds are ours alone: not inherited by the program's children."""
    if fd >= 0:
        try:
            os.set_inheritable(fd, False)
        except OSError:
            pass


def _fail(what, tid):
    sys.stderr.write("%s: %s\n" % (_PROG_NAME, what))
    _emit(tid, "error", ("text", what))
    sys.exit(2)


def main(argv):
    opts, prog, args = _parse_args(argv)
    for fd in (opts["trace"], opts["control"], opts["stack"]):
        _private(fd)
    _open_trace(opts["trace"])
    _receiver["policy"] = opts["receiver"]
    tid = _get_native_id()
    _end["main_tid"] = tid
    _tls.known = True
    _tls.tid = tid
    _emit(tid, "process", ("version", "1"), ("pid", os.getpid()), ("engine", "cpython"),
          ("program", prog), ("python", sys.version.split()[0]),
          ("receiver", opts["receiver"]))
    _emit(tid, "thread", ("name", threading.main_thread().name), ("daemon", "0"),
          ("source", "main"), ("ident", _get_ident()))
    _emit(tid, "state", ("state", "running"))

    # The program, as `python3 PROGRAM.py` would find it.
    abs_path = prog if os.path.isabs(prog) else os.path.join(os.getcwd(), prog)
    if not os.path.exists(prog):
        _fail("can't open PROGRAM %r: no such file (give the path of a Python file; a "
              "relative path is taken from the current directory %s)" % (prog, os.getcwd()),
              tid)
    if os.path.isdir(prog):
        _fail("PROGRAM %r is a directory; give a Python file" % prog, tid)
    try:
        with open(prog, "rb") as f:
            source = f.read()
    except OSError as e:
        _fail("can't read PROGRAM %r: %s" % (prog, e.strerror or e), tid)

    _program["file"] = abs_path
    _program["path"] = prog
    _program["dir"] = os.path.dirname(os.path.realpath(prog))

    if opts["stack"] >= 0:
        import signal
        v = opts["signal"]
        try:
            signum = int(v) if v.isdigit() else int(getattr(signal, v.upper()))
        except (AttributeError, ValueError, TypeError):
            _usage_error("--stack-signal needs a signal number or name, not %r" % v)
        _stack["fd"] = opts["stack"]
        try:
            signal.signal(signum, _dump_stacks)
        except (OSError, ValueError, RuntimeError) as e:
            _emit(tid, "error", ("text", "cannot listen for stack requests: %s" % e))

    _install_threads()
    _install_blocking()
    _install_atexit()
    if opts["pauses"]:
        lines = {}
        for name, line in opts["pauses"]:
            lines.setdefault(line, []).append(name)
        _stepper.update(lines=lines, control=opts["control"],
                        stepping=opts["control"] >= 0, on=True)
    try:
        os.register_at_fork(after_in_child=_forked)
    except Exception:
        pass

    # sys.path[0]: the directory of the script, symlinks resolved (what CPython computes),
    # in place of this file's directory; untouched under -P / PYTHONSAFEPATH.
    here = os.path.dirname(os.path.realpath(__file__))
    if not getattr(sys.flags, "safe_path", False) and sys.path and \
            os.path.realpath(sys.path[0] or ".") == here:
        sys.path[0] = os.path.dirname(os.path.realpath(prog))
    sys.argv[:] = [prog] + args

    mod = type(sys)("__main__")
    mod.__file__ = abs_path
    mod.__cached__ = None
    mod.__builtins__ = builtins
    mod.__spec__ = None
    mod.__package__ = None
    if "__annotations__" in _BOOT_GLOBALS:  # CPython gives __main__ one (3.13 and older)
        mod.__annotations__ = {}
    try:
        mod.__loader__ = type(__loader__)("__main__", abs_path)  # noqa: F821
    except Exception:
        mod.__loader__ = None
    sys.modules["__main__"] = mod
    _run(source, abs_path, mod, tid)


_stack = {"fd": -1}


def _dump_stacks(signum, frame):
    """Every thread's Python stack, in faulthandler's format, on the stack fd.

    A Python-level signal handler, not faulthandler's: it runs in the main thread with the
    GIL held (also while main waits in threading._shutdown: that lock wait is interruptible),
    so it reads every thread's frames safely. faulthandler's C handler reads them without the
    GIL and can crash a process whose threads are still moving (seen: SIGSEGV, 2 in 30 runs).
    """
    fd = _stack["fd"]
    if fd < 0:
        return
    try:
        out = []
        for ident, top in sys._current_frames().items():
            out.append("Thread 0x%016x (most recent call first):\n" % ident)
            depth = 0
            f = top
            while f is not None and depth < 100:
                code = f.f_code
                out.append('  File "%s", line %d in %s\n' % (code.co_filename, f.f_lineno or 0,
                                                            code.co_name))
                f = f.f_back
                depth += 1
            out.append("\n")
        data = "".join(out).encode("utf-8", "replace")
        while data:
            n = _os_write(fd, data[:65536])
            data = data[n:]
    except Exception:
        pass


def _untrace():
    if _stepper["on"]:
        sys.settrace(None)


def _forked():
    _trace.enabled = False  # a child must not write on its parent's trace


def _exit_code(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1


def _run(source, abs_path, mod, tid):
    try:
        code = compile(source, abs_path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        del source
        text = "%s: %s" % (type(e).__name__, e)
        _emit(tid, "error", ("text", text))
        _emit(tid, "main-end", ("how", "exception"), ("code", "1"),
              ("exception", type(e).__name__), ("text", text))
        _end["code"] = 1
        _instrument_shutdown()
        e.__traceback__ = None
        _report(e)
        raise SystemExit(1)
    del source
    if _stepper["on"]:
        sys.settrace(_global_trace)
    try:
        exec(code, mod.__dict__)
    except SystemExit as e:
        _untrace()
        _end["code"] = _exit_code(e)
        _emit(tid, "main-end", ("how", "exit"), ("code", _end["code"]))
        _send_library(tid)
        _instrument_shutdown()
        raise
    except BaseException as e:
        _untrace()
        _strip_tracebacks(e)
        sigint = isinstance(e, KeyboardInterrupt)
        _end["code"] = 130 if sigint else 1
        _end["sigint"] = sigint
        try:
            import traceback
            text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        except Exception:
            text = "%s: %s" % (type(e).__name__, e)
        _emit(tid, "main-end", ("how", "exception"), ("code", _end["code"]),
              ("exception", type(e).__name__), ("text", text))
        _send_library(tid)
        _instrument_shutdown()
        _report(e)
        del e
        raise SystemExit(1)
    else:
        _untrace()
        _emit(tid, "main-end", ("how", "return"), ("code", "0"))
        _send_library(tid)
        _instrument_shutdown()


def _report(e):
    """What PyErr_Print does with an uncaught exception: sys.last_*, then sys.excepthook."""
    tb = e.__traceback__
    sys.last_type, sys.last_value, sys.last_traceback = type(e), e, tb
    if sys.version_info >= (3, 12):
        sys.last_exc = e
    hook = getattr(sys, "excepthook", None)
    try:
        if hook is None:
            raise RuntimeError("lost sys.excepthook")
        hook(type(e), e, tb)
    except BaseException as err:
        try:
            sys.stderr.write("Error in sys.excepthook:\n")
            sys.__excepthook__(type(err), err, err.__traceback__)
            sys.stderr.write("\nOriginal exception was:\n")
            sys.__excepthook__(type(e), e, tb)
        except Exception:
            pass

