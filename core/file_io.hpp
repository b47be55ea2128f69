// Whole-file reads with a size cap, and atomic writes with a chosen mode.
#pragma once

#include <filesystem>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm {

// 64 MiB: larger than any trust list, config or firmware file we build or parse.
inline constexpr std::size_t kMaxInputFile = 64u << 20;

// NotFound, PermissionDenied, ResourceExhausted (over max_size) or Unavailable.
Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size = kMaxInputFile);

enum class Sync { Yes, No };

// Writes to a temporary file beside `path`, fsyncs (unless Sync::No), then renames, so readers
// never see half a file. `mode` is applied before any byte is written (0600 for private keys).
// Sync::No is for copies whose record lives elsewhere: an fsync costs milliseconds on an
// event-loop thread, and after a crash or power loss such a file may be empty or cut short.
Status write_file_atomic(const std::filesystem::path& path, ByteView data, unsigned mode = 0644,
                         Sync sync = Sync::Yes);

// Appends `data` with one O_APPEND write (creating the file with `mode`), so concurrent appenders
// never interleave their records. No fsync: for logs whose record lives elsewhere.
Status append_file(const std::filesystem::path& path, ByteView data, unsigned mode = 0644);

}  // namespace cucm
