# children.py — the program's child processes on the same trace (docs/TRACE-PROTOCOL.md,
# "Child processes"):
# - a child made by os.fork() (multiprocessing's fork start method, a plain fork) keeps the
#   trace fd it inherited and goes on writing: a `process` event with its own pid and
#   `parent=`, then its threads, each `thread` event with `pid=`;
# - a child of multiprocessing's spawn start method gets the trace fd passed (pass_fds) and
#   a one-line bootstrap in front of its `-c` command that starts the tracer there (start);
# - multiprocessing's fork server gets the trace fd and a bootstrap too (serve): it stays
#   untraced (a helper), but each child it forks traces itself from its first line;
# - the same interpreter started through subprocess (`[sys.executable, "child.py", ...]`,
#   `[sys.executable, "-c", CODE, ...]`) runs under the tracer's entry point with
#   `--parent PID`, the trace fd in pass_fds (_patch_subprocess);
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
from .writer import _OURS, _emit, _get_ident, _get_native_id, _tls, _trace, _tracer_error

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
         "del sys.path[0];_dl.%s(%d,%d,%r);del _dl;")
_FORKSERVER = "from multiprocessing.forkserver import main"


def _patch_util(util):
    """multiprocessing.util.spawnv_passfds (spawn start method): the child gets the trace
    fd and starts the tracer before multiprocessing's own `-c` command."""
    orig = util.spawnv_passfds

    def spawnv_passfds(path, args, passfds):
        helper = False
        try:
            helper = _trace.enabled  # the resource tracker, the fork server
            i = list(args).index("-c") + 1 if "-c" in args else 0
            if _trace.enabled and i and ("--multiprocessing-fork" in args or
                                         str(args[i]).startswith(_FORKSERVER)):
                # a spawned child starts the tracer; the fork server keeps the fd for the
                # children it forks (serve)
                helper = "--multiprocessing-fork" not in args
                args = list(args)
                args[i] = _BOOT % (_HERE, "serve" if helper else "start", _trace.fd,
                                   _trace.pid, _trace.program) + args[i]
                passfds = list(passfds) + [_trace.fd]
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


# Interpreter options that change nothing the tracer relies on: flags, and -W/-X with their
# value. Anything else (-m, -I, -P, -i, a script from stdin) starts the child untraced.
_FLAGS = {"-u", "-B", "-E", "-s", "-S", "-O", "-OO", "-q", "-b", "-bb", "-d", "-v"}
_WITH_VALUE = {"-W", "-X"}
_ENTRY = os.path.join(_HERE, "daemonlab_tracer.py")


def _traced_args(args):
    """`[python, OPTS..., SCRIPT|-c CODE, ARGS...]` of this very interpreter, run under the
    tracer's entry point: `[python, OPTS..., ENTRY, --trace-fd N, --parent PID, --, SCRIPT
    or -c CODE, ARGS...]`; None for any other command (it runs as it is, untraced)."""
    if not isinstance(args, (list, tuple)) or len(args) < 2:
        return None
    args = [os.fsdecode(a) if isinstance(a, (bytes, os.PathLike)) else a for a in args]
    if not all(isinstance(a, str) for a in args) or not os.path.isabs(args[0]):
        return None
    exe = sys.executable
    if not exe or (args[0] != exe and os.path.realpath(args[0]) != os.path.realpath(exe)):
        return None
    i = 1
    while i < len(args) and (args[i] in _FLAGS or args[i] in _WITH_VALUE):
        i += 2 if args[i] in _WITH_VALUE else 1
    if i >= len(args) or (args[i].startswith("-") and args[i] != "-c"):
        return None
    if args[i] == "-c" and (i + 1 >= len(args) or "__future__" in args[i + 1]):
        return None  # a `from __future__` import must stay the code's first statement
    return (args[:i] + [_ENTRY, "--trace-fd", str(_trace.fd), "--parent", str(_trace.pid),
                        "--"] + args[i:])


