// libFuzzer: arbitrary bytes from an attendee's phone. The room's request parser (Beast's
// HTTP parser with the server's limits, then the route with the room code) and its vote
// parser must judge anything without crashing, and what they accept must be what they promise.
#include "lab/room/room.hpp"
#include "lab/room/room_protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (auto d = lab::room::parse_and_decide(bytes, "K7QF3M")) {
        (void)d->status();
        // A socket is only ever granted with a well-formed attendee id.
        if (d->route == lab::room::Route::socket && !lab::Room::valid_attendee(d->attendee))
            std::abort();
    }
    if (auto v = lab::room::parse_vote(bytes)) {
        if (bytes.size() > lab::room::kMaxVoteBytes || v->round == 0) std::abort();
        // Whatever parses as a vote is safe to count.
        static lab::Room room;
        static bool joined = room.join("fuzz-attendee");
        (void)joined;
        room.open_vote();
        (void)room.vote("fuzz-attendee", v->round, v->exits);
        (void)lab::room::state_message(room.snapshot(), v->exits);
    }
    return 0;
}
