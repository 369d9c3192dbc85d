// A tiny program for test_finalize: each mode checks one rule of interpreter shutdown.
#include "demos/pyrt/pyrt.hpp"

#include <cstdio>
#include <string>

using namespace pyrt;

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
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
            // Shutdown joins non-daemon threads in creation order, including threads they
            // start while it waits.
            auto a = make({.target = [] {
                sleep(0.05);
                print("a done");
                auto c = make({.target = [] {
                    sleep(0.05);
                    print("c done");
                }});
                c->start();
            }});
            auto b = make({.target = [] { print("b done"); }});
            a->start();
            b->start();
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
