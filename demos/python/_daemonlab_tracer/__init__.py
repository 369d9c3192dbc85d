# -*- coding: utf-8 -*-
# _daemonlab_tracer — DaemonLab's tracer for an unmodified CPython program.
#
# Standard library only, CPython 3.9 to 3.13. It is started by its entry point,
# daemonlab_tracer.py, which only imports this package (an imported module is compiled once
# and then loaded from __pycache__; a script is compiled on every start). The host starts:
#
#   python3 daemonlab_tracer.py --trace-fd 3 [--control-fd 4] [--stack-fd 5]
#           [--receiver library|inherit|daemon|non-daemon] [--need-websockets MAJOR]
#           [--pause NAME=LINE ...] [--parent PID] -- PROGRAM.py [ARGS...]
#   python3 daemonlab_tracer.py --trace-fd 3 --parent PID -- -c CODE [ARGS...]
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
#   --control-fd N     step mode: at a pause point the thread reads lines from N: `go`
#                      (go on), `run` or end of file (go on and never pause again); any
#                      other line is ignored (docs/TRACE-PROTOCOL.md, "Control").
#   --stack-fd N       a socket: each time the host writes a byte on it, every thread's
#                      Python stack is written back on it, in faulthandler's format, by
#                      the tracer's own thread (stacks.py; no signal, GIL held: safe while
#                      threads move). The tracer's own frames (the wrappers around
#                      blocking calls) are left out of the dump.
#   --need-websockets MAJOR
#                      the lessons: before the program runs, websockets must import and be
#                      at least this major version; else `refused what=websockets`, exit 1.
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
#   --parent PID       this process is a child of the traced program PID, started through
#                      subprocess with the same interpreter (children._patch_subprocess):
#                      its `process` line says `parent=PID`. Only then may the program be
#                      `-c CODE`, run as `python3 -c CODE` runs it (sys.argv[0] == "-c").
#
# Exit status: the program's own. 2 for a bad command line or a PROGRAM that is not a
# readable regular file, 1 for a Python older than 3.9 or a missing websockets (one line
# on stderr saying what is wrong and how to fix it, and a `refused` event on the trace).
#
# Locks: a Lock or RLock made by the program's own code (or a library outside the standard
# library) is a proxy (sync._TracedLock) whose blocking acquire() writes on=lock with the
# holder as target; threading.Lock and threading.RLock become factory functions for that
# (isinstance(x, threading.Lock) no longer works on 3.13). The standard library's own locks
# (Queue, Event, logging) stay C locks and their waits are not reported. A wait on a
# Condition, Semaphore or Barrier shows as on=condition. atexit._ncallbacks() counts one extra callback per
# registered handler (the marker that writes `atexit name=...` just before it).
#
# The tracer's failures (a patch that no longer fits the running Python, say) are written
# as `tracer-error where=... exception=... text=...` and the program goes on as without
# the tracer at that point.
#
# The modules, by concern:
#   args      the command line
#   writer    the one write path: escaping, fitting a line, the lock, lines held back
#             and the shortest waits left out (docs/TRACE-PROTOCOL.md, "Values");
#             `tracer-error`
#   threads   threading.Thread patches: each thread's flag, creator, site, target
#   waits     the blocking calls (state blocked / running), patched at start or on import
#   sync      the program's locks, asyncio.run()'s join of the default executor
#   children  child processes (fork, spawn, forkserver, subprocess) and waits on them
#   shutdown  threading's exit hooks, the join (threading._shutdown), atexit, daemon
#             threads cut off, exit
#   step      pause points (the control fd)
#   stacks    the tracer's own thread: stack dumps (the stack fd), held lines written
# and this file: the command line, and PROGRAM.py run as __main__. The modules are
# imported only after the version check below, and the entry point removes the package
# and all of them from sys.modules again before the program runs.
#
# This file must stay parseable by old Pythons so that they get the version message:
# no f-strings, no walrus, no print(file=...).

import sys

_MIN = (3, 9)


def _refuse_old_python():
    """Python 2.7 to 3.8 get here: one line on stderr and `refused what=python` on the
    trace fd (found in argv by hand: the option parser below needs 3.9)."""
    version = "%d.%d.%d" % tuple(sys.version_info[:3])
    text = ("%s is Python %s; DaemonLab needs CPython 3.9 to 3.13. Install one "
            "(apt-get install python3, or pyenv install 3.12) and point DaemonLab at it "
            "with --python PATH." % (sys.executable or "this interpreter", version))
    sys.stderr.write("daemonlab_tracer: %s\n" % text)
    argv = sys.argv[1:]
    for i in range(len(argv) - 1):
        if argv[i] == "--trace-fd" and argv[i + 1].isdigit():
            import os
            try:
                t = int(__import__("time").monotonic() * 1e9)
            except AttributeError:
                t = 0
            line = "%d\t-1\trefused\twhat=python\tversion=%s\ttext=%s\n" % (
                t, version, text.replace("\\", "\\\\").replace("\t", " "))
            try:
                os.write(int(argv[i + 1]), line.encode("utf-8"))
            except (OSError, ValueError):
                pass
            break
    sys.exit(1)


