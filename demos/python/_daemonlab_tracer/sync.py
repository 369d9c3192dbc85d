# sync.py — waits that only another thread of the process can end, made visible where the
# plain wrappers cannot see them: the program's own Lock and RLock (C objects, so a proxy
# around the ones the program's code creates, not the standard library's), and
# asyncio.run()'s shutdown of the default executor (main waits in the event loop's select
# for the executor's threads).

import os
import sys
import threading

from . import waits
from .waits import _LAZY, _enter, _leave, _same_face
from .writer import _OURS, _get_native_id, _monotonic_ns, _tls, _tracer_error

_real_lock = threading.Lock
_real_rlock = threading.RLock
_STDLIB = os.path.dirname(threading.__file__) + os.sep


def _for_stdlib(f):
    """A lock made by the standard library (Queue, Event, logging) or the tracer for its own
    use: left as the C lock it is (hot, and never a lock the program took in the wrong order)."""
    fn = f.f_code.co_filename
    return id(f.f_globals) in _OURS or (fn.startswith(_STDLIB) and "-packages" not in fn)


class _TracedLock(object):
    """Stands for a Lock or RLock the program made: the same methods, and a blocking
    acquire() writes `state blocked on=lock target=OWNER` (OWNER: the thread that holds it)."""
    __slots__ = ("_lock", "_owner", "__weakref__")

    def __init__(self, lock):
        self._lock = lock
        self._owner = None

    def acquire(self, blocking=True, timeout=-1):
        lk = self._lock
        if lk.acquire(False):
            self._owner = _get_native_id()
            return True
        if not blocking:
            return False
        tid = _enter("lock", None if timeout is None or timeout < 0 else timeout, self._owner)
        try:
            got = lk.acquire(True, timeout)
        finally:
            if tid is not None:
                _leave(tid)
        if got:
            self._owner = _get_native_id()
        return got

    __enter__ = acquire

    def release(self):
        self._lock.release()
        try:
            if not self._lock._is_owned():  # an RLock released as often as taken
                self._owner = None
        except AttributeError:  # a plain Lock: released is released
            self._owner = None

    def __exit__(self, *exc):
        self.release()

    def locked(self):
        return self._lock.locked()

    def _at_fork_reinit(self):
        self._lock._at_fork_reinit()
        self._owner = None

    def __getattr__(self, name):  # _is_owned, _release_save... (Condition's use of an RLock)
        return getattr(self._lock, name)

    def __repr__(self):
        return repr(self._lock)


def _make(real):
    def factory(*args, **kwargs):
        lk = real(*args, **kwargs)
        try:
            if _for_stdlib(sys._getframe(1)):
                return lk
            return _TracedLock(lk)
        except Exception as e:
            _tracer_error("threading.Lock", e)
            return lk

    return _same_face(factory, real)


def _patch_asyncio(base_events):
    cls = base_events.BaseEventLoop
    orig = cls.shutdown_default_executor

    async def shutdown_default_executor(self, *args, **kwargs):
        prev = getattr(_tls, "joining", None)
        try:
            ex = getattr(self, "_default_executor", None)
            threads = [t for t in (getattr(ex, "_threads", None) or ()) if t.is_alive()]
            timeout = kwargs.get("timeout", args[0] if args else None)
            if threads:
                _tls.joining = (threads, None if timeout is None else
                                _monotonic_ns() + int(float(timeout) * 1e9))
        except Exception as e:
            _tracer_error("shutdown_default_executor", e)
        try:
            return await orig(self, *args, **kwargs)
        finally:
            _tls.joining = prev

    cls.shutdown_default_executor = _same_face(shutdown_default_executor, orig)


def _joined_by_loop():
    """While asyncio.run() shuts the default executor down, main's select in the event loop
    is a join: (tid of the first executor thread still alive, seconds left or None), or None."""
    j = getattr(_tls, "joining", None)
    if j is None:
        return None
    threads, deadline = j
    for t in threads:
        if t.is_alive():
            left = None if deadline is None else max(0.0, (deadline - _monotonic_ns()) / 1e9)
            return t.native_id, left
    return None


def _install_sync():
    threading.Lock = _make(_real_lock)
    threading.RLock = _make(_real_rlock)
    waits._joined_by = _joined_by_loop
    _LAZY["asyncio.base_events"] = _patch_asyncio
    if "asyncio.base_events" in sys.modules:
        _LAZY.pop("asyncio.base_events")(sys.modules["asyncio.base_events"])
