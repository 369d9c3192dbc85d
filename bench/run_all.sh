#!/usr/bin/env bash
# Measures every figure of docs/PERFORMANCE.md, each beside its baseline in the same run.
# Needs a release build with the benchmarks:
#   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DDAEMONLAB_BENCH=ON \
#         -DDAEMONLAB_TESTS=OFF && cmake --build build/bench -j2
# and xvfb-run, /usr/bin/time, hyperfine and xdotool:
#   apt-get install -y xvfb xauth time hyperfine xdotool
# The python section needs Debian's python3 and websockets (../shared/vendor/websockets, or
# PYTHONPATH / a virtual environment's python given as PYTHON=...).
# Usage: bench/run_all.sh [BUILD_DIR] [section...]   sections: trace timeline runs matrix python startup attach gui fonts
#                                                   (default: all)
# Each section takes under two minutes on 2 cores. One tracer against another (an older
# commit's, in a worktree) on one program: bench/tracer_ab.py RUNS PROGRAM.py DIR... .
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$here/build/bench}" && pwd)
shift || true
sections=${*:-trace timeline runs matrix python startup attach gui fonts}
bin=$B/bin

machine() {
    echo "## machine"
    grep -m1 'model name' /proc/cpuinfo
    echo "cores: $(nproc); memory: $(free -h | awk '/Mem:/{print $2}'); kernel: $(uname -r)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

machine
for s in $sections; do
    case $s in
    trace)
        echo "## cost of one trace event (bench_trace)"
        "$bin/bench_trace" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
        ;;
    timeline)
        echo "## host memory for one simulated hour of trace (bench_timeline)"
        "$bin/bench_timeline" 3600 20000
        ;;
    runs)
        echo "## exit → verdict, hang diagnosis, whole run (bench_runs)"
        "$bin/bench_runs" 100 20 2
        ;;
    matrix)
        echo "## the whole matrix: in parallel (the default --jobs) vs one by one (--jobs 1)"
        "$bin/daemonlab" matrix | tail -1
        "$bin/daemonlab" matrix --jobs 1 | tail -1
        hyperfine --runs 3 --ignore-failure --style basic \
            "$bin/daemonlab matrix" "$bin/daemonlab matrix --jobs 1"
        echo "peak memory of the host during the matrix:"
        /usr/bin/time -f '  %e s wall, %M KB max RSS' "$bin/daemonlab" matrix >/dev/null
        ;;
    python)
        py=${PYTHON:-/usr/bin/python3}
        vendor=$here/../shared/vendor/websockets
        echo "## the CPython engine ($("$py" --version 2>&1))"
        "$bin/bench_python" "$py" 15
        if [ -d "$vendor/13.0" ]; then
            # Warm, as an installed websockets is: a copy of the read-only vendor tree with its
            # bytecode compiled (pip does that at install; ../shared/vendor gets none).
            ws=$(mktemp -d)
            trap 'rm -rf "$ws"' EXIT # also when a step below fails (set -e)
            cp -r "$vendor/13.0/." "$ws" && chmod -R u+w "$ws"
            env -u PYTHONDONTWRITEBYTECODE "$py" -m compileall -q "$ws" >/dev/null
            echo "## the matrix on CPython (websockets 13.0, compiled; the tracer applies each policy), 2 cores"
            PYTHONPATH=$ws "$bin/daemonlab" matrix --engine python --python "$py" | tail -1
            PYTHONPATH=$ws hyperfine --runs 3 --ignore-failure --style basic \
                "$bin/daemonlab matrix --engine python --python $py"
            # What no matrix of 48 real interpreters can go below here: each cell's interpreter
            # starts, imports websockets and ends; two at a time on 2 cores. Then what a fork
            # server (one interpreter that imported websockets, forked per cell) would save.
            echo "the floor: 48 interpreters that only import websockets.sync.client, 2 at a time:"
            PYTHONPATH=$ws /usr/bin/time -f '  %e s wall (%U s user, %S s sys)' \
                sh -c "seq 48 | xargs -P2 -I{} $py -c 'import websockets.sync.client'"
            PYTHONPATH=$ws "$py" "$here/bench/fork_server_probe.py" 20
        else
            echo "(no $vendor: the matrix on CPython needs websockets)"
        fi
        ;;
    startup)
        # `explain` of a program that exits, beside the interpreter alone and the parts of the
        # difference (the host's own start, the tracer's), in one hyperfine run: wall time and
        # CPU time (user + sys; the figure to compare on a shared machine). Run it without
        # PYTHONDONTWRITEBYTECODE: the tracer is loaded from its cached bytecode.
        py=${PYTHON:-/usr/bin/python3}
        prog=$(mktemp --suffix=.py)
        echo 'print("hi")' >"$prog"
        echo "## start-up: explain of a program that exits vs the interpreter alone ($("$py" --version 2>&1))"
        # (daemonlab-launch, not started by its host, only starts and exits 125: its start-up.)
        env -u PYTHONDONTWRITEBYTECODE hyperfine -N -i -w 5 -r "${RUNS:-40}" --style basic \
            "$py $prog" \
            "$py $here/demos/python/daemonlab_tracer.py --trace-fd 2 -- $prog" \
            "$bin/daemonlab --version" \
            "$B/libexec/daemonlab/daemonlab-launch $$ /bin/true" \
            "$bin/daemonlab explain $prog --python $py"
        rm -f "$prog"
        ;;
    attach)
        # daemonlab attach on a program stuck at its exit, once per interpreter found, 10
        # attaches each: the time from the command's start to its answer (goal: 2 s).
        echo "## daemonlab attach PID: wall time of the whole command, 10 attaches per interpreter"
        for py in /usr/bin/python3 $(ls -d "$(pyenv root 2>/dev/null)"/versions/3.{9,10,11,12,13}*/bin/python3 2>/dev/null); do
            "$py" "$here/tests/data/attach/event_after_main.py" >/dev/null & target=$!
            sleep 0.5
            times=()
            for _ in $(seq 10); do
                t0=$(date +%s%N)
                "$bin/daemonlab" attach "$target" --json >/dev/null || echo "  (attach failed)"
                times+=($(( ($(date +%s%N) - t0) / 1000000 )))
            done
            kill -USR1 "$target"; wait "$target" || true
            printf '%s\n' "${times[@]}" | sort -n |
                awk -v py="$("$py" --version 2>&1)" '{a[NR]=$1} END {printf "  %-15s median %d ms, p90 %d ms, max %d ms\n", py, a[int((NR+1)/2)], a[int(NR*0.9)], a[NR]}'
        done
        ;;
    gui)
        export DLPROBE=$B/lib/libdlprobe.so
        out=$(mktemp -d)
        xvfb-run -a -s "-screen 0 1920x1080x24" bash -c "
            set -e
            echo '## idle CPU, window open, nothing running (10 s, after 3 s to settle)'
            echo -n 'daemonlab gui:           '; '$bin/bench_gui' idle 10 -- '$bin/daemonlab' gui
            echo -n 'stock ImGui GLFW loop:   '; '$bin/bench_gui' idle 10 -- '$bin/imgui_stock_loop'
            echo '## cold start to first frame (CJK font), 15 starts; the stock loop for reference'
            '$bin/bench_gui' start 15 -- '$bin/daemonlab' gui --screenshot '$out/x.png' --after 0
            '$bin/bench_gui' start 8 -- '$bin/imgui_stock_loop'
            echo '## trace event in the demo → drawn in a frame (8 runs, Run clicked by xdotool)'
            '$bin/bench_gui' latency 8 -- '$bin/daemonlab' gui --scenario threaded-client \
                --receiver daemon
        "
        echo "## font atlas (from the app's --screenshot description)"
        python3 - "$out/x.png.json" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))["fonts"]
w, h = f["atlas_width"], f["atlas_height"]
print(f"atlas {w}×{h} RGBA32 = {w*h*4/2**20:.2f} MiB (alpha8 in memory too: {w*h/2**20:.2f} MiB); "
      f"cjk font: {f['cjk']}")
EOF
        rm -rf "$out"
        ;;
    fonts)
        echo "## the font atlas as the app builds it, beside the way it did before (bench_fonts)"
        "$bin/bench_fonts"
        ;;
    esac
done