if sys.version_info < _MIN:
    _refuse_old_python()

# Only what any threaded program loads anyway: queue, selectors, socket and ssl are
# patched when the program imports them (waits._PatchOnImport), which keeps start-up short.
import builtins  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402

from . import args, children, shutdown, stacks, step, sync, threads, waits, writer  # noqa: E402
from .args import _PROG_NAME, _parse_args  # noqa: E402
from .shutdown import _end, _install_atexit, _instrument_shutdown  # noqa: E402
from .threads import (_install_threads, _program, _receiver, _send_library,  # noqa: E402
                      _strip_tracebacks)
from .waits import _install_blocking  # noqa: E402
from .writer import (_emit, _get_ident, _get_native_id, _tls, _trace,  # noqa: E402
                     _tracer_error)

# The entry point's globals: it is __main__ until the program takes that name.
_BOOT_GLOBALS = getattr(sys.modules.get("__main__"), "__dict__", {})
writer._own([sys.modules[__name__], args, writer, step, stacks, threads, waits, shutdown, sync,
             children],
            _BOOT_GLOBALS)


def _open_trace(fd):
    _trace.fd = fd
    try:
        os.set_blocking(fd, False)
    except OSError:
        pass  # not a pipe or socket (a file, /dev/null): writes to it do not block anyway
    _trace.enabled = True


def _private(fd):
    """The host's fds are ours alone: not inherited by the program's children."""
    if fd >= 0:
        try:
            os.set_inheritable(fd, False)
        except OSError:
            pass  # checked open by _parse_fd; a failure here only lets a child inherit it


def _refuse(tid, what, text, status, version=None):
    """The program is not run: `refused what=...` on the trace, one line on stderr."""
    sys.stderr.write("%s: %s\n" % (_PROG_NAME, text))
    fields = [("what", what), ("text", text)]
    if version:
        fields.append(("version", version))
    _emit(tid, "refused", *fields)
    sys.exit(status)


def _fail(what, tid):
    _refuse(tid, "program", what, 2)


def _check_websockets(tid, need):
    """The lessons' websockets, before the program runs: present, and new enough."""
    try:
        from websockets.version import version
    except Exception:
        _refuse(tid, "websockets",
                "%s (Python %s) has no websockets. Make a virtual environment with it: "
                "daemonlab setup-python, or python3 -m venv ~/dl-venv && ~/dl-venv/bin/pip "
                "install websockets, then run with --python ~/dl-venv/bin/python (or set "
                "PYTHONPATH to a websockets source tree)."
                % (sys.executable, sys.version.split()[0]), 1)
    threads._send_library(tid)
    major = version.split(".")[0]
    if not major.isdigit() or int(major) < need:
        _refuse(tid, "websockets",
                "%s has websockets %s; the lessons need %d or newer, whose websockets.sync "
                "client they use (daemonlab setup-python, or pip install -U websockets in a "
                "virtual environment, then --python)." % (sys.executable, version, need), 1,
                version)


def _forked():
    """os.fork() in the program: the child starts with the tracer's state fixed up, and
    traces itself as a process of its own on the same trace (children.py)."""
    writer._after_fork()
    step._after_fork()
    children.after_fork(_program["path"])
    _end["main_tid"] = _get_native_id()


def forget():
    """Drops the tracer's modules from sys.modules before the program runs (the entry point,
    a spawned child, the fork server): the program sees its modules as it would untraced;
    the tracer's code keeps its own references."""
    for name in [m for m in sys.modules if m.partition(".")[0] == __name__]:
        del sys.modules[name]


def _start_child(fd, parent, program):
    """A child started by multiprocessing's spawn start method (children.start): this
    process traces itself on `fd`, its threads as a process of its own."""
    _open_trace(fd)
    _private(fd)
    _trace.child = True
    _program["path"] = program
    _program["file"] = os.path.abspath(program)
    _program["dir"] = os.path.dirname(os.path.realpath(program))
    children.announce(parent, program)
    _end["main_tid"] = _get_native_id()
    _install_threads()
    _install_blocking()
    sync._install_sync()
    children.install(program)
    os.register_at_fork(after_in_child=_forked)
    import atexit
    atexit.register(lambda: writer._emit_last(_get_native_id(), "exit", ("code", "0")))


# --------------------------------------------------------------------------------------
# Running the program


