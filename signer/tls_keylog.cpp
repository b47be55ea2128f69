// TLS key logs through SSL_CTX_set_keylog_callback, with the log kept in the context's ex_data.
#include "signer/tls_keylog.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

namespace cucm::signer {
namespace {

// The context's reference to its log: a heap-held shared_ptr, freed with the context.
void free_log(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::shared_ptr<TlsKeyLog>*>(ptr);
}

int log_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_log);
  return index;
}

void on_keylog_line(const SSL* ssl, const char* line) {
  auto* log = static_cast<std::shared_ptr<TlsKeyLog>*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), log_index()));
  if (log && *log) (*log)->write(line);
}

}  // namespace

Result<std::shared_ptr<TlsKeyLog>> TlsKeyLog::open(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("TLS key log {}: cannot open it for appending: {}", file.string(), std::strerror(errno)));
  }
  return std::shared_ptr<TlsKeyLog>(new TlsKeyLog(fd, file));
}

TlsKeyLog::~TlsKeyLog() { ::close(fd_); }

void TlsKeyLog::attach(const std::shared_ptr<TlsKeyLog>& log, SSL_CTX& ctx) {
  int index = log_index();
  delete static_cast<std::shared_ptr<TlsKeyLog>*>(SSL_CTX_get_ex_data(&ctx, index));
  SSL_CTX_set_ex_data(&ctx, index, new std::shared_ptr<TlsKeyLog>(log));
  SSL_CTX_set_keylog_callback(&ctx, on_keylog_line);
}

void TlsKeyLog::write(std::string_view line) {
  std::string record(line);
  record += '\n';
  std::lock_guard lock(mutex_);
  if (::write(fd_, record.data(), record.size()) == static_cast<ssize_t>(record.size())) ++lines_;
}

std::size_t TlsKeyLog::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

}  // namespace cucm::signer
