// room_protocol.cpp — requests judged, votes parsed, messages written (see room_protocol.hpp).
#include "lab/room/room_protocol.hpp"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <sys/random.h>

namespace lab::room {

using nlohmann::json;

std::string make_code() {
    unsigned char bytes[kCodeLength];
    std::size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("no random bytes for the room code (getrandom failed)");
        }
        got += std::size_t(n);
    }
    std::string code;
    for (unsigned char b : bytes) code += kCodeAlphabet[b % kCodeAlphabet.size()]; // 256 % 32 == 0
    return code;
}

std::string normalize_code(std::string_view code) {
    if (code.size() != kCodeLength) return {};
    std::string out;
    for (char c : code) {
        if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
        if (kCodeAlphabet.find(c) == std::string_view::npos) return {};
        out += c;
    }
    return out;
}

int Decision::status() const {
    switch (route) {
    case Route::page:
    case Route::script:
    case Route::style:
    case Route::icon:
    case Route::join_page:
        return 200;
    case Route::socket:
        return 101;
    case Route::redirect:
        return 301;
    case Route::joined:
        return 303;
    case Route::bad_method:
        return 405;
    case Route::wrong_code:
        return 403;
    case Route::not_found:
        return 404;
    case Route::bad_request:
        break;
    }
    return 400;
}

namespace {

bool plain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '.' || c == '-' || c == '_' || c == '?' || c == '=' || c == '&';
}

// Compares without stopping at the first difference (no timing hint about the code).
bool same_code(std::string_view given, std::string_view code) {
    std::string g = normalize_code(given);
    if (g.size() != code.size()) return false;
    unsigned diff = 0;
    for (std::size_t i = 0; i < code.size(); ++i) diff |= unsigned(g[i] ^ code[i]);
    return diff == 0;
}

} // namespace

Decision decide(std::string_view method, std::string_view target, bool upgrade,
                std::string_view code) {
    Decision d;
    if (target.empty() || target.size() > kMaxTargetBytes || target[0] != '/' ||
        !std::all_of(target.begin(), target.end(), plain_char)) {
        d.route = Route::bad_request;
        return d;
    }
    std::string_view path = target, query;
    if (auto q = target.find('?'); q != std::string_view::npos) {
        path = target.substr(0, q);
        query = target.substr(q + 1);
    }
    // What needs no code: the join page, its form's target, the icon, the style.
    if (path == "/" || path == "/favicon.ico" || path == "/room.css" || path == "/join") {
        if (method != "GET") {
            d.route = Route::bad_method;
        } else if (upgrade || (path != "/join" && !query.empty())) {
            d.route = Route::bad_request;
        } else if (path == "/join") {
            // Exactly code=CODE; a wrong code is a guess like any other.
            d.route = !query.starts_with("code=")        ? Route::bad_request
                      : same_code(query.substr(5), code) ? Route::joined
                                                         : Route::wrong_code;
        } else {
            d.route = path == "/"           ? Route::join_page
                      : path == "/room.css" ? Route::style
                                            : Route::icon;
        }
        return d;
    }
    // The first segment is the room code.
    std::string_view rest = path.substr(1);
    std::string_view first = rest.substr(0, rest.find('/'));
    std::string_view tail =
        rest.size() > first.size() ? rest.substr(first.size()) : std::string_view{};
    if (!same_code(first, code)) {
        // A path that looks like a room (a code-sized first segment) but is not this one.
        d.route = normalize_code(first).empty() ? Route::not_found : Route::wrong_code;
        return d;
    }
    if (method != "GET") {
        d.route = Route::bad_method;
        return d;
    }
    if (tail == "/ws") {
        // Exactly id=ATTENDEE.
        if (!upgrade || !query.starts_with("id=")) {
            d.route = Route::bad_request;
            return d;
        }
        std::string id(query.substr(3));
        if (!Room::valid_attendee(id)) {
            d.route = Route::bad_request;
            return d;
        }
        d.route = Route::socket;
        d.attendee = std::move(id);
        return d;
    }
    if (upgrade || !query.empty()) { // a WebSocket or a query only at /ws
        d.route = Route::bad_request;
        return d;
    }
    if (tail.empty())
        d.route = Route::redirect;
    else if (tail == "/" || tail == "/index.html")
        d.route = Route::page;
    else if (tail == "/room.js")
        d.route = Route::script;
    else if (tail == "/room.css")
        d.route = Route::style;
    else if (tail == "/icon.svg")
        d.route = Route::icon;
    else
        d.route = Route::not_found;
    return d;
}

std::optional<Decision> parse_and_decide(std::string_view bytes, std::string_view code) {
    namespace http = boost::beast::http;
    http::request_parser<http::empty_body> parser;
    parser.header_limit(std::uint32_t(kMaxHeaderBytes));
    parser.body_limit(0);
    parser.eager(false);
    boost::beast::error_code ec;
    std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    (void)used;
    if (ec || !parser.is_header_done()) return std::nullopt;
    const auto& req = parser.get();
    return decide(std::string_view(req.method_string().data(), req.method_string().size()),
                  std::string_view(req.target().data(), req.target().size()),
                  boost::beast::websocket::is_upgrade(req), code);
}

