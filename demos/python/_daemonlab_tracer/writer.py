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
# Only this module takes it (through _emit, _emit_raw and _emit_last): _after_fork
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


def _emit_raw(data):
    """Writes one ready line (the hot path of blocking calls)."""
    tls = _tls
    if tls.busy:
        return
    tls.busy = True
    failed = None
    try:
        with _write_lock:
            if _trace.enabled:
                _write(data)
    except Exception as e:
        failed = e
    finally:
        tls.busy = False
    if failed is not None:
        _tracer_error("_emit_raw", failed)


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
                _write(data)
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
                _write(data)
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
    _tls.busy = False
    _tls.depth = 0
    _tls.known = False  # its native id is new: children.after_fork announces it
    _tls.tid = 0