def _popen_call(f, method):
    """`subprocess.run`, `subprocess.Popen.communicate`...: the outermost frame of
    subprocess.py that the program called, with the module's name (`method`: the program
    called Popen's own)."""
    name = None
    while f is not None:
        if f.f_globals.get("__name__") == "subprocess":
            name = getattr(f.f_code, "co_qualname", f.f_code.co_name)
        elif name is not None and id(f.f_globals) not in _OURS:
            break
        f = f.f_back
    return "subprocess." + (name or "Popen." + method)


def _patch_subprocess(subprocess):
    """subprocess.Popen: the same interpreter runs under the tracer (the trace fd in its
    pass_fds, nowhere else); Popen.wait() and communicate() wait for that process."""
    cls = subprocess.Popen
    p_init, p_wait, p_communicate = cls.__init__, cls.wait, cls.communicate

    def __init__(self, args, *rest, **kwargs):
        traced = None
        try:
            if (_trace.enabled and not rest and not kwargs.get("shell")
                    and kwargs.get("executable") is None and kwargs.get("close_fds", True)):
                traced = _traced_args(args)
        except Exception as e:
            _tracer_error("Popen.__init__", e)
        if traced is None:
            return p_init(self, args, *rest, **kwargs)
        kwargs["pass_fds"] = tuple(kwargs.get("pass_fds", ())) + (_trace.fd,)
        p_init(self, traced, **kwargs)
        self.args = args  # what the program gave, for CompletedProcess and errors

    def waiting(orig, name, at):  # at: the position of `timeout` among the arguments
        def wait(self, *args, **kwargs):
            tid = None
            try:
                if getattr(self, "returncode", 0) is None:
                    timeout = kwargs.get("timeout", args[at] if len(args) > at else None)
                    tid = _enter("process", timeout, self.pid,
                                 _popen_call(sys._getframe(1), name))
            except Exception as e:
                _tracer_error("Popen." + name, e)
            try:
                return orig(self, *args, **kwargs)
            finally:
                if tid is not None:
                    _leave(tid)
        return _same_face(wait, orig)

    cls.__init__ = _same_face(__init__, p_init)
    cls.wait = waiting(p_wait, "wait", 0)
    cls.communicate = waiting(p_communicate, "communicate", 1)


def install(program):
    """In every traced process: the waits for children, and children traced in turn."""
    _trace.program = program
    os.waitpid = _Builtin(_waitpid, _orig_waitpid)
    os._exit = _Builtin(_child_exit, _orig_exit)
    _LAZY.update({"multiprocessing.process": _patch_multiprocessing,
                  "multiprocessing.connection": _patch_connection,
                  "multiprocessing.util": _patch_util, "subprocess": _patch_subprocess})
    for name in ("multiprocessing.process", "multiprocessing.connection",
                 "multiprocessing.util", "subprocess"):
        if name in sys.modules:
            try:
                _LAZY.pop(name)(sys.modules[name])
            except Exception as e:
                _tracer_error(name, e)


def serve(fd, parent, program):
    """multiprocessing's fork server: a helper, not traced itself (its parent writes its
    `process ... role=helper` line), but each child it forks is a child of the program
    (Process.start() with the forkserver start method) and traces itself on `fd`."""
    try:
        from . import _start_child

        def forked():
            if not _trace.enabled:  # a traced child that forks: its own hook (_forked)
                _start_child(fd, os.getppid(), program)

        os.register_at_fork(after_in_child=forked)
    except Exception as e:  # the children run untraced rather than not at all
        _not_traced("fork server", e)
    _forget_tracer()


def start(fd, parent, program):
    """A spawned child (multiprocessing's spawn): trace this process on `fd`."""
    try:
        from . import _start_child
        _start_child(fd, parent, program)
    except Exception as e:  # the child runs untraced rather than not at all
        _not_traced("child", e)
    _forget_tracer()


def _not_traced(what, e):
    """No trace fd works here: stderr is the only place left to say so."""
    try:
        sys.stderr.write("daemonlab_tracer: %s not traced: %r\n" % (what, e))
    except Exception:
        pass  # no stderr either: it runs untraced, silently


def _forget_tracer():
    from . import forget
    forget()