std::optional<Vote> parse_vote(std::string_view text, std::string* why) {
    auto fail = [&](const char* what) -> std::optional<Vote> {
        if (why) *why = what;
        return std::nullopt;
    };
    if (text.size() > kMaxVoteBytes) return fail("message too long");
    json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail("not JSON");
    if (!j.is_object() || j.size() != 2) return fail("not {\"round\":N,\"vote\":...}");
    auto r = j.find("round");
    auto v = j.find("vote");
    if (r == j.end() || v == j.end()) return fail("round or vote missing");
    if (!r->is_number_unsigned()) return fail("round is not a positive integer");
    const std::uint64_t round = r->get<std::uint64_t>();
    if (round == 0 || round > (std::uint64_t(1) << 53)) return fail("round out of range");
    if (!v->is_string()) return fail("vote is not a string");
    const std::string& s = v->get_ref<const std::string&>();
    if (s != "exits" && s != "hangs") return fail("vote is neither \"exits\" nor \"hangs\"");
    return Vote{round, s == "exits"};
}

namespace {

json text(const RoomText& t) {
    return {{"zh", t.zh}, {"en", t.en}};
}

std::string dump(const json& j) {
    // Invalid UTF-8 (from content we did not write) is replaced, never thrown on.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

std::string hello_message(const Strings& page_strings, std::size_t max_attendees) {
    json strings = json::object();
    for (const auto& [key, zh_en] : page_strings.all())
        if (key.starts_with("page."))
            strings[key.substr(5)] = {{"zh", zh_en.first}, {"en", zh_en.second}};
    return dump({{"t", "hello"}, {"strings", strings}, {"max", max_attendees}});
}

std::string state_message(const RoomSnapshot& s, std::optional<bool> you) {
    json j = {{"t", "state"},
              {"phase", to_string(s.phase)},
              {"round", s.round},
              {"scenario", s.question.scenario},
              {"title", text(s.question.title)},
              {"setup", text(s.question.setup)},
              {"step", nullptr},
              {"you", you ? json(*you ? "exits" : "hangs") : json(nullptr)},
              {"result", nullptr}};
    if (s.question.step > 0)
        j["step"] = {
            {"n", s.question.step}, {"of", s.question.steps}, {"text", text(s.question.step_text)}};
    // The class's answer only after the reveal: nobody is swayed by the others before.
    if (s.phase == RoomPhase::revealed && s.last) {
        const RoomRound& r = *s.last;
        json acc = nullptr;
        if (auto a = r.accuracy()) acc = *a;
        j["result"] = {{"answer", to_string(r.answer)},
                       {"reason", text(r.reason)},
                       {"said_exits", r.said_exits},
                       {"said_hangs", r.said_hangs},
                       {"accuracy", acc},
                       {"pct", r.percent()}}; // as the presenter's screen says it
    }
    return dump(j);
}

std::string ack_message(std::uint64_t round, bool exits, VoteResult result) {
    return dump({{"t", "ack"},
                 {"round", round},
                 {"vote", exits ? "exits" : "hangs"},
                 {"result", to_string(result)}});
}

namespace {

std::string escape_html(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace

std::string html_page(const Strings& strings, std::string_view key, bool join) {
    auto both = [&](std::string_view k, const char* tag) {
        std::string out;
        for (Lang l : {Lang::zh, Lang::en})
            out += std::string("<") + tag + " lang=\"" + (l == Lang::zh ? "zh-Hans" : "en") +
                   "\">" + escape_html(strings.get(k, l)) + "</" + tag + ">\n";
        return out;
    };
    std::string html =
        "<!doctype html>\n<html lang=\"zh-Hans\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<title>DaemonLab · 守护线程实验室</title>\n"
        "<link rel=\"stylesheet\" href=\"/room.css\">\n"
        "<link rel=\"icon\" href=\"/favicon.ico\" type=\"image/svg+xml\">\n"
        "</head>\n<body>\n<main>\n<section>\n";
    if (!key.empty()) html += both(key, "p");
    if (join) {
        html += both("join.title", "h1");
        html += "<form action=\"/join\" method=\"get\" class=\"join\">\n"
                "<label for=\"code\">" +
                escape_html(strings.get("join.prompt", Lang::zh)) + " · " +
                escape_html(strings.get("join.prompt", Lang::en)) +
                "</label>\n<input id=\"code\" name=\"code\" autocomplete=\"off\" "
                "autocapitalize=\"characters\" spellcheck=\"false\" maxlength=\"" +
                std::to_string(kCodeLength) + "\" pattern=\"[2-9A-Za-z]{" +
                std::to_string(kCodeLength) +
                "}\" required>\n<button type=\"submit\" class=\"choice\">" +
                escape_html(strings.get("join.go", Lang::zh)) + " · " +
                escape_html(strings.get("join.go", Lang::en)) + "</button>\n</form>\n";
    } else {
        html += "<p><a href=\"/\">" + escape_html(strings.get("join.again", Lang::zh)) + " · " +
                escape_html(strings.get("join.again", Lang::en)) + "</a></p>\n";
    }
    return html + "</section>\n</main>\n</body>\n</html>\n";
}

} // namespace lab::room
