// A tiny program for test_finalize: each mode checks one rule of interpreter shutdown.
#include "demos/pyrt/pyrt.hpp"
#include "demos/trace/trace.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <unistd.h>

using namespace pyrt;

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    // join-order is judged by the trace: shutdown's shutdown-wait events, beside the output.
    if (mode == "join-order") trace::open(::dup(STDOUT_FILENO));
    run_main([mode] {
        if (mode == "daemon-abandoned") {
            // A daemon thread blocked forever does not keep the process alive.
            auto t = make({.target = [] { Event().wait(); }, .daemon = true});
            t->start();
        } else if (mode == "non-daemon-joined") {
            // A non-daemon thread is waited for: its last words come before the exit.
            auto t = make({.target = [] {
                sleep(0.2);
                print("worker done");
            }});
            t->start();
            print("main done");
        } else if (mode == "join-order") {
            // Shutdown joins the non-daemon threads still alive one at a time, in creation
            // order (a before b, though b was started first), looking again after each join:
            // c, which a starts while shutdown waits for a, is joined too. No thread starts
            // its work before main has ended; each then outlives the one before it by 0.2 s,
            // the time shutdown has to look again (it needs microseconds), so that each is
            // still alive when its turn comes. The trace (on stdout) says whom it waits for.
            struct Shared {
                Event main_ended;
                std::shared_ptr<Thread> a, b;
            };
            auto s = std::make_shared<Shared>();
            s->a = make({.target =
                             [s] {
                                 s->main_ended.wait();
                                 sleep(0.2);
                                 auto c = make({.target =
                                                    [s] {
                                                        s->b->join();
                                                        sleep(0.2);
                                                        print("c done");
                                                    },
                                                .name = "c"});
                                 c->start();
                                 print("a done");
                             },
                         .name = "a"});
            s->b = make({.target =
                             [s] {
                                 s->main_ended.wait();
                                 s->a->join();
                                 sleep(0.2);
                                 print("b done");
                             },
                         .name = "b"});
            s->b->start();
            s->a->start();
            s->main_ended.set();
        } else if (mode == "exit-code") {
            pyrt::exit(7);
        } else if (mode == "exception") {
            throw std::runtime_error("boom");
        } else if (mode == "inherited-hang") {
            // A thread made by main without a daemon argument, blocked forever: the process
            // never exits (the test kills it).
            auto t = make({.target = [] { Event().wait(); }});
            t->start();
        }
    });
}
