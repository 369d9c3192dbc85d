// The workshop room: its state (lab::Room), its protocol, and its server over loopback —
// 200 attendees in one round, and everything it must refuse while it keeps serving the rest.
#include "lab/room/room.hpp"
#include "lab/room/room_protocol.hpp"
#include "lab/room/room_server.hpp"
#include "lab/room/strikes.hpp"
#include "wait.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <thread>

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using lab::Room;
using lab::RoomServer;
using lab::VoteResult;
using nlohmann::json;

// ---- Room ----------------------------------------------------------------------------------

TEST(Room, RoundVotesTallyAndAccuracy) {
    Room room;
    ASSERT_TRUE(room.join("attendee-1"));
    ASSERT_TRUE(room.join("attendee-2"));
    ASSERT_TRUE(room.join("attendee-3"));
    EXPECT_EQ(room.vote("attendee-1", 1, true), VoteResult::not_voting); // no question yet
    room.set_question({.scenario = "threaded-client"});
    room.open_vote();
    EXPECT_EQ(room.snapshot().round, 1u);
    EXPECT_EQ(room.vote("attendee-1", 1, true), VoteResult::counted);
    EXPECT_EQ(room.vote("attendee-2", 1, true), VoteResult::counted);
    EXPECT_EQ(room.vote("attendee-2", 1, false), VoteResult::changed); // a mind changed
    EXPECT_EQ(room.vote("attendee-3", 7, true), VoteResult::stale_round);
    EXPECT_EQ(room.vote("stranger-9", 1, true), VoteResult::bad_attendee); // never joined
    auto s = room.snapshot();
    EXPECT_EQ(s.said_exits, 1u);
    EXPECT_EQ(s.said_hangs, 1u);
    EXPECT_EQ(s.attendees, 3u);
    room.start_run();
    EXPECT_EQ(room.vote("attendee-3", 1, true), VoteResult::not_voting); // too late
    ASSERT_TRUE(room.reveal(lab::RoomAnswer::hangs, {"卡住了", "hung"}));
    s = room.snapshot();
    ASSERT_TRUE(s.last);
    EXPECT_EQ(s.last->right(), 1u);
    EXPECT_DOUBLE_EQ(*s.last->accuracy(), 0.5);
    EXPECT_FALSE(room.reveal(lab::RoomAnswer::hangs, {})); // no round open any more
    room.open_vote();                                      // the next round starts clean
    EXPECT_EQ(room.snapshot().voters(), 0u);
    EXPECT_FALSE(room.vote_of("attendee-1"));
}

TEST(Room, CapsAttendeesAndCountsAnIdOnce) {
    Room room({.max_attendees = 2});
    EXPECT_TRUE(room.join("aaaaaaaa"));
    EXPECT_TRUE(room.join("aaaaaaaa")); // the same phone, a second tab
    EXPECT_TRUE(room.join("bbbbbbbb"));
    EXPECT_FALSE(room.join("cccccccc"));
    EXPECT_EQ(room.snapshot().attendees, 2u);
    room.leave("bbbbbbbb");
    EXPECT_TRUE(room.join("cccccccc"));
    EXPECT_FALSE(room.join("short"));     // ids are 8..64 of [A-Za-z0-9_-]
    EXPECT_FALSE(room.join("bad id <>")); // nothing else
}

TEST(Room, CsvInTimeOrderWithABomBothLanguagesAndTheStep) {
    Room room;
    room.join("attendee-1");
    for (const char* id : {"with-block", "passed-in", "with-block"}) {
        room.set_question({.scenario = id,
                           .title = {"标题", "Title"},
                           .setup = {"不调用 close()", "a, \"b\""},
                           .step = 2,
                           .steps = 3,
                           .step_text = {"第二步", "step two"}});
        room.open_vote();
        room.vote("attendee-1", room.snapshot().round, true);
        room.reveal(lab::RoomAnswer::exits, {"", "=cmd|' /C calc'!A0"});
    }
    const std::string csv = room.history_csv();
    ASSERT_TRUE(csv.starts_with("\xEF\xBB\xBF")) << "no BOM: a spreadsheet garbles 中文";
    const auto with1 = csv.find("\r\n1,with-block,"), passed = csv.find("\r\n2,passed-in,"),
               with3 = csv.find("\r\n3,with-block,");
    ASSERT_NE(passed, std::string::npos) << csv;
    EXPECT_LT(with1, passed); // the order they were played in
    EXPECT_LT(passed, with3);
    EXPECT_NE(csv.find(",Title,标题,\"a, \"\"b\"\"\",不调用 close(),2,3,step two,第二步,"),
              std::string::npos)
        << csv;                                                             // both languages
    EXPECT_NE(csv.find(",'=cmd|' /C calc'!A0,"), std::string::npos) << csv; // no formula
    EXPECT_NE(csv.find(",1,1,0,exits,1,100.0,"), std::string::npos) << csv;
}

