// Whole-file reads with a size cap, and atomic writes with a chosen mode.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm {

// 64 MiB: larger than any trust list, config or firmware file we build or parse.
inline constexpr std::size_t kMaxInputFile = 64u << 20;

// An owned file descriptor, closed on destruction.
class FileHandle {
 public:
  FileHandle() = default;
  explicit FileHandle(int fd) : fd_(fd) {}
  FileHandle(FileHandle&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  FileHandle& operator=(FileHandle&& o) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle();
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct OpenedFile {
  FileHandle handle;
  std::uint64_t size = 0;
  // What identifies this version of the file: compared with a later stat() of the same path.
  std::uint64_t device = 0, inode = 0;
  std::int64_t mtime_ns = 0;
};

// Opens a regular file for reading. A FIFO, device or directory is refused (InvalidArgument)
// without blocking on it. NotFound, PermissionDenied or Unavailable otherwise.
Result<OpenedFile> open_regular_file(const std::filesystem::path& path);

// NotFound, PermissionDenied, InvalidArgument (not a regular file), ResourceExhausted (over
// max_size) or Unavailable.
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
