// The workshop room: its state (lab::Room), its protocol, and its server over loopback —
// 200 attendees in one round, and everything it must refuse while it keeps serving the rest.
#include "lab/room/room.hpp"
#include "lab/room/room_protocol.hpp"
#include "lab/room/room_server.hpp"

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

TEST(Room, CsvGroupsByScenarioAndEscapes) {
    Room room;
    room.join("attendee-1");
    for (const char* id : {"with-block", "passed-in", "with-block"}) {
        room.set_question({.scenario = id, .setup = {"", "a, \"b\""}});
        room.open_vote();
        room.vote("attendee-1", room.snapshot().round, true);
        room.reveal(lab::RoomAnswer::exits, {"", "=cmd|' /C calc'!A0"});
    }
    const std::string csv = room.history_csv();
    const auto passed = csv.find("\r\npassed-in,2,"), with1 = csv.find("\r\nwith-block,1,"),
               with3 = csv.find("\r\nwith-block,3,");
    ASSERT_NE(passed, std::string::npos) << csv;
    EXPECT_LT(passed, with1);
    EXPECT_LT(with1, with3);
    EXPECT_NE(csv.find("\"a, \"\"b\"\"\""), std::string::npos) << csv;      // RFC 4180 quoting
    EXPECT_NE(csv.find(",'=cmd|' /C calc'!A0,"), std::string::npos) << csv; // no formula
    EXPECT_NE(csv.find(",1,1,0,exits,1,100.0,"), std::string::npos) << csv;
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
    EXPECT_EQ(route("GET", "/"), Route::not_found);
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

Reply get(std::uint16_t port, const std::string& target) {
    net::io_context ioc;
    beast::tcp_stream s(ioc);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    http::write(s, req);
    beast::flat_buffer b;
    http::response<http::string_body> res;
    http::read(s, b, res);
    Reply r{int(res.result_int()), res.body(), {}};
    for (const auto& f : res) r.headers.set(f.name_string(), f.value());
    return r;
}

// Sends raw bytes, returns everything the server says before it closes.
std::string raw(std::uint16_t port, const std::string& bytes) {
    net::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    beast::error_code ec;
    net::write(s, net::buffer(bytes), ec);
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

    beast::error_code join(std::uint16_t port, const std::string& code, const std::string& id) {
        beast::error_code ec;
        ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
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
        ASSERT_FALSE(
            people.back()->join(server.port(), server.code(), "attendee-" + std::to_string(i)))
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
    // Too many attendees: the fourth is refused with 503.
    Attendee b, d, e;
    ASSERT_FALSE(b.join(port, c, "attendee-b"));
    ASSERT_FALSE(d.join(port, c, "attendee-d"));
    EXPECT_TRUE(e.join(port, c, "attendee-e"));
    const std::string full =
        raw(port, "GET /" + c +
                      "/ws?id=attendee-f HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                      "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    EXPECT_EQ(full.substr(0, 12), "HTTP/1.1 503") << full;
    EXPECT_EQ(room.snapshot().attendees, 3u);
    // A page that sends something other than a vote, or floods, is dropped.
    d.until("state");
    d.ws.write(net::buffer(std::string("{\"round\":1,\"vote\":\"exits\",\"code\":\"rm -rf\"}")));
    EXPECT_EQ(d.until("ack")["t"], "error");
    b.until("state");
    for (int i = 0; i < 40; ++i) {
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

} // namespace
