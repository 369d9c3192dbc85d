# stacks.py — the tracer's own thread: every thread's Python stack on the host's request,
# without a signal; and the blocked lines that writer.py holds back, written when they
# have waited long enough (writer._defer).
#
# The stack fd is a socket: the host writes one byte to ask, and the tracer's thread,
# blocked in select() on that socket and on its wake pipe, answers with a dump in
# faulthandler's format on the same socket. No signal is ever sent, so a program's own
# signal dispositions (SIGUSR2 set to SIG_DFL, a handler that calls os._exit) are never
# triggered by the host. The wake pipe: writer._defer writes a byte when it holds a line
# back; the thread then sleeps writer._HOLD_S and writes what is still held.
#
# The thread is a bare _thread one: threading does not know it (not in enumerate(), not
# joined at exit, not announced on the trace), and it holds the GIL only while it dumps
# or writes (sys._current_frames() with the GIL held reads every frame safely;
# faulthandler's C dump reads them without it and can crash while threads move).

import _thread
import os
import sys

from . import writer
from .writer import _OURS, _orig_select, _os_write, _tracer_error

# fd: the stack socket (-1: none, only the writes); wake: the pipe's ends; stop: end now
_stack = {"fd": -1, "ident": None, "started": None, "done": None, "wake": (-1, -1),
          "stop": False}

# CPython 3.12+ warns (DeprecationWarning, from os.fork) when a process that forks has more
# than one OS thread. The tracer's thread must not make a single-threaded program warn.
_FORK_WARNING = r"This process \(pid=\d+\) is multi-threaded"


def _dump(fd):
    out = []
    me = _thread.get_ident()
    for ident, top in sys._current_frames().items():
        if ident == me:
            continue  # this thread is the tracer's
        out.append("Thread 0x%016x (most recent call first):\n" % ident)
        depth = 0
        f = top
        while f is not None and depth < 100:
            if id(f.f_globals) not in _OURS:
                code = f.f_code
                out.append('  File "%s", line %d in %s\n' % (
                    code.co_filename, f.f_lineno or 0, code.co_name))
            f = f.f_back
            depth += 1
        out.append("\n")
    data = "".join(out).encode("utf-8", "replace")
    while data:
        n = _os_write(fd, data[:65536])
        data = data[n:]


def _serve(fd, wake, started, done):
    _stack["ident"] = _thread.get_ident()
    started.release()
    try:
        _loop(fd, wake)
    finally:
        done.release()


def _loop(fd, wake):
    watched = [wake] if fd < 0 else [fd, wake]
    while not _stack["stop"]:
        try:
            ready = _orig_select(watched, [], [])[0]
        except InterruptedError:
            continue
        except (OSError, ValueError):
            return
        if wake in ready:
            if not _drain(wake):
                return
            # The held lines wait _HOLD_S (their waits may end meanwhile: writer._resume);
            # stop() wakes the thread early. Then what is still held is written.
            if not _stack["stop"]:
                try:
                    _orig_select([wake], [], [], writer._HOLD_S)
                except (InterruptedError, OSError, ValueError):
                    pass
            writer._flush_held()
        if fd in ready and not _answer(fd):
            watched = [wake]  # the host closed its end: no more stacks, still the writes


def _drain(wake):
    try:
        return bool(os.read(wake, 64))
    except BlockingIOError:
        return True
    except OSError:
        return False


def _answer(fd):
    """One request on the stack socket: the dump; False when the host closed it."""
    try:
        request = os.read(fd, 64)
    except (InterruptedError, BlockingIOError):
        return True
    except OSError:
        return False
    if not request:
        return False
    try:
        writer._flush_held(disarm=False)  # the states first, then the stacks they explain
        _dump(fd)
    except OSError:
        pass  # the host stopped reading (EPIPE): it asks again or gives up
    except Exception as e:
        _tracer_error("stacks._dump", e)
    return True


class _OnlyTracerThread(object):
    """A warnings filter's message pattern (warnings calls its match()): CPython's fork
    warning, when the only thread besides the program's own is the tracer's."""

    _re = None

    def match(self, text):
        if self._re is None:
            import re
            _OnlyTracerThread._re = re.compile(_FORK_WARNING)
        import threading
        return (_stack["ident"] is not None and threading.active_count() <= 1
                and self._re.match(text) is not None)


def _after_fork_child():
    """A child of os.fork() has no tracer thread; the stack fd and the wake pipe are the
    parent's (writer._after_fork writes every line at once here)."""
    for end in _stack["wake"]:
        try:
            os.close(end)
        except OSError:
            pass
    _stack.update(fd=-1, ident=None, started=None, done=None, wake=(-1, -1), stop=False)


def start(fd):
    """The tracer's thread, before the program runs; fd: the stack socket, or -1."""
    _stack["fd"] = fd
    os.register_at_fork(after_in_child=_after_fork_child)
    if sys.version_info >= (3, 12):
        import warnings  # only here: 3.9 to 3.11 start without it
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filters[0] = ("ignore", _OnlyTracerThread(), DeprecationWarning, None, 0)
        warnings._filters_mutated()
    wake, kick = os.pipe()  # not inherited by the program's children (PEP 446)
    os.set_blocking(wake, False)
    os.set_blocking(kick, False)
    _stack["wake"] = (wake, kick)
    # The thread comes up while the program starts; stop() waits for it to be up and then
    # gone before the interpreter finalizes.
    started = _thread.allocate_lock()
    done = _thread.allocate_lock()
    started.acquire()
    done.acquire()
    _stack["started"] = started
    _stack["done"] = done
    _thread.start_new_thread(_serve, (fd, wake, started, done))
    writer._hold_lines(kick)


def stop():
    """At the very end of the program (the tracer's atexit handler, the last to run): every
    line is written at once from here on, and the thread ends before the interpreter
    finalizes, so that no thread of ours is woken during finalization, where CPython ends
    or may crash a thread that wants the GIL back. A byte on the wake pipe wakes it."""
    done = _stack["done"]
    if done is None or _stack["ident"] == _thread.get_ident():
        return
    _stack["done"] = None
    writer._hold_lines(-1)
    _stack["stop"] = True
    wake, kick = _stack["wake"]
    try:
        _os_write(kick, b"q")
    except OSError:
        pass  # full: the thread has a byte to read anyway
    # A thread still starting as the interpreter finalizes can touch a thread state already
    # freed, and CPython (3.9 to 3.12) may crash (SIGSEGV, seen on a loaded machine after a
    # one-line program): it is waited for until it is up (it was started, so it comes), then
    # until it has ended (bounded: a dump the host no longer reads gives up, EPIPE).
    _stack["started"].acquire()
    if done.acquire(True, 2.0):
        for end in (wake, kick):
            os.close(end)
        _stack["wake"] = (-1, -1)
