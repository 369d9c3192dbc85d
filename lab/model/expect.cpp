#include "lab/model/expect.hpp"

namespace lab {

namespace {

bool sandbox_defaults(const RunOptions& o) {
    const RunOptions def{.scenario = o.scenario};
    return o.connect_in == def.connect_in && o.worker == def.worker &&
           o.with_block == def.with_block;
}

} // namespace

std::optional<Outcome> lesson_expects(const Lesson& lesson, const RunOptions& o) {
    if (!sandbox_defaults(o)) return std::nullopt;
    const std::optional<bool> exits = lesson.expects_exit(o.receiver, effective_close(o));
    if (!exits) return std::nullopt;
    return *exits ? Outcome::exited : Outcome::hung;
}

bool lesson_default(const RunOptions& o) {
    const RunOptions def{.scenario = o.scenario};
    return o.receiver == def.receiver && effective_close(o) == effective_close(def) &&
           sandbox_defaults(o);
}

std::string cell_key(const RunOptions& o) {
    std::string key = o.scenario + "|" + std::string(trace::name(o.receiver)) + "|" +
                      (effective_close(o) ? "close" : "no-close");
    if (!sandbox_defaults(o)) {
        key += "|worker=" + std::string(trace::name(o.worker));
        key += "|connect-in=" + std::string(trace::name(o.connect_in));
        if (o.with_block) key += "|with";
    }
    return key;
}

bool same_settings(const RunOptions& a, const RunOptions& b) {
    return a.engine == b.engine && a.program == b.program && cell_key(a) == cell_key(b);
}

} // namespace lab
