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

_stack = {"fd": -1, "ident": None}

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


def _serve(fd):
    _stack["ident"] = _thread.get_ident()
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


def start(fd):
    _stack["fd"] = fd
    os.register_at_fork(after_in_child=_after_fork_child)
    if sys.version_info >= (3, 12):
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filters[0] = ("ignore", _OnlyTracerThread(), DeprecationWarning, None, 0)
        warnings._filters_mutated()
    _thread.start_new_thread(_serve, (fd,))
