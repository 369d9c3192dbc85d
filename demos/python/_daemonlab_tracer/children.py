# children.py — the program's child processes on the same trace (docs/TRACE-PROTOCOL.md,
# "Child processes"):
# - a child made by os.fork() (multiprocessing's fork start method, a plain fork) keeps the
#   trace fd it inherited and goes on writing: a `process` event with its own pid and
#   `parent=`, then its threads, each `thread` event with `pid=`;
# - a child of multiprocessing's spawn start method gets the trace fd passed (pass_fds) and
#   a one-line bootstrap in front of its `-c` command that starts the tracer there (start);
# - the waits for a child: Process.join() and os.waitpid() are `on=process target=PID`;
# - multiprocessing's pipes (a Queue's, Pipe(duplex=False)): a read or write that blocks on
#   an anonymous pipe is `on=pipe-read` / `on=pipe-write`: its other end is held only by
#   processes of the program's own tree.
# Lines stay one write(2) each, below PIPE_BUF: atomic on the pipe whatever process writes.

import os
import stat
import sys
import threading

from . import writer
from .waits import _LAZY, _Builtin, _enter, _leave, _roots, _same_face
from .writer import _emit, _get_ident, _get_native_id, _tls, _trace, _tracer_error

_orig_waitpid = os.waitpid
_orig_exit = os._exit
_WNOHANG = getattr(os, "WNOHANG", 1)
_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def announce(parent, program):
    """This process is a child of `parent`: its `process` line and its current thread."""
    tid = _get_native_id()
    _trace.pid = os.getpid()
    _tls.known = True
    _tls.tid = tid
    _emit(tid, "process", ("version", "1"), ("pid", _trace.pid), ("parent", parent),
          ("engine", "cpython"), ("program", program),
          ("python", sys.version.split()[0]))
    t = threading.current_thread()
    _emit(tid, "thread", ("name", t.name), ("daemon", "0"), ("source", "main"),
          ("ident", _get_ident()), ("pid", _trace.pid))
    _emit(tid, "state", ("state", "running"))


def after_fork(program):
    """os.fork() in a traced process: the child traces itself on the same fd."""
    parent = _trace.pid
    if not _trace.enabled or parent <= 0:
        return
    _trace.child = True
    announce(parent, program)


def _child_exit(code):
    """os._exit() in a child (multiprocessing's forked children end so): `exit` first."""
    try:
        if _trace.child and _trace.enabled:
            writer._emit_last(_get_native_id(), "exit", ("code", code))
    except Exception as e:
        _tracer_error("os._exit", e)
    _orig_exit(code)


def _waitpid(pid, options):
    tid = None
    if pid > 0 and not options & _WNOHANG:
        tid = _enter("process", None, pid)
    try:
        return _orig_waitpid(pid, options)
    finally:
        if tid is not None:
            _leave(tid)


def _pipe(fd):
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except (OSError, TypeError, ValueError):
        return False


def _patch_multiprocessing(process_mod):
    """multiprocessing.process: Process.join as a wait for that process."""
    p_join = process_mod.BaseProcess.join
    _roots.add(process_mod.BaseProcess._bootstrap.__code__)

    def join(self, timeout=None):
        tid = None
        try:
            popen = getattr(self, "_popen", None)
            if popen is not None and getattr(popen, "returncode", None) is None:
                tid = _enter("process", timeout, popen.pid, "Process.join")
        except Exception as e:
            _tracer_error("Process.join", e)
        try:
            return p_join(self, timeout)
        finally:
            if tid is not None:
                _leave(tid)

    process_mod.BaseProcess.join = _same_face(join, p_join)


def _patch_connection(conn_mod):
    """multiprocessing.connection: a blocking read or write of an anonymous pipe."""
    cls = getattr(conn_mod, "Connection", None)
    if cls is None or "_send" not in cls.__dict__:
        return
    c_send, c_recv = cls._send, cls._recv

    def _send(self, buf, *args, **kwargs):
        tid = _enter("pipe-write", None) if _pipe(self._handle) else None
        try:
            return c_send(self, buf, *args, **kwargs)
        finally:
            if tid is not None:
                _leave(tid)

    def _recv(self, size, *args, **kwargs):
        tid = _enter("pipe-read", None) if _pipe(self._handle) else None
        try:
            return c_recv(self, size, *args, **kwargs)
        finally:
            if tid is not None:
                _leave(tid)

    cls._send = _same_face(_send, c_send)
    cls._recv = _same_face(_recv, c_recv)


_BOOT = ("import sys;sys.path.insert(0,%r);import _daemonlab_tracer.children as _dl;"
         "del sys.path[0];_dl.start(%d,%d,%r);del _dl;")


def _patch_util(util):
    """multiprocessing.util.spawnv_passfds (spawn start method): the child gets the trace
    fd and starts the tracer before multiprocessing's own `-c` command."""
    orig = util.spawnv_passfds

    def spawnv_passfds(path, args, passfds):
        helper = False
        try:
            if _trace.enabled and "-c" in args and "--multiprocessing-fork" in args:
                i = list(args).index("-c") + 1
                args = list(args)
                args[i] = _BOOT % (_HERE, _trace.fd, _trace.pid, _trace.program) + args[i]
                passfds = list(passfds) + [_trace.fd]
            else:
                helper = _trace.enabled  # the resource tracker, the fork server
        except Exception as e:
            _tracer_error("spawnv_passfds", e)
        pid = orig(path, args, passfds)
        if helper:
            # multiprocessing's own helper: not traced, and it holds no end of the
            # program's queues and pipes; said so, with its pid, by the parent.
            _emit(_tls.tid or _get_native_id(), "process", ("version", "1"), ("pid", pid),
                  ("parent", _trace.pid), ("engine", "cpython"), ("role", "helper"),
                  ("program", _trace.program))
        return pid

    util.spawnv_passfds = _same_face(spawnv_passfds, orig)


def install(program):
    """In every traced process: the waits for children, and children traced in turn."""
    _trace.program = program
    os.waitpid = _Builtin(_waitpid, _orig_waitpid)
    os._exit = _Builtin(_child_exit, _orig_exit)
    _LAZY.update({"multiprocessing.process": _patch_multiprocessing,
                  "multiprocessing.connection": _patch_connection,
                  "multiprocessing.util": _patch_util})
    for name in ("multiprocessing.process", "multiprocessing.connection",
                 "multiprocessing.util"):
        if name in sys.modules:
            try:
                _LAZY.pop(name)(sys.modules[name])
            except Exception as e:
                _tracer_error(name, e)


def start(fd, parent, program):
    """A spawned child (multiprocessing's spawn): trace this process on `fd`."""
    try:
        from . import _start_child
        _start_child(fd, parent, program)
    except Exception as e:  # the child runs untraced rather than not at all
        try:
            sys.stderr.write("daemonlab_tracer: child not traced: %r\n" % (e,))
        except Exception:
            pass
    for name in [m for m in sys.modules if m.partition(".")[0] == "_daemonlab_tracer"]:
        del sys.modules[name]