// Issue 22, defect 1: votes about one setup never count for another.
TEST(Room, ASetupChangeWhileVotingStartsANewRound) {
    Room room;
    room.join("attendee-1");
    room.set_question({.scenario = "threaded-client", .setup = {"继承", "inherit"}});
    room.open_vote();
    ASSERT_EQ(room.vote("attendee-1", 1, true), VoteResult::counted);
    // Another step of the same setup: the same question.
    room.set_question({.scenario = "threaded-client", .setup = {"继承", "inherit"}, .step = 2});
    EXPECT_EQ(room.snapshot().round, 1u);
    EXPECT_EQ(room.snapshot().voters(), 1u);
    // Another switch: a new question, asked now (one new round), nobody has answered it.
    EXPECT_TRUE(room.set_question({.scenario = "threaded-client", .setup = {"守护", "daemon"}}));
    auto s = room.snapshot();
    EXPECT_EQ(s.round, 2u);
    EXPECT_EQ(s.phase, lab::RoomPhase::voting);
    EXPECT_EQ(s.voters(), 0u);
    EXPECT_FALSE(room.vote_of("attendee-1"));
    EXPECT_EQ(room.vote("attendee-1", 1, true), VoteResult::stale_round);
    // Another scenario, likewise; the reveal files the round under the setup it was asked with.
    room.set_question({.scenario = "passed-in", .setup = {"守护", "daemon"}});
    EXPECT_EQ(room.snapshot().round, 3u);
    ASSERT_EQ(room.vote("attendee-1", 3, false), VoteResult::counted);
    room.reveal(lab::RoomAnswer::hangs, {});
    ASSERT_EQ(room.history().size(), 1u);
    EXPECT_EQ(room.history()[0].question.scenario, "passed-in");
    EXPECT_EQ(room.history()[0].said_hangs, 1u);
}

// Issue 23, item 5: one address cannot fill the room, nor the tally, however many ids it makes
// up, connected at once or coming and going; a class behind one address fits.
TEST(Room, OneAddressCannotFillTheRoomOrTheTally) {
    Room room({.max_attendees = 500, .max_per_address = 150});
    room.open_vote();
    for (int i = 0; i < 150; ++i)
        ASSERT_TRUE(room.join("phone-" + std::to_string(10000 + i), "10.0.0.7")) << i;
    EXPECT_FALSE(room.join("phone-99999", "10.0.0.7")); // that address's share is taken
    EXPECT_TRUE(room.join("phone-10000", "10.0.0.7"));  // a second tab of one of them is fine
    EXPECT_TRUE(room.join("someone-else", "10.0.0.8")); // and the rest of the class gets in
    for (int i = 0; i < 150; ++i) room.leave("phone-" + std::to_string(10000 + i));
    room.leave("phone-10000");
    // Join, vote, leave, with a new id each time: 5000 times.
    std::size_t counted = 0;
    for (int i = 0; i < 5000; ++i) {
        const std::string id = "churn-" + std::to_string(100000 + i);
        ASSERT_TRUE(room.join(id, "10.0.0.9")) << i; // never more than one at once
        counted += room.vote(id, 1, false) == VoteResult::counted;
        room.leave(id);
    }
    EXPECT_EQ(counted, 150u); // that address's share of one round's votes
    EXPECT_EQ(room.snapshot().said_hangs, 150u);
    // Across addresses, a round holds at most max_attendees votes (bounded memory).
    Room small({.max_attendees = 10, .max_per_address = 10});
    small.open_vote();
    for (int i = 0; i < 100; ++i) {
        const std::string id = "churn-" + std::to_string(100000 + i);
        small.join(id, "10.1.0." + std::to_string(i));
        small.vote(id, 1, true);
        small.leave(id);
    }
    EXPECT_EQ(small.snapshot().voters(), 10u);
    // A new round frees the shares.
    room.open_vote();
    ASSERT_TRUE(room.join("churn-next-1", "10.0.0.9"));
    EXPECT_EQ(room.vote("churn-next-1", 2, true), VoteResult::counted);
}

