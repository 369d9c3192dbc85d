# waits.py — what a thread is blocked on: wrappers around the blocking calls (Event and
# Condition waits, Thread.join, time.sleep, select.select) installed at start, and around
# queue, selectors, socket and ssl when the program imports them (_PatchOnImport).

import select
import sys
import threading
import time

from . import writer
from .threads import _announce_unknown, _is_own
from .writer import (_OURS, _defer, _esc, _get_native_id, _monotonic_ns, _resume, _tls,
                     _trace, _tracer_error)

_orig_select = select.select
_orig_sleep = time.sleep

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


_MAX_WAIT_S = 1e8  # a deadline further than ~3 years is written as none (TIMEOUT_MAX)


def _timeout_fields(timeout, now):
    """`timeout=1` and, when the timeout is known in seconds, `deadline=` (the monotonic ns
    at which the wait gives up, from `now`): None/False, no deadline; True, one of unknown
    length."""
    if timeout is None or timeout is False:
        return ""
    if timeout is True:
        return "\ttimeout=1"
    try:
        secs = float(timeout)
        if secs < 0 or secs > _MAX_WAIT_S:
            return "\ttimeout=1"
        return "\ttimeout=1\tdeadline=%d" % (now + int(secs * 1e9))
    except (TypeError, ValueError, OverflowError):
        return "\ttimeout=1"


_call_cache = {}
# Code objects where a process's own story starts (multiprocessing's Process._bootstrap, in a
# child that fork() gave its parent's stack): the call is looked for below them only.
_roots = set()


def _call(f):
    """The function the program called that waits: the frame's own function when it is the
    program's, else the outermost library frame that the program's code called (e.g.
    `ThreadingMixIn.server_close`), else the frame's own (a thread with no program frame)."""
    code = f.f_code
    name = _call_cache.get(code)
    if name is None:
        name = getattr(code, "co_qualname", code.co_name)
        if len(_call_cache) < 20000:
            _call_cache[code] = name
    if _is_own(code.co_filename):
        return name
    g = f
    for _ in range(40):
        b = g.f_back
        if b is None or id(b.f_globals) in _OURS:
            break
        if b.f_code in _roots:
            return getattr(g.f_code, "co_qualname", g.f_code.co_name)
        if _is_own(b.f_code.co_filename):
            return getattr(g.f_code, "co_qualname", g.f_code.co_name)
        g = b
    return name


def _enter(on, timeout, target=None, call=None):
    """Before a blocking call: the `state blocked` line (writer._defer) and the tid, or None
    when this call is nested in another reported one (or the tracer failed: reported).
    timeout: None (no deadline), True (a deadline of unknown length) or seconds.
    Only what cannot wait is taken here (the time, the frame): the line is made when it is
    written (_blocked_line), and a wait that ends while it is held is never made at all.
    This is the hot path of a program that trades Events: it stays short."""
    tls = _tls
    try:
        if tls.depth or not _trace.enabled:
            return None
        tls.depth = 1
        f = sys._getframe(2)
        if f.f_code in _quiet:
            return -1  # quiet, and so are the calls nested in it
        if not tls.known:
            _announce_unknown(_get_native_id())
        tid = tls.tid
        _defer(tid, (_monotonic_ns(), tid, on, timeout, target, f, call))
        return tid
    except Exception as e:
        tls.depth = 0  # no _leave follows a None: this thread must not stay silent
        _tracer_error("_enter " + on, e)
        return None