def main(argv):
    opts, prog, args = _parse_args(argv)
    for fd in (opts["trace"], opts["control"], opts["stack"]):
        _private(fd)
    _open_trace(opts["trace"])
    _trace.pid = os.getpid()
    _receiver["policy"] = opts["receiver"]
    tid = _get_native_id()
    _end["main_tid"] = tid
    _tls.known = True
    _tls.tid = tid
    _trace.child = opts["parent"] is not None
    _emit(tid, "process", ("version", "1"), ("pid", os.getpid()), ("parent", opts["parent"]),
          ("engine", "cpython"), ("program", prog), ("python", sys.version.split()[0]),
          ("receiver", None if _trace.child else opts["receiver"]))
    _emit(tid, "thread", ("name", threading.main_thread().name), ("daemon", "0"),
          ("source", "main"), ("ident", _get_ident()), ("pid", _trace.pid))
    _emit(tid, "state", ("state", "running"))

    if prog == "-c":  # a child started as `python3 -c CODE ARGS...` (--parent)
        return _run_command(args[0], args[1:], tid)
    # The program, as `python3 PROGRAM.py` would find it.
    abs_path = prog if os.path.isabs(prog) else os.path.join(os.getcwd(), prog)
    if not os.path.exists(prog):
        _fail("can't open PROGRAM %r: no such file (give the path of a Python file; a "
              "relative path is taken from the current directory %s)" % (prog, os.getcwd()),
              tid)
    if os.path.isdir(prog):
        _fail("PROGRAM %r is a directory; give a Python file" % prog, tid)
    try:
        import stat
        if not stat.S_ISREG(os.stat(prog).st_mode):  # a FIFO would block, /dev/zero not end
            _fail("PROGRAM %r is not a regular file (a FIFO, a device or a socket); give a "
                  "Python file" % prog, tid)
        with open(prog, "rb") as f:
            source = f.read()
    except OSError as e:
        _fail("can't read PROGRAM %r: %s" % (prog, e.strerror or e), tid)

    _program["file"] = abs_path
    _program["path"] = prog
    _program["dir"] = os.path.dirname(os.path.realpath(prog))

    _install(prog)
    if opts["need_ws"]:
        _check_websockets(tid, opts["need_ws"])
    try:
        stacks.start(opts["stack"])
    except Exception as e:  # no thread can be started: no stacks, every line at once
        _tracer_error("stacks.start", e)
    if opts["pauses"]:
        lines = {}
        for name, line in opts["pauses"]:
            lines.setdefault(line, []).append(name)
        step._stepper.update(lines=lines, control=opts["control"], file=abs_path,
                             stepping=opts["control"] >= 0, on=True)
    os.register_at_fork(after_in_child=_forked)

    # sys.path[0]: the directory of the script, symlinks resolved.
    _set_path0(os.path.dirname(os.path.realpath(prog)))
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
    except Exception as e:  # a loader type that is not SourceFileLoader's
        _tracer_error("main: __main__.__loader__", e)
        mod.__loader__ = None
    sys.modules["__main__"] = mod
    _run(source, abs_path, mod, tid)


def _set_path0(value):
    """sys.path[0]: what CPython computes for the program, in place of the entry point's
    directory; untouched under -P / PYTHONSAFEPATH."""
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    if not getattr(sys.flags, "safe_path", False) and sys.path and \
            os.path.realpath(sys.path[0] or ".") == here:
        sys.path[0] = value


def _install(prog):
    _install_threads()
    _install_blocking()
    sync._install_sync()
    children.install(prog)
    _install_atexit()


def _run_command(source, args, tid):
    """`python3 -c CODE ARGS...` under the tracer: sys.argv, sys.path[0] and __main__ as
    CPython gives them to -c (a child started through subprocess, children.py)."""
    _program["file"] = _program["path"] = "<string>"
    _program["dir"] = os.path.realpath(os.getcwd())
    _install("<string>")
    os.register_at_fork(after_in_child=_forked)
    _set_path0("")
    sys.argv[:] = ["-c"] + args
    mod = type(sys)("__main__")
    mod.__builtins__ = builtins
    mod.__spec__ = None
    mod.__package__ = None
    mod.__loader__ = getattr(sys.modules.get("_frozen_importlib"), "BuiltinImporter", None)
    if "__annotations__" in _BOOT_GLOBALS:
        mod.__annotations__ = {}
    sys.modules["__main__"] = mod
    _run(source, "<string>", mod, tid)


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
    if step._stepper["on"]:
        sys.settrace(step._global_trace)
    try:
        exec(code, mod.__dict__)
    except SystemExit as e:
        step._untrace()
        _end["code"] = _exit_code(e)
        _emit(tid, "main-end", ("how", "exit"), ("code", _end["code"]))
        _send_library(tid)
        _instrument_shutdown()
        raise
    except BaseException as e:
        step._untrace()
        _strip_tracebacks(e)
        sigint = isinstance(e, KeyboardInterrupt)
        _end["code"] = 130 if sigint else 1
        _end["sigint"] = sigint
        try:
            import traceback
            text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        except Exception as err:
            _tracer_error("_run: traceback", err)
            text = type(e).__name__
        _emit(tid, "main-end", ("how", "exception"), ("code", _end["code"]),
              ("exception", type(e).__name__), ("text", text))
        _send_library(tid)
        _instrument_shutdown()
        _report(e)
        del e
        raise SystemExit(1)
    else:
        step._untrace()
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
        except (OSError, ValueError, AttributeError):
            pass  # no stderr left to print on (closed, or None): the program's, as CPython's