// Issue 23, item 12: "500/502 (100%)" was the wrong word.
TEST(Room, AccuracyIsNeverRoundedToAllOrNone) {
    EXPECT_EQ(lab::accuracy_percent(500, 502), "99");
    EXPECT_EQ(lab::accuracy_percent(502, 502), "100");
    EXPECT_EQ(lab::accuracy_percent(1, 502), "1");
    EXPECT_EQ(lab::accuracy_percent(0, 502), "0");
    EXPECT_EQ(lab::accuracy_percent(1, 3), "33");
    EXPECT_EQ(lab::accuracy_percent(0, 0), "");
    lab::RoomRound r;
    r.answer = lab::RoomAnswer::hangs;
    r.said_hangs = 1999;
    r.said_exits = 1;
    EXPECT_EQ(r.percent(), "99");
    r.answer = lab::RoomAnswer::other;
    EXPECT_EQ(r.percent(), "");
}

// Issue 23, item 12: the ban table's bound must not lift bans.
TEST(StrikeTable, BoundingNeverLiftsABan) {
    using lab::room::StrikeTable;
    StrikeTable t({.max_strikes = 3, .window = std::chrono::seconds(60), .max_entries = 4096});
    auto now = StrikeTable::Clock::now();
    for (int i = 0; i < 3; ++i) t.strike("192.0.2.1", now);
    ASSERT_TRUE(t.banned("192.0.2.1", now));
    // 5000 other addresses strike once each: the table stays bounded, the ban holds.
    for (int i = 0; i < 5000; ++i)
        t.strike("10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1", now);
    EXPECT_LE(t.size(), 4096u);
    EXPECT_TRUE(t.banned("192.0.2.1", now));
    // A table full of live bans keeps every one of them.
    StrikeTable full({.max_strikes = 1, .window = std::chrono::seconds(60), .max_entries = 8});
    for (int i = 0; i < 8; ++i) full.strike("10.0.0." + std::to_string(i), now);
    full.strike("10.0.0.99", now);
    for (int i = 0; i < 8; ++i) EXPECT_TRUE(full.banned("10.0.0." + std::to_string(i), now)) << i;
    // And a ban ends when its time is up.
    EXPECT_FALSE(t.banned("192.0.2.1", now + std::chrono::seconds(61)));
}

// ---- protocol ------------------------------------------------------------------------------

TEST(RoomProtocol, RoutesNeedTheCode) {
    using lab::room::Route;
    const std::string code = "K7QF3M";
    auto route = [&](std::string_view m, std::string_view t, bool up = false) {
        return lab::room::decide(m, t, up, code).route;
    };
    EXPECT_EQ(route("GET", "/K7QF3M/"), Route::page);
    EXPECT_EQ(route("GET", "/k7qf3m/"), Route::page); // typed on a phone in lower case
    EXPECT_EQ(route("GET", "/K7QF3M"), Route::redirect);
    EXPECT_EQ(route("GET", "/K7QF3M/room.js"), Route::script);
    EXPECT_EQ(route("GET", "/K7QF3M/room.css"), Route::style);
    EXPECT_EQ(route("GET", "/K7QF3M/ws?id=abcdef012345", true), Route::socket);
    EXPECT_EQ(route("GET", "/K7QF3N/"), Route::wrong_code);
    EXPECT_EQ(route("GET", "/"), Route::join_page); // type the code
    EXPECT_EQ(route("GET", "/join?code=k7qf3m"), Route::joined);
    EXPECT_EQ(route("GET", "/join?code=K7QF3N"), Route::wrong_code);
    EXPECT_EQ(route("GET", "/join?x=1"), Route::bad_request);
    EXPECT_EQ(route("GET", "/favicon.ico"), Route::icon);
    EXPECT_EQ(route("GET", "/K7QF3M/icon.svg"), Route::icon);
    EXPECT_EQ(route("GET", "/room.js"), Route::not_found);
    EXPECT_EQ(route("POST", "/K7QF3M/"), Route::bad_method);
    EXPECT_EQ(route("GET", "/K7QF3M/ws?id=abcdef012345", false), Route::bad_request);
    EXPECT_EQ(route("GET", "/K7QF3M/ws?id=<script>", true), Route::bad_request);
    EXPECT_EQ(route("GET", "/K7QF3M/%2e%2e/etc/passwd"), Route::bad_request);
    EXPECT_EQ(route("GET", "/K7QF3M/../room.js"), Route::not_found);
    EXPECT_EQ(route("GET", "/K7QF3M/?x=1"), Route::bad_request);
    EXPECT_EQ(route("GET", "/K7QF3M/" + std::string(300, 'a')), Route::bad_request);
    EXPECT_EQ(lab::room::normalize_code("k7qf3m"), "K7QF3M");
    EXPECT_EQ(lab::room::normalize_code("K7QF3O"), ""); // O is not in the alphabet
    const std::string made = lab::room::make_code();
    EXPECT_EQ(lab::room::normalize_code(made), made);
    EXPECT_NE(lab::room::make_code(), made); // 2^30 codes: equal twice is a broken RNG
}

