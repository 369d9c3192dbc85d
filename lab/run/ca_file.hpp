// ca_file.hpp — the echo server's CA certificate for a lesson on CPython, handed to the
// interpreter as a descriptor, never as a file on disk: a run killed by INT, TERM or KILL
// leaves nothing behind (issue 23: daemonlab-ca-* files piled up in $XDG_RUNTIME_DIR).
#pragma once

#include <chrono>
#include <cstddef>
#include <spawn.h>
#include <string>

#include "demos/trace/protocol.hpp"

namespace lab {

// The CA's fd in the child, just above the run's own pipes; the child's SSL_CERT_FILE names
// it (ca_child_path()). The spawn's closefrom must start above it.
inline constexpr int kCaFd = trace::launch::kStackFd + 1;

class CaFile {
  public:
    // The PEM in an anonymous memory file (memfd, sealed read-only), or an O_TMPFILE file
    // (no name, gone with its last fd) where memfd_create is refused. error() says why not.
    // The first CaFile of a process also removes the named files older versions left behind
    // (remove_stale_ca_files).
    explicit CaFile(const std::string& pem);
    ~CaFile();
    CaFile(const CaFile&) = delete;
    CaFile& operator=(const CaFile&) = delete;

    // "" when the CA is ready, else why it is not.
    const std::string& error() const { return error_; }
    // Makes the spawn put the CA at kCaFd in the child. Returns 0 or an errno.
    int add_to(posix_spawn_file_actions_t& actions) const;

  private:
    int fd_ = -1;
    std::string error_;
};

// What the child's SSL_CERT_FILE says: its own kCaFd, opened anew (from offset 0) by OpenSSL.
std::string ca_child_path();

// Removes `dir`/daemonlab-ca-XXXXXX files that are ours (our uid, regular files, not links)
// and older than `age`: the CA files that versions before issue 23 wrote and a killed run left
// behind. Younger ones may still be read by an older host's run. Returns how many went.
std::size_t remove_stale_ca_files(const std::string& dir, std::chrono::seconds age);

} // namespace lab
