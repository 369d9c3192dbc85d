#include "lab/model/strings.hpp"

#include "lab/model/install_paths.hpp"

#include <toml++/toml.h>

namespace lab {

bool Strings::load(const std::string& path) {
    toml::table doc;
    try {
        doc = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        error_ = path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                 ": " + std::string(e.description());
        return false;
    }
    bool ok = true;
    for (auto&& [key, node] : doc) {
        const toml::table* t = node.as_table();
        auto zh = t ? (*t)["zh"].value<std::string>() : std::nullopt;
        auto en = t ? (*t)["en"].value<std::string>() : std::nullopt;
        if (!zh || !en) {
            int line = int(node.source().begin.line);
            error_ = path + ":" + std::to_string(line) + ": '" + std::string(key.str()) +
                     "' needs both zh and en text";
            ok = false;
            continue;
        }
        const int line = int(node.source().begin.line);
        const std::string here = path + ":" + std::to_string(line);
        auto [at, fresh] = origin_.try_emplace(std::string(key.str()), path, line);
        if (!fresh && at->second.first != path) {
            // One key, one wording: a later file must not quietly reword an earlier one.
            error_ = here + ": '" + std::string(key.str()) + "' is already defined at " +
                     at->second.first + ":" + std::to_string(at->second.second) +
                     "; keep one of the two";
            ok = false;
            continue;
        }
        at->second = {path, line};
        table_[std::string(key.str())] = {std::move(*zh), std::move(*en)};
    }
    return ok;
}

bool Strings::has(std::string_view key) const {
    return table_.find(key) != table_.end();
}

std::string Strings::get(std::string_view key, Lang lang) const {
    auto it = table_.find(key);
    if (it == table_.end()) return std::string(key);
    return lang == Lang::zh ? it->second.first : it->second.second;
}

std::string Strings::format(std::string_view key, Lang lang, const std::vector<Arg>& args) const {
    return fill(get(key, lang), args);
}

void Strings::set(std::string key, std::string zh, std::string en) {
    table_[std::move(key)] = {std::move(zh), std::move(en)};
}

std::string fill(std::string_view text, const std::vector<Arg>& args) {
    std::string out;
    out.reserve(text.size() + 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{') {
            std::size_t close = text.find('}', i);
            if (close != std::string_view::npos) {
                std::string_view name = text.substr(i + 1, close - i - 1);
                bool found = false;
                for (const Arg& a : args)
                    if (a.name == name) {
                        out += a.value;
                        found = true;
                        break;
                    }
                if (found) {
                    i = close;
                    continue;
                }
            }
        }
        out += text[i];
    }
    return out;
}

std::string content_dir() {
    return installed_path("DAEMONLAB_CONTENT", "share/daemonlab/content");
}

} // namespace lab