TEST(RoomProtocol, VotesAreStrict) {
    auto v = lab::room::parse_vote(R"({"round":3,"vote":"exits"})");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->round, 3u);
    EXPECT_TRUE(v->exits);
    EXPECT_TRUE(lab::room::parse_vote(R"({"vote":"hangs","round":1})"));
    for (std::string bad :
         {std::string(R"({"round":3,"vote":"exits","x":1})"), std::string(R"({"round":3})"),
          std::string(R"({"round":-1,"vote":"exits"})"),
          std::string(R"({"round":0,"vote":"exits"})"),
          std::string(R"({"round":1.5,"vote":"exits"})"),
          std::string(R"({"round":"1","vote":"exits"})"),
          std::string(R"({"round":1,"vote":"maybe"})"), std::string(R"([1,"exits"])"),
          std::string("not json"),
          std::string(R"({"round":1,"vote":"exits"})") + std::string(200, ' ')}) {
        std::string why;
        EXPECT_FALSE(lab::room::parse_vote(bad, &why)) << bad;
        EXPECT_FALSE(why.empty()) << bad;
    }
}

TEST(RoomProtocol, StateHidesTheTallyUntilTheReveal) {
    Room room;
    room.join("attendee-1");
    room.set_question({.scenario = "passed-in", .title = {"把连接传进线程", "<b>passed</b>"}});
    room.open_vote();
    room.vote("attendee-1", 1, true);
    json j = json::parse(lab::room::state_message(room.snapshot(), true));
    EXPECT_EQ(j["phase"], "voting");
    EXPECT_EQ(j["you"], "exits");
    EXPECT_TRUE(j["result"].is_null());
    EXPECT_EQ(j["title"]["en"], "<b>passed</b>"); // text, as text: the page never parses HTML
    room.reveal(lab::RoomAnswer::hangs, {"卡住", "hangs"});
    j = json::parse(lab::room::state_message(room.snapshot(), true));
    EXPECT_EQ(j["result"]["answer"], "hangs");
    EXPECT_EQ(j["result"]["said_exits"], 1);
    EXPECT_EQ(j["result"]["accuracy"], 0.0);
}

// ---- the server over loopback ---------------------------------------------------------------

struct Reply {
    int status = 0;
    std::string body;
    http::fields headers;
};

// A TCP socket from `from` (any 127.x.y.z is this machine: one address per simulated network).
void connect_from(tcp::socket& s, std::uint16_t port, const std::string& from,
                  beast::error_code& ec) {
    s.open(tcp::v4(), ec);
    if (!ec) s.bind(tcp::endpoint(net::ip::make_address(from), 0), ec);
    if (!ec) s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
}

Reply get(std::uint16_t port, const std::string& target, const std::string& from = "127.0.0.1") {
    net::io_context ioc;
    beast::tcp_stream s(ioc);
    beast::error_code ec;
    connect_from(s.socket(), port, from, ec);
    if (ec) return {};
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    http::write(s, req, ec);
    beast::flat_buffer b;
    http::response<http::string_body> res;
    if (!ec) http::read(s, b, res, ec);
    if (ec) return {};
    Reply r{int(res.result_int()), res.body(), {}};
    for (const auto& f : res) r.headers.set(f.name_string(), f.value());
    return r;
}

// Sends raw bytes, returns everything the server says before it closes.
std::string raw(std::uint16_t port, const std::string& bytes,
                const std::string& from = "127.0.0.1") {
    net::io_context ioc;
    tcp::socket s(ioc);
    beast::error_code ec;
    connect_from(s, port, from, ec);
    if (ec) return {};
    if (!bytes.empty()) net::write(s, net::buffer(bytes), ec);
    std::string out;
    char buf[4096];
    for (;;) {
        std::size_t n = s.read_some(net::buffer(buf), ec);
        if (ec) break;
        out.append(buf, n);
    }
    return out;
}

struct Attendee {
    net::io_context ioc;
    websocket::stream<tcp::socket> ws{ioc};
    std::uint64_t round = 0;

