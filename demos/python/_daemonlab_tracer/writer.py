# writer.py — the one way a line reaches the trace: escaping, fitting a line in
# trace::kMaxLine, the write itself, the lock that keeps `exit` last; the tracer's own
# failures as `tracer-error`; which frames and files are the tracer's.

import os
import select
import threading
import time

_MAX_LINE = 4000  # bytes, LF included (trace::kMaxLine)

_orig_select = select.select
_monotonic_ns = time.monotonic_ns
_get_native_id = threading.get_native_id
_get_ident = threading.get_ident
_os_write = os.write


# --------------------------------------------------------------------------------------
# The tracer's own frames and files


_OURS = set()  # id() of the globals of the tracer's modules and of its entry point
_TRACER_FILES = set()  # their files, as given and with symlinks resolved


def _own(modules, boot_globals):
    """Called once by the package when every module is loaded: frames running in these
    globals are the tracer's (skipped in sites, `at` fields, tracebacks and stack dumps)."""
    for g in [m.__dict__ for m in modules] + [boot_globals]:
        _OURS.add(id(g))  # the dicts stay alive: the tracer's functions hold them
    # One realpath for the package's directory, not one per module: each is a few lstat().
    top = os.path.realpath(os.path.dirname(modules[0].__file__))
    for m in modules:
        _TRACER_FILES.add(m.__file__)
        _TRACER_FILES.add(os.path.join(top, os.path.basename(m.__file__)))
    boot = boot_globals.get("__file__")
    if boot:
        _TRACER_FILES.add(boot)
        _TRACER_FILES.add(os.path.realpath(boot))


def _is_ours(frame):
    return id(frame.f_globals) in _OURS


# --------------------------------------------------------------------------------------
# Writing events


class _Trace(object):
    fd = -1
    enabled = False
    pid = -1  # this process's pid, on every `thread` event (children.py)
    child = False  # a child process of the traced program (children.py)
    program = ""  # the program's path, for a child's `process` event


_trace = _Trace()


class _TLS(threading.local):
    depth = 0  # > 0: inside a wrapped blocking call (nested ones say nothing)
    known = False  # this thread's `thread` event was written
    tid = 0  # its native id, once known
    busy = False  # writing an event (reentrancy from a signal handler)
    joining = None  # asyncio.run() joins the default executor: (threads, deadline ns)


_tls = _TLS()
# Only this module takes it (through _defer, _resume, _emit and _emit_last): _after_fork
# replaces it in a child, and a name imported elsewhere would keep the old one.
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
    """Called with _write_lock held. Failures of the trace fd itself are swallowed here:
    they mean nobody is watching, and the trace is the only place to report them."""
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
            except (OSError, ValueError):
                return  # the fd went bad meanwhile: the write below would say so too
            continue
        except InterruptedError:
            continue
        except OSError:
            _trace.enabled = False  # EPIPE, EBADF: nobody is watching; stay silent
            return
        if n >= len(data):
            return
        data = data[n:]  # only after a partial write to a full non-blocking pipe


# --------------------------------------------------------------------------------------
# Lines held back, and the shortest waits left unsaid
#
# A program that trades Events between threads waits thousands of times a second, each wait
# a blocked line and a running line, each line a write that wakes the host. So a blocked
# line is held back for up to _HOLD_S, and every line after it is held behind it (_put);
# the tracer's own thread (stacks.py) writes what is held, in one write, when _HOLD_S has
# passed (_flush_held). When a thread's running line comes while its blocked line is still
# held (_resume), a wait shorter than _SHORT_NS is left out, both lines (under a pixel at
# the timeline's usual scales); a longer one is written as usual, only later.
#
# What the host has read is then always the trace up to some moment, less the shortest
# waits: a state the program really was in, a few ms ago. That moment is just before a held
# blocked line, when that thread was running, so the host never sees every thread blocked
# when one was not (a hang is confirmed up to _HOLD_S later, never wrongly). Without the
# tracer's thread (a child of fork(), a spawned child, after the tracer's exit handler)
# _kick's fd is -1 and every line is written at once.

_HOLD_S = 0.005
_SHORT_NS = 200000  # 0.2 ms
_MAX_HELD = 256  # lines; more are written at once (the tracer's thread is kept from the GIL)
_held = []  # (tid of a blocked line still waiting, or 0; line), oldest first; a blocked line
# is held as waits._enter took it (a tuple), made into bytes when it is written or its wait
# ends (_blocked_line): its frames are only where they were until then
_blocked_line = None  # waits.py sets it
_kick = {"fd": -1, "armed": False}  # the write end that wakes the tracer's thread


def _write_held(data=b""):
    """Called with _write_lock held: the held lines, then data, in one write."""
    if _held:
        data = b"".join([line if line.__class__ is bytes else _blocked_line(line)
                         for _, line in _held]) + data
        del _held[:]
    if data:
        _write(data)


def _put(data, blocked_tid=0):
    """Called with _write_lock held: one line, written or held (above)."""
    if _kick["fd"] < 0 or (not _held and not blocked_tid) or len(_held) >= _MAX_HELD:
        _write_held(data if data.__class__ is bytes else _blocked_line(data))
        return
    _held.append((blocked_tid, data))
    if not _kick["armed"]:
        _kick["armed"] = True
        try:
            _os_write(_kick["fd"], b"k")
        except OSError:
            pass  # full (a wake is pending anyway) or gone (stop(): flushed)


