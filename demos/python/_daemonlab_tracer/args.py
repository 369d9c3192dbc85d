# The tracer's command line (daemonlab_tracer.py --trace-fd N ... -- PROGRAM.py ARGS...): what
# the host passes, checked; a mistake is the host's, said on stderr with status 2.
import os
import sys

_PROG_NAME = "daemonlab_tracer"
_RECEIVER_POLICIES = ("library", "inherit", "daemon", "non-daemon")


def _usage_error(what):
    sys.stderr.write(
        "%s: %s\nusage: python3 daemonlab_tracer.py --trace-fd N [--control-fd N] "
        "[--stack-fd N] [--receiver library|inherit|daemon|non-daemon] "
        "[--need-websockets MAJOR] [--pause NAME=LINE ...] [--parent PID] -- PROGRAM.py "
        "[ARGS...]\n"
        % (_PROG_NAME, what))
    sys.exit(2)


def _parse_fd(opt, s):
    try:
        fd = int(s)
        if fd < 0:
            raise ValueError
        os.fstat(fd)
    except ValueError:
        _usage_error("%s needs a file descriptor number, not %r" % (opt, s))
    except OSError:
        _usage_error("%s %s: that file descriptor is not open (the host must pass it "
                     "open)" % (opt, s))
    return fd


def _parse_args(argv):
    opts = {"trace": -1, "control": -1, "stack": -1, "need_ws": 0,
            "receiver": "library", "pauses": [], "parent": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if not a.startswith("--"):
            break
        if "=" in a and a.split("=", 1)[0] in ("--trace-fd", "--control-fd", "--stack-fd",
                                                  "--need-websockets", "--receiver",
                                                  "--parent"):
            a, v = a.split("=", 1)
            argv = argv[:i] + [a, v] + argv[i + 1:]
        if a not in ("--trace-fd", "--control-fd", "--stack-fd", "--need-websockets",
                     "--receiver", "--pause", "--parent"):
            _usage_error("unknown option %s" % a)
        if i + 1 >= len(argv):
            _usage_error("%s needs a value" % a)
        v = argv[i + 1]
        i += 2
        if a == "--trace-fd":
            opts["trace"] = _parse_fd(a, v)
        elif a == "--control-fd":
            opts["control"] = _parse_fd(a, v)
        elif a == "--stack-fd":
            opts["stack"] = _parse_fd(a, v)
        elif a == "--need-websockets":
            if not v.isdigit():
                _usage_error("--need-websockets needs a major version number, not %r" % v)
            opts["need_ws"] = int(v)
        elif a == "--parent":
            if not v.isdigit():
                _usage_error("--parent needs the parent's pid, not %r" % v)
            opts["parent"] = int(v)
        elif a == "--receiver":
            if v not in _RECEIVER_POLICIES:
                _usage_error("--receiver must be one of %s, not %r"
                             % ("|".join(_RECEIVER_POLICIES), v))
            opts["receiver"] = v
        elif a == "--pause":
            name, _, line = v.rpartition("=")
            if not name or not line.isdigit() or int(line) < 1:
                _usage_error("--pause needs NAME=LINE (LINE a line number of PROGRAM.py), "
                             "not %r" % v)
            opts["pauses"].append((name, int(line)))
    if i >= len(argv):
        _usage_error("no PROGRAM.py given (put it after --)")
    if opts["trace"] < 0:
        _usage_error("--trace-fd is required")
    if argv[i] == "-c" and (opts["parent"] is None or i + 1 >= len(argv)):
        _usage_error("-c CODE is only for a child of a traced program (--parent PID)")
    return opts, argv[i], argv[i + 1:]