    beast::error_code join(std::uint16_t port, const std::string& code, const std::string& id,
                           const std::string& from = "127.0.0.1") {
        beast::error_code ec;
        connect_from(ws.next_layer(), port, from, ec);
        if (!ec) ws.handshake("127.0.0.1:" + std::to_string(port), "/" + code + "/ws?id=" + id, ec);
        return ec;
    }
    // Reads until a message of type t (returns it), or an error.
    json until(std::string_view t) {
        for (;;) {
            beast::flat_buffer b;
            beast::error_code ec;
            ws.read(b, ec);
            if (ec) return json{{"t", "error"}, {"error", ec.message()}};
            json j = json::parse(beast::buffers_to_string(b.data()));
            if (j["t"] == "state") round = j["round"];
            if (j["t"] == t) return j;
        }
    }
    void vote(std::uint64_t r, bool exits) {
        ws.write(net::buffer(json{{"round", r}, {"vote", exits ? "exits" : "hangs"}}.dump()));
    }
};

lab::RoomServerOptions loopback() {
    return {.address = "127.0.0.1", .port = 0};
}

TEST(RoomServer, ServesThePageWithAStrictPolicy) {
    Room room;
    RoomServer server(room, loopback());
    EXPECT_EQ(server.url(),
              "http://127.0.0.1:" + std::to_string(server.port()) + "/" + server.code() + "/");
    Reply page = get(server.port(), "/" + server.code() + "/");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("room.js"), std::string::npos);
    const std::string csp(page.headers["Content-Security-Policy"]);
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_EQ(page.headers["X-Content-Type-Options"], "nosniff");
    // No external resources: nothing in the page or its parts names another host.
    for (const char* part : {"index.html", "room.js", "room.css"}) {
        const std::string_view text = lab::room_asset(part);
        ASSERT_FALSE(text.empty()) << part;
        EXPECT_EQ(text.find("http://"), std::string::npos) << part;
        EXPECT_EQ(text.find("https://"), std::string::npos) << part;
        EXPECT_EQ(text.find("innerHTML"), std::string::npos) << part;
    }
    EXPECT_EQ(get(server.port(), "/" + server.code() + "/room.js").status, 200);
    EXPECT_EQ(get(server.port(), "/" + server.code()).status, 301);
}

TEST(RoomServer, TwoHundredAttendeesVoteInOneRoundWithNothingLost) {
    Room room;
    RoomServer server(room, loopback());
    room.set_question({.scenario = "threaded-client"});
    room.open_vote();
    constexpr int kN = 200;
    std::vector<std::unique_ptr<Attendee>> people;
    for (int i = 0; i < kN; ++i) {
        people.push_back(std::make_unique<Attendee>());
        ASSERT_FALSE(people.back()->join(server.port(), server.code(),
                                         "attendee-" + std::to_string(i),
                                         "127.0.0." + std::to_string(1 + i % 4)))
            << i;
    }
    for (auto& p : people) ASSERT_EQ(p->until("state")["phase"], "voting");
    EXPECT_EQ(room.snapshot().attendees, std::size_t(kN));
    // Everyone votes before anyone reads: one burst, as when the presenter says "vote now".
    for (int i = 0; i < kN; ++i) people[std::size_t(i)]->vote(1, i % 3 == 0);
    int acked = 0;
    for (auto& p : people) {
        json ack = p->until("ack");
        acked += ack["result"] == "counted";
    }
    EXPECT_EQ(acked, kN);
    const auto s = room.snapshot();
    EXPECT_EQ(s.voters(), std::size_t(kN));
    EXPECT_EQ(s.said_exits, std::size_t((kN + 2) / 3)); // i % 3 == 0
    EXPECT_EQ(s.said_hangs, std::size_t(kN - (kN + 2) / 3));
    // The reveal reaches every page.
    room.start_run();
    room.reveal(lab::RoomAnswer::hangs, {"卡住", "hangs"});
    int told = 0;
    for (auto& p : people) {
        for (json st = p->until("state");; st = p->until("state"))
            if (st["phase"] == "revealed" || st["t"] == "error") {
                told += st["result"]["answer"] == "hangs";
                break;
            }
    }
    EXPECT_EQ(told, kN);
    EXPECT_EQ(server.stats().votes, std::size_t(kN));
}

