// setup_python.cpp — see setup_python.hpp.
#include "lab/run/setup_python.hpp"

#include "lab/run/python_engine.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <signal.h>
#include <unistd.h>

namespace lab {
namespace fs = std::filesystem;

std::string data_dir() {
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x == '/')
        return std::string(x) + "/daemonlab";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.local/share/daemonlab";
    return {};
}

namespace {

bool cancelled(const SetupOptions& o) {
    return o.cancel && o.cancel->load();
}

std::string last_line(const std::string& out) {
    std::string s = out;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

bool has(const std::string& out, std::initializer_list<const char*> needles) {
    return std::any_of(needles.begin(), needles.end(),
                       [&](const char* n) { return out.find(n) != std::string::npos; });
}

// What went wrong in pip's or venv's words, said as what to do.
std::string why(const std::string& what, const std::string& out, const fs::path& dir) {
    if (has(out, {"No space left on device", "Errno 28"}))
        return what + ": the disk is full (No space left on device) under " + dir.string() +
               ". Free some space and run it again; nothing half-made was left.";
    if (has(out,
            {"ensurepip is not available", "No module named venv", "No module named ensurepip"}))
        return what + ": this Python has no venv module. Install it (Debian: apt-get install "
                      "python3-venv) and run it again.";
    if (has(out, {"Temporary failure in name resolution", "NewConnectionError",
                  "Network is unreachable", "Could not find a version", "No matching distribution",
                  "ConnectionError", "Max retries exceeded"}))
        return what +
               ": cannot download it (no network?). Connect and run it again, or give "
               "--find-links DIR with the wheels; nothing half-made was left. pip said: " +
               last_line(out);
    return what + " failed: " + last_line(out);
}

// "3.11.2", or "" when it cannot run; `venv_ok`: it has venv and ensurepip.
std::string probe(const std::string& python, bool& venv_ok, std::string& out,
                  const std::atomic<bool>* cancel) {
    auto [status, text] = run_captured(
        {python, "-c",
         "import sys\nprint('%d.%d.%d' % sys.version_info[:3])\n"
         "try:\n    import venv, ensurepip\n    print('venv')\nexcept ImportError as e:\n"
         "    print(e)\n"},
        20000, cancel);
    out = text;
    if (status != 0) return {};
    const std::string version = text.substr(0, text.find('\n'));
    venv_ok = text.find("\nvenv") != std::string::npos;
    return version;
}

// The websockets version that `python` imports, or "".
std::string websockets_in(const fs::path& python, const std::atomic<bool>* cancel) {
    std::error_code ec;
    if (!fs::exists(python, ec)) return {};
    auto [status, out] = run_captured(
        {python.string(), "-c", "from websockets.version import version; print(version)"}, 20000,
        cancel);
    return status == 0 ? out.substr(0, out.find('\n')) : std::string();
}

// Temporary directories of runs that died (their pid is gone): nothing half-made stays.
void sweep(const fs::path& dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        const std::size_t at = name.rfind(".tmp-");
        if (at == std::string::npos) continue;
        const pid_t pid = pid_t(std::atol(name.c_str() + at + 5));
        if (pid > 0 && (pid == ::getpid() || ::kill(pid, 0) != 0)) fs::remove_all(e.path(), ec);
    }
}

// One environment, made in `tmp` and renamed into ROOT/…/websockets-<version>.
// share_at, share_each: the share of the whole work done before it, and its own share.
std::string make_one(const SetupOptions& o, const std::string& wanted, const fs::path& base,
                     RealPython& made, const std::function<void(std::string_view)>& progress,
                     double share_at, double share_each) {
    const std::string label = "websockets " + (wanted.empty() ? "(newest)" : wanted);
    const fs::path tmp =
        base / ((wanted.empty() ? "newest" : wanted) + ".tmp-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(tmp, ec);
    auto fail = [&](const std::string& message) {
        fs::remove_all(tmp, ec);
        return cancelled(o) ? std::string(kSetupCancelled) : message;
    };
    progress(label + ": making a virtual environment");
    if (auto [st, out] = run_captured({o.python, "-m", "venv", tmp.string()}, 120000, o.cancel);
        st != 0 || cancelled(o))
        return fail(why("making a virtual environment for " + label, out, base));
    if (o.done_share) o.done_share(share_at + share_each / 3); // the venv is made
    progress(label + ": installing through pip" +
             (o.find_links.empty() ? "" : " from " + o.find_links));
    std::vector<std::string> pip = {(tmp / "bin/python").string(),
                                    "-m",
                                    "pip",
                                    "install",
                                    "--disable-pip-version-check",
                                    "--no-input",
                                    "--progress-bar",
                                    "off"};
    if (!o.find_links.empty()) pip.insert(pip.end(), {"--no-index", "--find-links", o.find_links});
    pip.push_back(wanted.empty() ? "websockets" : "websockets==" + wanted);
    if (auto [st, out] = run_captured(pip, o.pip_timeout_s * 1000, o.cancel);
        st != 0 || cancelled(o))
        return fail(why("installing " + label, out, base));
    const std::string got = websockets_in(tmp / "bin/python", o.cancel);
    if (cancelled(o)) return fail({});
    if (got.empty() || (!wanted.empty() && got != wanted))
        return fail(label + " did not import after pip installed it (found \"" + got + "\")");
    const fs::path final_dir = base / ("websockets-" + got);
    if (fs::exists(final_dir / "bin/python", ec) &&
        websockets_in(final_dir / "bin/python", o.cancel) == got) {
        fs::remove_all(tmp, ec); // the newest is one already there
        made = {got, (final_dir / "bin/python").string(), true};
        return {};
    }
    fs::remove_all(final_dir, ec);
    fs::rename(tmp, final_dir, ec);
    if (ec) return fail("cannot move " + tmp.string() + " into place: " + ec.message());
    made = {got, (final_dir / "bin/python").string(), false};
    return {};
}

} // namespace

std::string setup_python(const SetupOptions& o, std::vector<RealPython>& made,
                         const std::function<void(std::string_view)>& progress) {
    const fs::path root = o.root.empty() ? fs::path(data_dir()) : fs::path(o.root);
    if (root.empty())
        return "no data directory: set HOME or XDG_DATA_HOME to say where the environments go";
    bool venv_ok = false;
    std::string out;
    const std::string version = probe(o.python, venv_ok, out, o.cancel);
    if (cancelled(o)) return kSetupCancelled;
    if (version.empty())
        return "cannot run " + o.python + (out.empty() ? "" : ": " + last_line(out)) +
               ". Install Python 3.9 to 3.13 (apt-get install python3), or name one with --python "
               "PATH.";
    if (!venv_ok)
        return o.python + " (Python " + version +
               ") has no venv module. Install it (Debian: apt-get install python3-venv) and run "
               "it again.";
    const fs::path base = root / "python" / version;
    std::error_code ec;
    fs::create_directories(base, ec);
    if (ec) return "cannot make " + base.string() + ": " + ec.message();
    sweep(base);
    std::vector<RealPython> result;
    const double each = 1.0 / double(kRealWebsockets.size());
    for (std::size_t i = 0; i < kRealWebsockets.size(); ++i) {
        const std::string& wanted = kRealWebsockets[i];
        if (cancelled(o)) return kSetupCancelled;
        if (o.done_share) o.done_share(double(i) * each);
        RealPython one;
        // Reused when it is there: a pinned version by its name, the newest as any other.
        for (const RealPython& r : real_pythons(root.string()))
            if (r.python.starts_with(base.string() + "/") &&
                (wanted.empty() ? std::find(kRealWebsockets.begin(), kRealWebsockets.end(),
                                            r.websockets) == kRealWebsockets.end()
                                : r.websockets == wanted))
                one = {r.websockets, r.python, true};
        if (one.python.empty())
            if (std::string err = make_one(o, wanted, base, one, progress, double(i) * each, each);
                !err.empty())
                return err;
        progress("websockets " + one.websockets + (one.reused ? ": already there, " : ": ready, ") +
                 one.python);
        result.push_back(one);
        if (o.done_share) o.done_share(double(i + 1) * each);
    }
    made = std::move(result);
    return {};
}

std::vector<RealPython> real_pythons(const std::string& root_dir) {
    const fs::path root = root_dir.empty() ? fs::path(data_dir()) : fs::path(root_dir);
    std::vector<RealPython> out;
    std::error_code ec;
    if (root.empty() || !fs::is_directory(root / "python", ec)) return out;
    for (const auto& py : fs::directory_iterator(root / "python", ec))
        for (const auto& env : fs::directory_iterator(py.path(), ec)) {
            const std::string name = env.path().filename().string();
            if (!name.starts_with("websockets-") || !fs::exists(env.path() / "bin/python", ec))
                continue;
            out.push_back({name.substr(11), (env.path() / "bin/python").string(), true});
        }
    std::sort(out.begin(), out.end(), [](const RealPython& a, const RealPython& b) {
        return std::strtod(a.websockets.c_str(), nullptr) <
                   std::strtod(b.websockets.c_str(), nullptr) ||
               (a.websockets == b.websockets && a.python < b.python);
    });
    return out;
}

} // namespace lab
