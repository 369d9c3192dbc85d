#!/bin/bash
# Records the traces tests/test_judge.cpp judges: real runs of the C++ model demos and of the
# real CPython under DaemonLab's tracer, against the echo server (`daemonlab serve`). Each run
# writes NAME.trace (the trace as the host reads it on fd 3) and prints how it ended; the test's
# rows carry those facts. A run that does not end by itself is killed after HOLD seconds.
#
#   tests/data/traces/record.sh [BUILD_DIR]   (default build/debug; needs ../shared/vendor)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-$repo/build/debug}" && pwd)
demos=$build/libexec/daemonlab
vendor=$(cd "$repo/.." && pwd)/shared/vendor/websockets
[ -d "$vendor" ] || vendor=$(cd "$repo/../.." && pwd)/shared/vendor/websockets
tracer=$repo/demos/python/daemonlab_tracer.py
programs=$repo/demos/python/scenarios
py=/usr/bin/python3
HOLD=${HOLD:-6}

tmp=$(mktemp -d)
trap 'kill $serve 2>/dev/null; rm -rf "$tmp"' EXIT
"$build/bin/daemonlab" serve >"$tmp/serve.out" 2>&1 &
serve=$!
for _ in $(seq 100); do grep -q 'END CERTIFICATE' "$tmp/serve.out" && break; sleep 0.05; done
uri=$(grep -o 'wss://[^ ]*' "$tmp/serve.out" | head -1)
sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' "$tmp/serve.out" >"$tmp/ca.pem"

# record NAME COMMAND...: runs it with the trace on fd 3, kills it after HOLD s if still alive.
record() {
    local name=$1
    shift
    "$@" 3>"$here/$name.trace" >"$tmp/$name.out" 2>&1 &
    local pid=$! waited=0
    while kill -0 $pid 2>/dev/null && [ $waited -lt $((HOLD * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 $pid 2>/dev/null; then
        kill -KILL -- $pid
        wait $pid 2>/dev/null || true
        echo "$name: still alive after ${HOLD}s (killed)"
    else
        local rc=0
        wait $pid || rc=$?
        echo "$name: ended, status $rc"
    fi
}

model() { # model NAME SCENARIO ARGS...
    local name=$1 id=$2
    shift 2
    record "$name" env DAEMONLAB_CA="$(cat "$tmp/ca.pem")" "$demos/demo-$id" --uri "$uri" \
        --trace-fd 3 "$@"
}
cpython() { # cpython NAME WEBSOCKETS CLOSE TRACER-ARGS... -- PROGRAM
    local name=$1 version=$2 close=$3
    shift 3
    record "$name" env ECHO_URI="$uri" SSL_CERT_FILE="$tmp/ca.pem" CLOSE="$close" \
        PYTHONPATH="$vendor/$version" PYTHONUNBUFFERED=1 "$py" "$tracer" --trace-fd 3 "$@"
}

model model-passed-in-daemon passed-in --receiver daemon --no-close
model model-passed-in-inherit passed-in --receiver inherit --no-close
model model-explicit-close explicit-close --receiver inherit --close
model model-crash threaded-client --receiver inherit --close --fault segv
# Step mode with nobody at the control pipe: main waits at its first pause point for good.
model model-paused threaded-client --receiver inherit --close --control-fd 4 4< <(sleep 30)

cpython python-passed-in-daemon 12.0 0 --receiver daemon -- "$programs/passed_in.py"
cpython python-passed-in-inherit 12.0 0 --receiver library -- "$programs/passed_in.py"
cpython python-explicit-close 12.0 1 --receiver library -- "$programs/explicit_close.py"
printf 'import os, signal\nprint("about to crash", flush=True)\nos.kill(os.getpid(), signal.SIGSEGV)\n' \
    >"$tmp/crash.py"
cpython python-crash 12.0 0 -- "$tmp/crash.py"
printf 'import threading, time\nthreading.Thread(target=time.sleep, args=(60,), name="sleeper").start()\n' \
    >"$tmp/sleeper.py"
cpython python-sleeper 12.0 0 -- "$tmp/sleeper.py"

# The exit family (demos/python/family/), each as python3 runs it under the tracer.
family=$repo/demos/python/family
for f in pool_atexit lock_order asyncio_executor socketserver_close timer daemon_writer; do
    HOLD=2 cpython "family-${f//_/-}" 12.0 0 -- "$family/$f.py"
done

# A child of the same interpreter through subprocess: recorded on its own, killed with its
# whole group (record() kills only the program, which would leave the child behind):
#   setsid bash -c "exec /usr/bin/python3 demos/python/daemonlab_tracer.py --trace-fd 3 -- \
#     demos/python/family/subprocess_run_child.py 3>tests/data/traces/family-subprocess-run-child.trace" &
#   sleep 2; kill -KILL -- -$!

# daemon-cut-off with its fix, as the host had it 0.5 s in: main joins the daemon writer,
# which sleeps 10 ms between lines (~1 s of work). Cut where the host would judge it.
cpython chapter2-daemon-cut-off-fix 12.0 1 -- "$programs/daemon_cut_off.py"
awk -F'\t' 'NR == 1 { t0 = $1 } $1 - t0 < 500000000' "$here/chapter2-daemon-cut-off-fix.trace" \
    >"$tmp/cut" && mv "$tmp/cut" "$here/chapter2-daemon-cut-off-fix.trace"
