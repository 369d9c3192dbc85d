// io_wait.hpp — a wait on I/O is not forever (issue 19 item 3). A thread that reads a socket,
// a pipe or waits in select() may get its data later: the other end decides. The rule:
// - the other end may be a live process of the program's own tree (a child it started, a
//   forked peer, a local server it runs): while one runs, the wait is judged by it, and it
//   is still running;
// - otherwise the peer is outside the tree (a server elsewhere): the wait is confirmed as a
//   hang only after the I/O grace, with nothing written meanwhile ("no data for 5 s").
// The lessons' own echo server is known to stay silent, so a lesson keeps the plain grace.
#pragma once

#include "lab/model/run_options.hpp"
#include "lab/model/strings.hpp"
#include "lab/model/timeline.hpp"
#include "lab/model/verdict.hpp"

#include <string>
#include <vector>

namespace lab {

// A blocked state on I/O with no deadline: a socket or TLS read with no reply known to be on
// its way, connect, send, select.
bool on_io(const Segment& s);
// The live threads blocked on I/O, by tid.
std::vector<int> io_waits(const Timeline& t);
// The processes of the tree that may still answer: alive, not the program itself, and not
// one of multiprocessing's helpers (they hold no end of the program's sockets and pipes).
std::vector<const TreeProcess*> live_peers(const Timeline& t);
// How long a suspected hang of `t` must stay still: the grace, or for a wait on I/O the I/O
// grace (never shorter than the grace). io_grace_ms -1: no I/O rule (a lesson).
int hang_grace_ms(const Timeline& t, int grace_ms, int io_grace_ms);
// The I/O grace a run uses, or -1 for a lesson (no program of the user's): the lessons' echo
// server is known to stay silent, so their waits on it keep the plain grace and its words.
int io_grace_ms(const RunOptions& o);

// Milliseconds as seconds for people: 5000 → "5", 1500 → "1.5".
std::string seconds(int ms);
// "pid 4242 (sleep 1.5)": a process of the tree, for people.
std::string describe_process(const TreeProcess& p);
// The process states as words: "running", "sleeping", "zombie", ... (the JSON's `state`).
std::string_view process_state(char state);

// The explanation's lines about waits on I/O: who at the other end may still answer, or how
// long no data came.
void explain_io(const Verdict& v, const Timeline& t, const Strings& s, Lang lang,
                std::vector<std::string>& lines);

} // namespace lab
