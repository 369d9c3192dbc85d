# -*- coding: utf-8 -*-
# daemonlab_tracer.py — the entry point of DaemonLab's tracer; the tracer itself, and the
# options it takes, are in the package _daemonlab_tracer/. The host starts:
#
#   python3 daemonlab_tracer.py --trace-fd 3 [OPTIONS] -- PROGRAM.py [ARGS...]
#
# CPython compiles a script on every start but loads an imported module from its cached
# bytecode, so this file stays a few lines and the tracer's modules are imported.
# The import leaves sys.path and sys.modules as it found them (so -P / PYTHONSAFEPATH and
# the program's view of its modules are untouched); the tracer then runs PROGRAM.py as
# __main__ in place of this file. The cyclic collector waits during the import: what it
# would find there lives as long as the process, and its passes cost ~0.5 ms of start-up.
import gc
import sys

_gc = gc.isenabled()
gc.disable()
sys.path.insert(0, __file__.rpartition("/")[0] or ".")
try:
    import _daemonlab_tracer
finally:
    del sys.path[0]
    if _gc:
        gc.enable()
_daemonlab_tracer.forget()
del _gc
_daemonlab_tracer.main(sys.argv[1:])