def _blocked_line(wait):
    """A held wait (from _enter) as its `state blocked` line. Its thread is still in that
    wait (a wait that ended is no longer held: writer._resume), so its frames are still
    there and where they stand. Called with the write lock held: never raises."""
    now, tid, on, timeout, target, f, call = wait
    try:
        while f is not None and id(f.f_globals) in _OURS:
            f = f.f_back
        if f is not None and call is None:
            call = _call(f)
        at = "" if f is None else "\tat=" + _at(f)
    except Exception:
        at, call = "", None  # a frame that cannot be read: the line without where
    line = "%d\t%d\tstate\tstate=blocked\ton=%s%s%s%s%s\n" % (
        now, tid, on, _timeout_fields(timeout, now),
        "" if target is None else "\ttarget=%d" % target, at,
        "" if not call else "\tcall=" + _esc(call[:200]))
    return line.encode("utf-8", "replace")


writer._blocked_line = _blocked_line


def _leave(tid):
    try:
        _tls.depth = 0
        if tid >= 0 and _trace.enabled:
            _resume(tid)
    except Exception as e:
        _tracer_error("_leave", e)


def _same_face(fn, orig):
    for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
        try:
            setattr(fn, attr, getattr(orig, attr))
        except (AttributeError, TypeError):
            pass  # a name the original lacks: the wrapper keeps its own; only looks
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
            except (AttributeError, TypeError):
                pass  # as in _same_face: only looks

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
        tid = _enter("event", timeout)
        try:
            return ev_wait(self, timeout)
        finally:
            if tid is not None:
                _leave(tid)

    threading.Event.wait = _same_face(wait, ev_wait)

    cond_wait = threading.Condition.wait

    def cwait(self, timeout=None):
        tid = _enter("condition", timeout)
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
                tid = _enter("join", timeout, self.native_id)
        except Exception as e:
            _tracer_error("Thread.join", e)
        try:
            return t_join(self, timeout)
        finally:
            if tid is not None:
                _leave(tid)

    threading.Thread.join = _same_face(join, t_join)

    # time.sleep
    def sleep(secs):
        tid = _enter("sleep", secs) if secs else None
        try:
            return _orig_sleep(secs)
        finally:
            if tid is not None:
                _leave(tid)

    time.sleep = _Builtin(sleep, _orig_sleep)

    # select.select
    def select_(rlist, wlist, xlist, timeout=None):
        tid = None if timeout == 0 else _enter("select", timeout)
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
        tid = _enter("queue-get", timeout)
        try:
            return q_get(self, block, timeout)
        finally:
            if tid is not None:
                _leave(tid)

    queue.Queue.get = _same_face(get, q_get)

    # SimpleQueue is a C type (websockets' sync Assembler uses one): a subclass stands in.
    base = getattr(queue, "SimpleQueue", None)
    if isinstance(base, type):
        s_get = base.get

        class SimpleQueue(base):
            __slots__ = ()

            def get(self, block=True, timeout=None):
                if not block:
                    return s_get(self, False)
                try:
                    return s_get(self, False)
                except empty:
                    pass
                tid = _enter("queue-get", timeout)
                try:
                    return s_get(self, block, timeout)
                finally:
                    if tid is not None:
                        _leave(tid)

        SimpleQueue.__module__ = base.__module__
        SimpleQueue.__qualname__ = base.__qualname__
        queue.SimpleQueue = SimpleQueue


def _joined_by():
    """Replaced by sync._install_sync: who main's select in an event loop joins, or None."""
    return None


def _patch_selectors(selectors):
    def wrap_selector(cls):
        orig = cls.__dict__["select"]

        def sel(self, timeout=None):
            tid = None
            if timeout is None or timeout > 0:
                j = _joined_by()
                if j is not None:  # asyncio.run() joins the default executor's threads
                    tid = _enter("join", j[1] if j[1] is not None else timeout, j[0],
                                 "shutdown_default_executor")
                else:
                    tid = _enter("select", timeout)
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
                tid = _enter(on, t)
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
        except Exception as e:
            _tracer_error("_PatchingLoader.exec_module", e)
        self.real.exec_module(module)
        patch = _LAZY.pop(module.__name__, None)
        if patch is not None:
            try:
                patch(module)
            except Exception as e:
                _tracer_error(patch.__name__, e)