TEST(RoomServer, RefusesWhatItMustAndKeepsServingTheOthers) {
    Room room({.max_attendees = 3});
    RoomServer server(room, loopback());
    room.open_vote();
    const std::string c = server.code();
    const std::uint16_t port = server.port();

    Attendee a;
    ASSERT_FALSE(a.join(port, c, "attendee-a"));
    ASSERT_EQ(a.until("hello")["t"], "hello");

    // A wrong room code, on the page and on the socket.
    std::string wrong = c;
    wrong[0] = wrong[0] == '2' ? '3' : '2';
    EXPECT_EQ(get(port, "/" + wrong + "/").status, 403);
    Attendee w;
    EXPECT_TRUE(w.join(port, wrong, "attendee-w")); // the handshake is refused
    // Malformed, oversized, a body, another method.
    EXPECT_EQ(raw(port, "NONSENSE\r\n\r\n").substr(0, 12), "HTTP/1.1 400");
    EXPECT_EQ(raw(port, "GET /" + c + "/ HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') +
                            "\r\n\r\n")
                  .substr(0, 12),
              "HTTP/1.1 431");
    EXPECT_EQ(raw(port, "POST /" + c + "/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
                  .substr(0, 12),
              "HTTP/1.1 413");
    EXPECT_EQ(raw(port, "DELETE /" + c + "/ HTTP/1.1\r\nHost: x\r\n\r\n").substr(0, 12),
              "HTTP/1.1 405");
    // A socket from another site's page.
    {
        net::io_context ioc;
        websocket::stream<tcp::socket> ws(ioc);
        ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        ws.set_option(websocket::stream_base::decorator(
            [](websocket::request_type& r) { r.set(http::field::origin, "http://evil.example"); }));
        beast::error_code ec;
        ws.handshake("127.0.0.1:" + std::to_string(port), "/" + c + "/ws?id=attendee-e", ec);
        EXPECT_TRUE(ec);
    }
    // Too many attendees: the fourth is told so over its socket (its page says it; issue 22,
    // defect 7): the page's strings, then a close frame "room-full" (1013: try again later).
    Attendee b, d, e;
    ASSERT_FALSE(b.join(port, c, "attendee-b"));
    ASSERT_FALSE(d.join(port, c, "attendee-d"));
    ASSERT_FALSE(e.join(port, c, "attendee-e")); // the fourth
    EXPECT_EQ(e.until("hello")["t"], "hello");
    EXPECT_EQ(e.until("state")["t"], "error"); // no state: closed
    EXPECT_EQ(e.ws.reason().reason, "room-full");
    EXPECT_EQ(e.ws.reason().code, 1013);
    EXPECT_EQ(room.snapshot().attendees, 3u);
    // A page that sends something other than a vote, or floods, is dropped.
    d.until("state");
    d.ws.write(net::buffer(std::string("{\"round\":1,\"vote\":\"exits\",\"code\":\"rm -rf\"}")));
    EXPECT_EQ(d.until("ack")["t"], "error");
    b.until("state");
    for (int i = 0; i < 400; ++i) { // a flood, far beyond a thumb's taps
        beast::error_code ec;
        b.ws.write(net::buffer(std::string(R"({"round":1,"vote":"hangs"})")), ec);
        if (ec) break;
    }
    for (json m = b.until("ack"); m["t"] != "error"; m = b.until("ack")) {
    }
    EXPECT_GE(server.stats().dropped_sockets, 2u);
    // ... and the first attendee still votes, and is counted.
    a.until("state");
    a.vote(1, true);
    EXPECT_EQ(a.until("ack")["result"], "counted");
    EXPECT_EQ(room.snapshot().said_exits, 1u);
    EXPECT_EQ(get(port, "/" + c + "/").status, 200);
}

TEST(RoomServer, IdleConnectionsTimeOutAndGuessersAreBanned) {
    Room room;
    auto o = loopback();
    o.request_timeout = std::chrono::milliseconds(300);
    o.max_bad_requests = 5;
    RoomServer server(room, o);
    // Connects and says nothing: closed after the request timeout.
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(raw(server.port(), ""), "");
    const auto waited = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(waited, std::chrono::milliseconds(250));
    EXPECT_LT(waited, std::chrono::seconds(5));
    // Guessing codes: after 5 wrong ones, this address gets nothing, not even the page.
    for (int i = 0; i < 5; ++i) EXPECT_EQ(get(server.port(), "/ZZZZZZ/").status, 403);
    EXPECT_EQ(raw(server.port(), "GET /" + server.code() + "/ HTTP/1.1\r\nHost: x\r\n\r\n"), "");
}

// Issue 22, defect 5: a class behind one NAT address (WSL2, a VM's port-forward, a classroom
// router): 40 phones load the page, ask for the icons browsers ask for, and join. None of it
// is a strike, nobody is locked out.
TEST(RoomServer, AClassOfFortyBehindOneAddressAllGetIn) {
    Room room;
    RoomServer server(room, loopback()); // the defaults, as a presenter runs it
    room.open_vote();
    const std::string c = server.code();
    std::vector<std::unique_ptr<Attendee>> people;
    for (int i = 0; i < 40; ++i) {
        for (const std::string& path : {"/" + c + "/", "/" + c + "/room.js", "/" + c + "/room.css",
                                        "/" + c + "/icon.svg", std::string("/favicon.ico")})
            ASSERT_EQ(get(server.port(), path).status, 200) << i << " " << path;
        // What a phone's browser also asks for, and we do not have: 404, not a strike.
        ASSERT_EQ(get(server.port(), "/apple-touch-icon.png").status, 404) << i;
        ASSERT_EQ(get(server.port(), "/" + c + "/apple-touch-icon-precomposed.png").status, 404);
        people.push_back(std::make_unique<Attendee>());
        ASSERT_FALSE(people.back()->join(server.port(), c, "phone-" + std::to_string(1000 + i)))
            << i;
    }
    for (auto& p : people) {
        p->until("state");
        p->vote(1, true);
        EXPECT_EQ(p->until("ack")["result"], "counted");
    }
    EXPECT_EQ(room.snapshot().said_exits, 40u);
    EXPECT_EQ(server.stats().refused_bad, 0u);
}

// Issue 23, item 5: one phone making up ids gets its address's share, not the room; the next
// real phone gets in.
TEST(RoomServer, OnePhoneWithManyIdsDoesNotLockTheClassOut) {
    Room room({.max_attendees = 60, .max_per_address = 20});
    RoomServer server(room, loopback());
    room.open_vote();
    std::vector<std::unique_ptr<Attendee>> fakes;
    int joined = 0;
    for (int i = 0; i < 60; ++i) {
        fakes.push_back(std::make_unique<Attendee>());
        // In the room: its state arrives (a page with no place is told so and closed).
        joined += !fakes.back()->join(server.port(), server.code(),
                                      "fake-id-" + std::to_string(1000 + i), "127.0.0.2") &&
                  fakes.back()->until("state")["t"] == "state";
    }
    EXPECT_EQ(joined, 20);
    Attendee real;
    ASSERT_FALSE(real.join(server.port(), server.code(), "real-phone-1", "127.0.0.3"));
    real.until("state");
    real.vote(1, false);
    EXPECT_EQ(real.until("ack")["result"], "counted");
}

// Issue 23, item 5: half-sent requests that time out are strikes, and one address cannot hold
// every connection: the page keeps loading for everyone else.
TEST(RoomServer, HalfSentRequestsAreStrikesAndOneAddressHoldsItsShareOnly) {
    Room room;
    auto o = loopback();
    o.request_timeout = std::chrono::milliseconds(300);
    o.max_bad_requests = 5;
    o.max_connections_per_address = 8;
    RoomServer server(room, o);
    const std::string half = "GET /" + server.code() + "/ HTTP/1.1\r\nHost: x\r\n"; // no end
    for (int i = 0; i < 5; ++i) EXPECT_EQ(raw(server.port(), half, "127.0.0.4"), "") << i;
    // Banned: even a whole request from there gets nothing; others are served.
    EXPECT_EQ(
        raw(server.port(), "GET /" + server.code() + "/ HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.4"),
        "");
    EXPECT_EQ(get(server.port(), "/" + server.code() + "/").status, 200);
    // An idle browser connection (nothing sent) is no strike.
    for (int i = 0; i < 6; ++i) EXPECT_EQ(raw(server.port(), "", "127.0.0.6"), "");
    EXPECT_EQ(get(server.port(), "/" + server.code() + "/", "127.0.0.6").status, 200);
    // 30 connections held open from one address: 8 are kept, the rest closed at once.
    net::io_context ioc;
    std::vector<std::unique_ptr<tcp::socket>> held;
    for (int i = 0; i < 30; ++i) {
        held.push_back(std::make_unique<tcp::socket>(ioc));
        beast::error_code ec;
        connect_from(*held.back(), server.port(), "127.0.0.5", ec);
        ASSERT_FALSE(ec);
    }
    EXPECT_TRUE(testing_support::eventually([&] { return server.stats().refused_full >= 22u; }));
    EXPECT_EQ(get(server.port(), "/" + server.code() + "/").status, 200);
}

// Issue 22, defect 6: every page a phone can land on is HTML in UTF-8, both languages, with a
// viewport; "/" asks for the code.
TEST(RoomServer, ErrorPagesAndTheJoinPageAreReadableOnAPhone) {
    Room room;
    RoomServer server(room, loopback());
    const std::string c = server.code();
    std::string wrong = c;
    wrong[0] = wrong[0] == '2' ? '3' : '2';
    for (const auto& [path, status] : std::vector<std::pair<std::string, int>>{
             {"/" + wrong + "/", 403}, {"/nothing-here", 404}, {"/", 200}}) {
        Reply r = get(server.port(), path);
        EXPECT_EQ(r.status, status) << path;
        EXPECT_EQ(r.headers[http::field::content_type], "text/html; charset=utf-8") << path;
        EXPECT_NE(r.body.find("<meta charset=\"utf-8\">"), std::string::npos) << path;
        EXPECT_NE(r.body.find("name=\"viewport\""), std::string::npos) << path;
        EXPECT_NE(r.body.find("lang=\"zh-Hans\""), std::string::npos) << path;
        EXPECT_NE(r.body.find("lang=\"en\""), std::string::npos) << path;
    }
    EXPECT_NE(get(server.port(), "/" + wrong + "/").body.find("房间号不对"), std::string::npos);
    EXPECT_NE(get(server.port(), "/").body.find("action=\"/join\""), std::string::npos);
    // The join form's answer, typed in lower case: to the room.
    std::string lower = c;
    for (char& ch : lower) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    Reply go = get(server.port(), "/join?code=" + lower);
    EXPECT_EQ(go.status, 303);
    EXPECT_EQ(go.headers[http::field::location], "/" + c + "/");
    EXPECT_EQ(get(server.port(), "/join?code=" + wrong).status, 403);
    EXPECT_EQ(get(server.port(), "/room.css").status, 200); // the pages' style, without a code
}

// Issue 22, defects 2 and 7: closing the room tells every page so (a close frame with the
// reason "room-closed"), and stop() does not wait long for pages that do not answer.
TEST(RoomServer, ClosingTheRoomTellsEveryPage) {
    Room room;
    auto server = std::make_unique<RoomServer>(room, loopback());
    Attendee a;
    ASSERT_FALSE(a.join(server->port(), server->code(), "attendee-a"));
    a.until("state");
    const auto t0 = std::chrono::steady_clock::now();
    std::thread stopper([&] { server->stop(); });
    EXPECT_EQ(a.until("never")["t"], "error"); // reads until the close
    stopper.join();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
    EXPECT_EQ(a.ws.reason().code, websocket::close_code::going_away);
    EXPECT_EQ(std::string(a.ws.reason().reason.c_str()), "room-closed");
}

// Its sockets are close-on-exec: Listener.EverySocketOfBothServersIsCloseOnExec
// (tests/test_listener.cpp), with the echo server's.

TEST(RoomServer, ABadAddressIsAClearError) {
    Room room;
    try {
        RoomServer server(room, {.address = "not-an-address"});
        FAIL() << "listened on nonsense";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not an IP address"), std::string::npos) << e.what();
    }
    EXPECT_THROW(RoomServer(room, {.address = "127.0.0.1", .code = "0OI1"}), std::runtime_error);
}

// Issue 22, defect 9: a thumb tapping a vote 20 times fast stays connected; the taps beyond the
// rate are ignored and the page is sent what counts.
TEST(RoomServer, QuickRepeatedTapsNeverDisconnect) {
    Room room;
    RoomServer server(room, loopback());
    room.open_vote();
    Attendee a;
    ASSERT_FALSE(a.join(server.port(), server.code(), "thumb-tapper"));
    a.until("state");
    for (int i = 0; i < 20; ++i) a.vote(1, true);
    // Still connected: it gets its acks, never a close.
    for (int i = 0; i < 3; ++i) EXPECT_NE(a.until("ack")["t"], "error");
    EXPECT_EQ(server.stats().dropped_sockets, 0u);
    EXPECT_EQ(room.snapshot().attendees, 1u);
    // Once the burst refills, a tap counts again (each tap is answered: an ack, or the state).
    EXPECT_TRUE(testing_support::eventually([&] {
        a.vote(1, false);
        beast::flat_buffer buf;
        beast::error_code ec;
        a.ws.read(buf, ec);
        return !ec && room.vote_of("thumb-tapper") == false;
    }));
    EXPECT_EQ(server.stats().dropped_sockets, 0u);
}

} // namespace
