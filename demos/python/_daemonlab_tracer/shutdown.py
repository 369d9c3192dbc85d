# shutdown.py — the interpreter's shutdown in CPython's order: threading's own exit hooks,
# the join of non-daemon threads (threading._shutdown), atexit handlers, exit.

import atexit
import os
import sys
import threading

from . import stacks
from .threads import _caller, _is_own, _qualname
from .waits import _same_face
from .writer import _emit, _emit_last, _get_native_id, _tracer_error

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
        self.func, self.name, self.live = func, _handler_name(func), True

    def __call__(self):
        if self.live:
            _emit(_get_native_id(), "atexit", ("name", self.name))


_markers = []


def _handler_name(func):
    """An atexit handler's name on the trace: with its module when it comes from another one
    than the program's, so that a learner reads whose it is ("logging.shutdown", which
    `import logging` registers, not a bare "shutdown"). A bound method is named by its class
    already ("Connection.close"); the program's own functions and builtins stay as they are."""
    name = _qualname(func)
    f = getattr(func, "func", func)  # functools.partial
    if hasattr(f, "__func__"):
        return name
    module = getattr(f, "__module__", None)
    if isinstance(module, str) and module not in ("__main__", "builtins") and \
            not name.startswith(module + "."):
        return module + "." + name
    return name


def _install_atexit():
    def register(func, *args, **kwargs):
        result = _orig_atexit_register(func, *args, **kwargs)
        try:
            m = _AtexitMarker(func)
            _markers.append(m)
            _orig_atexit_register(m)
            _emit(_get_native_id(), "atexit-register", ("name", m.name))
        except Exception as e:
            _tracer_error("atexit.register", e)
        return result

    def unregister(func):
        _orig_atexit_unregister(func)
        for m in _markers:
            try:
                if m.func == func:
                    m.live = False
            except Exception as e:  # the program's __eq__ failed, as it does in atexit
                _tracer_error("atexit.unregister", e)

    atexit.register = _same_face(register, _orig_atexit_register)
    atexit.unregister = _same_face(unregister, _orig_atexit_unregister)

    orig_reg = getattr(threading, "_register_atexit", None)
    if orig_reg is not None:
        def _register_atexit(func, *arg, **kwargs):
            orig_reg(func, *arg, **kwargs)
            try:
                _hook_names[id(threading._threading_atexits[-1])] = _qualname(func)
            except Exception as e:
                _tracer_error("threading._register_atexit", e)

        threading._register_atexit = _same_face(_register_atexit, orig_reg)

    # Registered first, so it runs last: the interpreter ends the process next.
    _orig_atexit_register(_at_exit)


_STDLIB = os.path.dirname(os.__file__) + os.sep


def _not_stdlib(filename):
    return not filename.startswith(_STDLIB) or "-packages" in filename


def _first(f, test):
    """The innermost frame from f outwards whose file passes test (the tracer's skipped)."""
    while f is not None and not test(f.f_code.co_filename):
        f = _caller(f.f_back)
    return f


def _cut_off():
    """Each daemon thread still alive as the process ends: `cut-off at=FILE:LINE`, where it
    stops (the innermost frame of the program's own code, else of a library outside the
    standard library, else of any code not the tracer's). The host says which of them were cut off mid-work."""
    try:
        frames = sys._current_frames()
        me = threading.get_ident()
        for t in list(threading._active.values()):
            if t.ident == me or not t.daemon or not t.is_alive():
                continue
            f = _caller(frames.get(t.ident))
            f = _first(f, lambda fn: _is_own(fn)) or _first(f, _not_stdlib) or f
            at = "" if f is None else "%s:%d" % (f.f_code.co_filename, f.f_lineno)
            _emit(t.native_id, "cut-off", ("at", at[-800:]))
    except Exception as e:
        _tracer_error("_cut_off", e)


def _at_exit():
    _cut_off()
    stacks.stop()
    _emit_last(_get_native_id(), "exit", ("code", _end["code"]))
    if _end["sigint"]:
        # An uncaught KeyboardInterrupt: CPython ends the process by SIGINT after its
        # finalization; do the same, with stdout and stderr flushed first.
        for f in (sys.stdout, sys.stderr):
            try:
                f.flush()
            except (OSError, ValueError, AttributeError):
                pass  # a closed or missing stream: the program's, and CPython goes on too
        import signal
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        except (OSError, ValueError):
            pass  # the trace is closed (`exit` was the last line): the exit status stays 130


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
    """threading._shutdown_locks, each lock in a _LockProxy that names its thread."""
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
    except Exception as e:
        _tracer_error("_wrap_shutdown_locks", e)


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
    except Exception as e:
        _tracer_error("_shutdown_begins", e)


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
    except Exception as e:
        _tracer_error("_instrument_shutdown", e)
