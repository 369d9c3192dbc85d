# step.py — pause points (step mode: the control fd).

import os
import sys
import threading

from .writer import _emit, _get_native_id, _tracer_error

# --------------------------------------------------------------------------------------
# Step mode


# file: PROGRAM.py's absolute path (its frames get the line trace); lines: line -> names
# of its pause points; hits: line -> times reached; stepping: pausing (not yet `run`).
_stepper = {"on": False, "file": "", "lines": {}, "hits": {}, "control": -1,
            "stepping": False}
_pause_lock = threading.Lock()  # one thread pauses at a time


# The control words (demos/trace/protocol.hpp, trace::launch; docs/TRACE-PROTOCOL.md,
# "Control"), and the longest line that can be one.
_GO, _RUN = b"go", b"run"
_MAX_CONTROL_LINE = 256


def _read_control():
    """The host's next word: "go" or "run". A line that is not a word (spaces, tabs and CR
    around one do not count; a line over _MAX_CONTROL_LINE bytes never is one) is ignored
    and the next line read: a newer host's word does nothing here, and the thread stays
    paused on the trace. End of file or a read error means "run"."""
    fd = _stepper["control"]
    while True:
        buf = b""
        overlong = False
        while True:
            try:
                c = os.read(fd, 1)
            except InterruptedError:
                continue
            except OSError:
                return "run"
            if not c:
                return "run"
            if c == b"\n":
                break
            if len(buf) < _MAX_CONTROL_LINE:
                buf += c
            else:
                overlong = True
        word = buf.strip(b" \t\r")
        if not overlong and word in (_GO, _RUN):
            return word.decode("ascii")


def _pause(name):
    tid = _get_native_id()
    _emit(tid, "step", ("name", name))
    if _stepper["control"] < 0:
        return
    with _pause_lock:
        if not _stepper["stepping"]:
            return
        _emit(tid, "state", ("state", "paused"), ("step", name))
        if _read_control() == "run":
            _stepper["stepping"] = False
        _emit(tid, "state", ("state", "running"))


def _local_trace(frame, event, arg):
    if event == "line":
        names = _stepper["lines"].get(frame.f_lineno)
        if names:
            hits = _stepper["hits"]
            k = hits.get(frame.f_lineno, 0)
            hits[frame.f_lineno] = k + 1
            if k < len(names):
                try:
                    _pause(names[k])
                except Exception as e:
                    _tracer_error("_pause", e)
    return _local_trace


def _global_trace(frame, event, arg):
    if frame.f_code.co_filename == _stepper["file"]:
        return _local_trace
    return None


def _untrace():
    if _stepper["on"]:
        sys.settrace(None)


def _after_fork():
    """In a child after os.fork(): the parent's pause lock may be held by a thread the
    child does not have, and the control fd is the parent's conversation."""
    global _pause_lock
    _pause_lock = threading.Lock()
    _stepper["stepping"] = False  # never read the parent's `go`
    _stepper["control"] = -1
