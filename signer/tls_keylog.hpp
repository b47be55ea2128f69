// TLS key logs: the secrets of every handshake on a context, one line each in the NSS key log
// format (the SSLKEYLOGFILE format that Wireshark and tshark read), so that a capture of our CAPF,
// TVS and HTTPS sessions can be decrypted for teaching. Off unless asked for: anyone holding the
// file can read those sessions.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>

#include <openssl/ssl.h>

#include "core/result.hpp"

namespace cucm::signer {

class TlsKeyLog {
 public:
  // Opens `file` for appending, creating it with mode 0600. InvalidArgument naming the file when
  // it cannot be opened.
  static Result<std::shared_ptr<TlsKeyLog>> open(const std::filesystem::path& file);
  ~TlsKeyLog();
  TlsKeyLog(const TlsKeyLog&) = delete;
  TlsKeyLog& operator=(const TlsKeyLog&) = delete;

  // Every handshake on `ctx` from now on appends its lines here. The context keeps this log
  // alive (a reference is stored in it), so it may outlive whoever attached it.
  static void attach(const std::shared_ptr<TlsKeyLog>& log, SSL_CTX& ctx);

  // Appends one line (a newline is added) with one write, so that lines of concurrent handshakes
  // never interleave. Errors are dropped: a key log must never break a session.
  void write(std::string_view line);

  const std::filesystem::path& path() const { return path_; }
  std::size_t lines() const;

 private:
  TlsKeyLog(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}

  int fd_;
  std::filesystem::path path_;
  mutable std::mutex mutex_;
  std::size_t lines_ = 0;
};

}  // namespace cucm::signer
