#include "lab/model/branches.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/lines.hpp"

#include <cctype>
#include <optional>

namespace lab {

std::map<std::string, std::string> switch_env(const RunOptions& o) {
    std::map<std::string, std::string> env{{"CLOSE", effective_close(o) ? "1" : "0"}};
    if (const Scenario* s = find_scenario(o.scenario); s && s->sandbox) {
        env["CONNECT_IN"] = std::string(trace::name(o.connect_in));
        env["WORKER"] = std::string(trace::name(o.worker));
        env["WITH_BLOCK"] = std::string(
            o.with_block ? "1" : "0"); // (assigning the char* trips GCC 12's -Wrestrict at -O3)
    }
    return env;
}

namespace {

// A value a top-level name holds: a bool, a string, or None.
struct Value {
    enum class Kind { boolean, string, none } kind = Kind::none;
    bool b = false;
    std::string s;
    bool truthy() const { return kind == Kind::boolean ? b : kind == Kind::string && !s.empty(); }
    bool operator==(const Value&) const = default;
};
using Names = std::map<std::string, Value>;

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// The code of a line without its comment (no '#' inside strings in what we read).
std::string_view code_of(std::string_view line) {
    bool in_str = false;
    char quote = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (in_str) {
            if (c == quote) in_str = false;
        } else if (c == '"' || c == '\'') {
            in_str = true;
            quote = c;
        } else if (c == '#')
            return trim(line.substr(0, i));
    }
    return trim(line);
}

int indent_of(std::string_view line) {
    int n = 0;
    for (char c : line) {
        if (c == ' ')
            ++n;
        else if (c == '\t')
            n += 8 - n % 8;
        else
            break;
    }
    return n;
}

// A cursor over one line, for the two assignment shapes read_names() knows (no std::regex:
// GCC 12 warns falsely inside <regex> at -O1 and above, and the shapes are simple).
struct Scan {
    std::string_view rest;
    bool lit(std::string_view w) {
        if (!rest.starts_with(w)) return false;
        rest.remove_prefix(w.size());
        return true;
    }
    std::optional<std::string> word() { // \w+
        std::size_t n = 0;
        while (n < rest.size() &&
               (std::isalnum(static_cast<unsigned char>(rest[n])) || rest[n] == '_'))
            ++n;
        if (n == 0) return std::nullopt;
        std::string w(rest.substr(0, n));
        rest.remove_prefix(n);
        return w;
    }
    std::optional<std::string> quoted() { // "[^"]*"
        if (!lit("\"")) return std::nullopt;
        const std::size_t q = rest.find('"');
        if (q == std::string_view::npos) return std::nullopt;
        std::string v(rest.substr(0, q));
        rest.remove_prefix(q + 1);
        return v;
    }
    void spaces() {
        while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())))
            rest.remove_prefix(1);
    }
};

// NAME = os.environ.get("VAR"[, "DEFAULT"])[ == "V" | != "V"]
struct FromEnv {
    std::string name, var;
    std::optional<std::string> fallback, op, compare;
};
std::optional<FromEnv> from_env(std::string_view line) {
    Scan sc{line};
    FromEnv f;
    auto name = sc.word();
    if (!name || !sc.lit(" = os.environ.get(")) return std::nullopt;
    auto var = sc.quoted();
    if (!var) return std::nullopt;
    f.name = *name;
    f.var = *var;
    if (sc.lit(", ")) {
        f.fallback = sc.quoted();
        if (!f.fallback) return std::nullopt;
    }
    if (!sc.lit(")")) return std::nullopt;
    sc.spaces();
    for (std::string_view op : {"==", "!="})
        if (sc.lit(op)) {
            f.op = std::string(op);
            if (!sc.lit(" ")) return std::nullopt;
            f.compare = sc.quoted();
            if (!f.compare) return std::nullopt;
            break;
        }
    return sc.rest.empty() ? std::optional<FromEnv>(f) : std::nullopt;
}

