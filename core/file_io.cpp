// File helpers over POSIX calls, so that modes and fsync are explicit.
#include "core/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace cucm {
namespace {

Error errno_error(std::string_view what, const std::filesystem::path& path) {
  int e = errno;
  Errc code = e == ENOENT ? Errc::NotFound : (e == EACCES || e == EPERM) ? Errc::PermissionDenied
                                                                          : Errc::Unavailable;
  return make_error(code, fmt::format("{} {}: {}", what, path.string(), std::strerror(e)));
}

}  // namespace

FileHandle& FileHandle::operator=(FileHandle&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

Result<OpenedFile> open_regular_file(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. It changes
  // nothing for a regular file.
  FileHandle f(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!f) return errno_error("cannot open", path);
  struct stat st {};
  if (::fstat(f.get(), &st) != 0) return errno_error("cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::InvalidArgument, fmt::format("{} is not a regular file", path.string()));
  }
  return OpenedFile{std::move(f), static_cast<std::uint64_t>(st.st_size), static_cast<std::uint64_t>(st.st_dev),
                    static_cast<std::uint64_t>(st.st_ino), st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size) {
  CUCM_TRY(OpenedFile f, open_regular_file(path));
  if (f.size > max_size) {
    return make_error(Errc::ResourceExhausted, fmt::format("{} is {} bytes, over the {} byte limit",
                                                           path.string(), f.size, max_size));
  }
  Bytes out(static_cast<std::size_t>(f.size));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(f.handle.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("cannot read", path);
    if (n == 0) break;  // the file shrank while we read it
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

Status write_file_atomic(const std::filesystem::path& path, ByteView data, unsigned mode, Sync sync) {
  auto tmp = path;
  // Unique per process and call: two threads writing the same name must not share a temp file.
  static std::atomic<unsigned> counter{0};
  tmp += fmt::format(".tmp{}-{}", ::getpid(), counter.fetch_add(1, std::memory_order_relaxed));
  // On any failure the temp file goes; errno is read into the Error before the unlink.
  auto fail = [&](std::string_view what, const std::filesystem::path& p) {
    auto err = errno_error(what, p);
    ::unlink(tmp.c_str());
    return err;
  };
  {
    FileHandle f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!f) return errno_error("cannot create", tmp);
    if (::fchmod(f.get(), mode) != 0) return fail("cannot chmod", tmp);
    std::size_t put = 0;
    while (put < data.size()) {
      ssize_t n = ::write(f.get(), data.data() + put, data.size() - put);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail("cannot write", tmp);
      put += static_cast<std::size_t>(n);
    }
    if (sync == Sync::Yes && ::fsync(f.get()) != 0) return fail("cannot fsync", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename into", path);
  return Ok{};
}

Status append_file(const std::filesystem::path& path, ByteView data, unsigned mode) {
  FileHandle f(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode));
  if (!f) return errno_error("cannot open for appending", path);
  ssize_t n = 0;
  do {
    n = ::write(f.get(), data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno_error("cannot append to", path);
  if (static_cast<std::size_t>(n) != data.size()) {
    return make_error(Errc::ResourceExhausted, fmt::format("{}: only {} of {} bytes appended (disk full?)",
                                                           path.string(), n, data.size()));
  }
  return Ok{};
}

}  // namespace cucm
