# stacks.py — every thread's Python stack, on the host's request, without a signal.
#
# The stack fd is a socket: the host writes one byte to ask, and the tracer's own thread,
# blocked reading that socket, answers with a dump in faulthandler's format on the same
# socket. No signal is ever sent, so a program's own signal dispositions (SIGUSR2 set to
# SIG_DFL, a handler that calls os._exit) are never triggered by the host.
#
# The thread is a bare _thread one: threading does not know it (not in enumerate(), not
# joined at exit, not announced on the trace), and it holds the GIL only while it dumps
# (sys._current_frames() with the GIL held reads every frame safely; faulthandler's C
# dump reads them without it and can crash while threads move).

import _thread
import os
import sys
import warnings

from .writer import _OURS, _os_write, _tracer_error

_stack = {"fd": -1, "ident": None, "done": None}

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


def _serve(fd, started, done):
    _stack["ident"] = _thread.get_ident()
    started.release()
    try:
        _answer(fd)
    finally:
        done.release()


def _answer(fd):
    while True:
        try:
            request = os.read(fd, 64)
        except InterruptedError:
            continue
        except OSError:
            return
        if not request:
            return  # the host closed its end
        try:
            _dump(fd)
        except OSError:
            pass  # the host stopped reading (EPIPE): it asks again or gives up
        except Exception as e:
            _tracer_error("stacks._dump", e)


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
    """A child of os.fork() has no tracer thread, and the stack fd is the parent's."""
    _stack["fd"] = -1
    _stack["ident"] = None
    _stack["done"] = None


def start(fd):
    _stack["fd"] = fd
    os.register_at_fork(after_in_child=_after_fork_child)
    if sys.version_info >= (3, 12):
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filters[0] = ("ignore", _OnlyTracerThread(), DeprecationWarning, None, 0)
        warnings._filters_mutated()
    # The program runs only once the thread is up: a thread still starting as the interpreter
    # finalizes can touch a thread state already freed, and CPython (3.9 to 3.12) may crash
    # (SIGSEGV, seen on a loaded machine after a two-line program).
    started = _thread.allocate_lock()
    done = _thread.allocate_lock()
    started.acquire()
    done.acquire()
    _stack["done"] = done
    _thread.start_new_thread(_serve, (fd, started, done))
    started.acquire()


def stop():
    """At the very end of the program (the tracer's atexit handler, the last to run): the
    thread ends before the interpreter finalizes, so that no thread of ours is woken during
    finalization, where CPython ends or may crash a thread that wants the GIL back. Reading
    is shut down on the socket, which wakes the thread's read with an end of file."""
    done, fd = _stack["done"], _stack["fd"]
    if done is None or fd < 0 or _stack["ident"] == _thread.get_ident():
        return
    _stack["done"] = None
    try:
        import _socket
        s = _socket.socket(fileno=os.dup(fd))
        try:
            s.shutdown(_socket.SHUT_RD)
        finally:
            s.close()
        done.acquire(True, 2.0)  # bounded: a dump the host no longer reads gives up (EPIPE)
    except OSError:
        pass  # the socket is gone already: the thread has seen its end