// A = None if B == "v" else C
struct NoneIf {
    std::string a, b, v, c;
};
std::optional<NoneIf> none_if(std::string_view line) {
    Scan sc{line};
    auto a = sc.word();
    if (!a || !sc.lit(" = None if ")) return std::nullopt;
    auto b = sc.word();
    if (!b || !sc.lit(" == ")) return std::nullopt;
    auto v = sc.quoted();
    if (!v || !sc.lit(" else ")) return std::nullopt;
    auto c = sc.word();
    if (!c || !sc.rest.empty()) return std::nullopt;
    return NoneIf{*a, *b, *v, *c};
}

// Top-level assignments from the environment, and the `X = None if X == "v" else X` idiom.
void read_names(std::string_view source, const std::map<std::string, std::string>& env,
                Names& names) {
    for_each_line(source, [&](std::string_view raw, int) {
        if (indent_of(raw) != 0) return;
        const std::string line(code_of(raw));
        if (const std::optional<FromEnv> m = from_env(line)) {
            const auto it = env.find(m->var);
            std::optional<std::string> v;
            if (it != env.end())
                v = it->second;
            else if (m->fallback)
                v = *m->fallback;
            Value val;
            if (m->op) {
                val.kind = Value::Kind::boolean;
                val.b = v && (*v == *m->compare) == (*m->op == "==");
                if (!v && *m->op == "!=") val.b = true;
            } else if (v) {
                val.kind = Value::Kind::string;
                val.s = *v;
            }
            names[m->name] = val;
        } else if (const std::optional<NoneIf> n = none_if(line);
                   n && n->a == n->b && n->b == n->c) {
            auto it = names.find(n->a);
            if (it != names.end() && it->second.kind == Value::Kind::string && it->second.s == n->v)
                it->second = Value{};
        }
    });
}

// A small reader of conditions: names, "strings", None, ==, !=, is (not) None, not, and, or,
// parentheses. nullopt: not understood.
class Cond {
  public:
    Cond(std::string_view text, const Names& names) : names_(names) { tokenize(text); }
    std::optional<bool> eval() {
        std::optional<Value> v = or_expr();
        if (!ok_ || pos_ != toks_.size() || !v) return std::nullopt;
        return v->truthy();
    }