def _defer(tid, data):
    """A `state blocked` line (waits._enter): held back, or written at once (above).
    _defer and _resume each write out _emit's guard (this thread busy, the lock, the trace
    open, a failure reported after the lock): they are the hot path of a program that
    trades Events, and one helper for the three cost 5 % of tracer_ab's round trips."""
    tls = _tls
    if tls.busy:
        return
    tls.busy = True
    failed = None
    try:
        with _write_lock:
            if _trace.enabled:
                _put(data, tid)
    except Exception as e:
        failed = e
    finally:
        tls.busy = False
    if failed is not None:
        _tracer_error("_defer", failed)


def _resume(tid):
    """This thread's `state running` line (waits._leave). Its blocked line still held: a wait
    shorter than _SHORT_NS leaves both unsaid, a longer one holds both; else it is written
    or held (_put)."""
    tls = _tls
    if tls.busy:
        return
    tls.busy = True
    failed = None
    try:
        with _write_lock:
            if _trace.enabled:
                now = _monotonic_ns()
                for i in range(len(_held) - 1, -1, -1):
                    if _held[i][0] == tid:
                        wait = _held[i][1]
                        if now - wait[0] < _SHORT_NS:
                            del _held[i]
                        else:  # made now, while the frames are still at the wait
                            _held[i] = (0, _blocked_line(wait))
                            _held.append((0, b"%d\t%d\tstate\tstate=running\n" % (now, tid)))
                        break
                else:
                    _put(b"%d\t%d\tstate\tstate=running\n" % (now, tid))
    except Exception as e:
        failed = e
    finally:
        tls.busy = False
    if failed is not None:
        _tracer_error("_resume", failed)


def _flush_held(disarm=True):
    """The tracer's thread, _HOLD_S after a line was held: writes what is held."""
    with _write_lock:
        if _trace.enabled:
            _write_held()
        else:
            del _held[:]
        if disarm:
            _kick["armed"] = False


def _hold_lines(fd):
    """fd >= 0: hold lines back, fd being the write end that wakes the tracer's thread;
    -1: write every line at once from now on (what is held is written first)."""
    with _write_lock:
        if fd < 0 and _trace.enabled:
            _write_held()
        _kick["fd"] = fd
        _kick["armed"] = False


def _emit(tid, kind, *fields):
    """Writes one event. Never raises (except what a signal handler raises), never
    recurses into itself; a failure is reported as `tracer-error`."""
    if not _trace.enabled:
        return
    tls = _tls
    if tls.busy:
        return
    tls.busy = True
    failed = None
    try:
        data = _line(tid, kind, fields)
        with _write_lock:  # so that nothing follows `exit`, even from a daemon thread
            if _trace.enabled:
                _put(data)
    except Exception as e:
        failed = e
    finally:
        tls.busy = False
    if failed is not None and kind != "tracer-error":  # a failed report is not reported
        _tracer_error("_emit " + kind, failed)


def _emit_last(tid, kind, *fields):
    """Writes the last event of the trace (`exit`) and closes the trace under one hold
    of the lock: no daemon thread can slip a line in after it."""
    failed = None
    try:
        data = _line(tid, kind, fields)
    except Exception as e:
        data, failed = None, e
    if failed is not None:
        _tracer_error("_emit_last " + kind, failed)  # before the lock: _emit takes it
    with _write_lock:
        if _trace.enabled and data is not None:
            try:
                _write_held(data)
            except Exception as e:
                # The write path failed with the lock held: one report the same way, and
                # if that fails too there is nowhere left to say so.
                try:
                    _write(_line(tid, "tracer-error", _error_fields("_emit_last", e)))
                except Exception:
                    pass
        _trace.enabled = False  # the last line: daemon threads that still run say no more


def _error_fields(where, exc):
    try:
        text = str(exc)
    except Exception:  # the exception's own __str__ failed: its type has to do
        text = "?"
    return (("where", where), ("exception", type(exc).__name__), ("text", text[:1000]))


def _tracer_error(where, exc):
    """The tracer itself failed at `where` (a function or a patch): says so on the trace
    as `tracer-error where=... exception=Type text=message` instead of swallowing it. The
    program goes on as if the tracer had not been there at that point."""
    try:
        tid = _tls.tid or _get_native_id()
        _emit(tid, "tracer-error", *_error_fields(where, exc))
    except Exception:
        pass  # the report itself failed: there is nothing left to report with


def _after_fork():
    """In a child after os.fork(): a lock that another thread of the parent held is
    held forever in the child (that thread is gone). The child goes on writing on the
    same trace as a process of its own (children.after_fork)."""
    global _write_lock
    _write_lock = threading.Lock()
    del _held[:]  # the parent's threads' lines: the parent writes them
    _kick["fd"] = -1  # no tracer thread here: every line at once
    _kick["armed"] = False
    _tls.busy = False
    _tls.depth = 0
    _tls.known = False  # its native id is new: children.after_fork announces it
    _tls.tid = 0
