// safe_write.hpp — files the host writes (exports, settings), written so that a failure
// never leaves a partial file or destroys a good one, and never through a symbolic link.
//
// The bytes go to a new temporary file in the destination's own directory (O_EXCL |
// O_NOFOLLOW), are flushed with fsync, and the temporary file
// is renamed over the destination: readers see the old file or the new one, nothing between.
#pragma once

#include <string>
#include <string_view>

namespace lab {

// Checks, before any work is done, that `path` can be written: its directory exists, is a
// directory and is writable; the path is not a symbolic link, a directory or anything but a
// regular file. Returns "" or "PATH: reason" (the reason is strerror's text where there is
// an errno).
std::string check_writable(const std::string& path);

struct WriteOptions {
    unsigned mode = 0644; // the final file's permissions (before the umask)
};

// Writes `data` to `path` as described above. Returns "" or "PATH: reason"; on failure the
// destination is as it was and no temporary file is left.
std::string write_file_atomic(const std::string& path, std::string_view data,
                              WriteOptions options = {});

// $XDG_CONFIG_HOME, else ~/.config; "" when neither can be known.
std::string config_home();

} // namespace lab