  private:
    void tokenize(std::string_view s) {
        for (std::size_t i = 0; i < s.size();) {
            const char c = s[i];
            if (std::isspace(static_cast<unsigned char>(c))) {
                ++i;
            } else if (c == '"' || c == '\'') {
                const std::size_t end = s.find(c, i + 1);
                if (end == std::string_view::npos) {
                    ok_ = false;
                    return;
                }
                toks_.push_back(std::string(s.substr(i, end - i + 1)));
                i = end + 1;
            } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
                std::size_t j = i;
                while (j < s.size() &&
                       (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                    ++j;
                toks_.push_back(std::string(s.substr(i, j - i)));
                i = j;
            } else if ((c == '=' || c == '!') && i + 1 < s.size() && s[i + 1] == '=') {
                toks_.push_back(std::string(s.substr(i, 2)));
                i += 2;
            } else if (c == '(' || c == ')') {
                toks_.push_back(std::string(1, c));
                ++i;
            } else {
                ok_ = false;
                return;
            }
        }
    }
    bool peek(std::string_view t) const { return pos_ < toks_.size() && toks_[pos_] == t; }
    std::optional<Value> or_expr() {
        std::optional<Value> v = and_expr();
        while (ok_ && peek("or")) {
            ++pos_;
            std::optional<Value> r = and_expr();
            if (!v || !r) return std::nullopt;
            v = Value{.kind = Value::Kind::boolean, .b = v->truthy() || r->truthy()};
        }
        return v;
    }
    std::optional<Value> and_expr() {
        std::optional<Value> v = not_expr();
        while (ok_ && peek("and")) {
            ++pos_;
            std::optional<Value> r = not_expr();
            if (!v || !r) return std::nullopt;
            v = Value{.kind = Value::Kind::boolean, .b = v->truthy() && r->truthy()};
        }
        return v;
    }
    std::optional<Value> not_expr() {
        if (peek("not")) {
            ++pos_;
            std::optional<Value> v = not_expr();
            if (!v) return std::nullopt;
            return Value{.kind = Value::Kind::boolean, .b = !v->truthy()};
        }
        return compare();
    }
    std::optional<Value> compare() {
        std::optional<Value> l = atom();
        if (!ok_) return std::nullopt;
        bool eq = true;
        if (peek("==") || peek("!=")) {
            eq = toks_[pos_++] == "==";
        } else if (peek("is")) {
            ++pos_;
            if (peek("not")) {
                eq = false;
                ++pos_;
            }
        } else {
            return l;
        }
        std::optional<Value> r = atom();
        if (!l || !r) return std::nullopt;
        return Value{.kind = Value::Kind::boolean, .b = (*l == *r) == eq};
    }
    std::optional<Value> atom() {
        if (pos_ >= toks_.size()) {
            ok_ = false;
            return std::nullopt;
        }
        const std::string& t = toks_[pos_++];
        if (t == "(") {
            std::optional<Value> v = or_expr();
            if (!peek(")")) ok_ = false;
            ++pos_;
            return v;
        }
        if (t == "None") return Value{};
        if (t == "True" || t == "False")
            return Value{.kind = Value::Kind::boolean, .b = t == "True"};
        if (t.front() == '"' || t.front() == '\'')
            return Value{.kind = Value::Kind::string, .s = t.substr(1, t.size() - 2)};
        if (auto it = names_.find(t); it != names_.end()) return it->second;
        return std::nullopt; // a name we do not know: not understood
    }

    const Names& names_;
    std::vector<std::string> toks_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

} // namespace

std::vector<OffBlock> blocks_off(std::string_view source,
                                 const std::map<std::string, std::string>& env) {
    Names names;
    read_names(source, env, names);
    std::vector<std::string_view> lines;
    for_each_line(source, [&](std::string_view l, int) { lines.push_back(l); });
    const int count = int(lines.size());
    auto blank = [&](int i) { return code_of(lines[std::size_t(i)]).empty(); };
    // The last line of the block whose header is line i (0-based).
    auto block_end = [&](int i) {
        const int ind = indent_of(lines[std::size_t(i)]);
        int last = i;
        for (int j = i + 1; j < count; ++j) {
            if (blank(j)) continue;
            if (indent_of(lines[std::size_t(j)]) <= ind) break;
            last = j;
        }
        return last;
    };
    std::vector<OffBlock> off;
    // Per indentation level: the state of the if-chain open there. taken: a branch ran;
    // unknown: a condition was not understood, so later branches are not judged.
    struct Chain {
        bool open = false, taken = false, unknown = false;
    };
    std::map<int, Chain> chains;
    for (int i = 0; i < count; ++i) {
        if (blank(i)) continue;
        const int ind = indent_of(lines[std::size_t(i)]);
        const std::string_view code = code_of(lines[std::size_t(i)]);
        for (auto it = chains.upper_bound(ind); it != chains.end();) it = chains.erase(it);
        const bool is_if = code.starts_with("if ") && code.ends_with(":");
        const bool is_elif = code.starts_with("elif ") && code.ends_with(":");
        const bool is_else = code == "else:";
        Chain& chain = chains[ind];
        if (!is_if && !is_elif && !is_else) {
            chain.open = false;
            continue;
        }
        if ((is_elif || is_else) && !chain.open) continue; // the else of a for/try: not ours
        if (is_if) chain = Chain{.open = true};
        std::optional<bool> runs;
        if (!chain.unknown) {
            if (chain.taken)
                runs = false;
            else if (is_else)
                runs = true;
            else {
                const std::string_view cond =
                    code.substr(is_if ? 3 : 5, code.size() - (is_if ? 3 : 5) - 1);
                runs = Cond(cond, names).eval();
            }
        }
        if (!runs)
            chain.unknown = true;
        else if (*runs)
            chain.taken = true;
        const int end = block_end(i);
        if (runs && !*runs && end > i)
            off.push_back(
                {.header = i + 1, .condition = std::string(code), .first = i + 2, .last = end + 1});
    }
    return off;
}

const OffBlock* off_at(const std::vector<OffBlock>& off, int n) {
    for (const OffBlock& b : off)
        if (n >= b.first && n <= b.last) return &b;
    return nullptr;
}

} // namespace lab
