// bench_timeline — the host's memory for an hour of any trace (docs/PERFORMANCE.md; goal:
// RSS <= 100 MB). A synthetic trace, as fast as the parser takes it, through the same
// TraceReader and Timeline a run uses: per simulated second, a thread looping on a 10 µs
// wait (the same wait again and again), a thread alternating two waits, short-lived
// threads (one per 10 ms), prints, and an unknown kind.
// Usage: bench_timeline [SECONDS=3600] [LOOP_EVENTS_PER_SECOND=20000]
#include "lab/model/timeline.hpp"
#include "lab/model/trace_parser.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace {

long rss_kb(const char* field) { // VmRSS or VmHWM, in kB
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::atol(line.c_str() + std::string(field).size() + 1);
    return -1;
}

} // namespace

int main(int argc, char** argv) {
    const long seconds = argc > 1 ? std::atol(argv[1]) : 3600;
    const long per_second = argc > 2 ? std::atol(argv[2]) : 20000;
    lab::Timeline t;
    lab::TraceReader reader;
    auto apply = [&](lab::TraceEvent&& e) { t.apply(e); };
    const long before = rss_kb("VmRSS:");
    const auto t0 = std::chrono::steady_clock::now();
    std::string chunk;
    std::int64_t ns = 1'000'000'000;
    long events = 0, next_tid = 1000;
    auto line = [&](int tid, const std::string& rest) {
        chunk += std::to_string(ns) + '\t' + std::to_string(tid) + '\t' + rest + '\n';
        ++events;
    };
    line(1, "process\tversion=1\tpid=1\tengine=cpython\tprogram=/p.py\tpython=3.11.2");
    line(1, "thread\tname=MainThread\tdaemon=0\tsource=main");
    line(2, "thread\tname=poller\tdaemon=0\tsource=inherited\tcreator=MainThread\tsite=/p.py:3");
    line(3, "thread\tname=juggler\tdaemon=1\tsource=explicit\tcreator=MainThread\tsite=/p.py:9");
    for (long s = 0; s < seconds; ++s) {
        const std::int64_t step = 1'000'000'000 / per_second;
        for (long i = 0; i < per_second / 2; ++i) {
            ns += step;
            line(2, "state\tstate=blocked\ton=event\ttimeout=1\tat=/home/user/project/poll.py:12");
            ns += step;
            line(2, "state\tstate=running");
            if (i % 8 == 0) { // another thread, two waits in turn: no repeat to merge
                line(3, i % 16 ? "state\tstate=blocked\ton=sleep\ttimeout=1\tat=/p.py:20"
                               : "state\tstate=blocked\ton=queue-get\ttimeout=1\tat=/p.py:21");
                line(3, "state\tstate=running");
            }
            if (i % 50 == 0) line(1, "print\ttext=progress " + std::to_string(i));
            if (i % 100 == 0) { // a short-lived thread, a new tid each time
                const int tid = int(next_tid++);
                line(tid, "thread\tname=Thread-" + std::to_string(tid) +
                              "\tdaemon=1\tsource=explicit\tcreator=MainThread");
                line(tid, "state\tstate=running");
                line(tid, "state\tstate=done");
                line(tid, "some-future-kind\tx=1");
            }
            if (chunk.size() > 1 << 16) {
                reader.feed(chunk, apply);
                chunk.clear();
            }
        }
    }
    reader.feed(chunk, apply);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& th = t.thinned();
    std::printf("  %ld simulated s, %ld events in %.1f s (%.1f M events/s)\n", seconds, events,
                secs, double(events) / secs / 1e6);
    std::printf("  timeline: %zu lanes, %zu segments, %zu markers; thinned: %zu segments merged, "
                "%zu lanes and %zu markers dropped\n",
                t.lanes().size(), t.segment_count(), t.markers().size(), th.merged, th.lanes,
                th.markers);
    std::printf("  host RSS: %.1f MB before, %.1f MB after, peak %.1f MB (goal <= 100 MB)\n",
                double(before) / 1024, double(rss_kb("VmRSS:")) / 1024,
                double(rss_kb("VmHWM:")) / 1024);
    return 0;
}
