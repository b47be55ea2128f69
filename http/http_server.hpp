// The HTTP file server on TCP 6970 (Boost.Beast): GET and HEAD of the same names TFTP serves,
// with the headers of the seed's capture, keep-alive, byte ranges for static files, a deadline on
// every read and write, and a cap on connections. The process must ignore SIGPIPE (the executable
// does): static files go out with sendfile, which cannot be told not to raise it. The same server
// with a TLS identity is HTTPS on 6971 (PROTOCOLS §8.1), where a `.sgn` is answered unsigned.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/result.hpp"
#include "core/tcp_listener.hpp"
#include "signer/ossl.hpp"
#include "signer/tls_keylog.hpp"
#include "db/event_writer.hpp"
#include "catalog/cached_catalog.hpp"
#include "metrics/histogram.hpp"

namespace cucm::http {

struct HttpConfig {
  std::string address = "0.0.0.0";
  std::uint16_t port = 6970;
  std::chrono::milliseconds io_timeout{10'000};
  std::size_t max_connections = 2000;
  // Connections one client address may hold at once (0: no cap), so that one address cannot take
  // all of max_connections; more are closed at once and counted as refused.
  std::size_t max_per_address = 200;
  int backlog = 1024;
  std::string tls_min = "1.2";  // HTTPS only: the lowest TLS version accepted
  std::shared_ptr<signer::TlsKeyLog> tls_keylog;  // HTTPS only, set: every handshake's secrets
};

inline constexpr std::uint16_t kHttpsPort = 6971;

// The certificate and key HTTPS presents: the cluster's https identity (EC). Borrowed: they must
// outlive the server.
struct TlsIdentity {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
};

struct HttpStats {
  std::atomic<std::uint64_t> requests{0}, ok{0}, not_found{0}, bad{0}, refused{0}, active{0};
  // Bytes sent in answers below 400, and in 4xx and 5xx answers.
  std::atomic<std::uint64_t> bytes_ok{0}, bytes_error{0};
  std::atomic<std::uint64_t> accept_errors{0};  // accepts that failed (out of file descriptors)
  std::atomic<std::uint64_t> handshake_failed{0};  // HTTPS: TLS handshakes that failed
  // From a request read to its answer written (the keep-alive wait before it is not counted).
  metrics::Histogram request_seconds{metrics::kFastSeconds};
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpConfig cfg, catalog::CachedCatalog& catalog, db::EventWriter* events);
  // Accepts on every loop (core::LoopPool); a connection stays on the loop that accepted it.
  // Each io_context must be run by exactly one thread: sessions have no strand.
  HttpServer(std::vector<boost::asio::io_context*> loops, HttpConfig cfg, catalog::CachedCatalog& catalog,
             db::EventWriter* events);
  // HTTPS: the same over TLS with `tls`, a `.sgn` answered with the unsigned file.
  HttpServer(std::vector<boost::asio::io_context*> loops, HttpConfig cfg, catalog::CachedCatalog& catalog,
             db::EventWriter* events, TlsIdentity tls);
  ~HttpServer();
  // Binds and listens (for HTTPS, loads the TLS identity first). PermissionDenied below 1024
  // without the capability, Unavailable for a port in use, InvalidArgument for a bad address or
  // TLS floor, Internal when OpenSSL refuses the certificate or key; each names the flag.
  Status start();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  const HttpStats& stats() const { return *stats_; }

  struct Shared;

 private:
  HttpServer(std::vector<boost::asio::io_context*> loops, HttpConfig cfg, catalog::CachedCatalog& catalog,
             db::EventWriter* events, std::optional<TlsIdentity> tls);
  void on_accept(core::TcpListener::Socket&& socket, const boost::asio::ip::tcp::endpoint& peer);

  std::string flag(const char* name) const;  // "--http-port", "--https-port"

  HttpConfig cfg_;
  std::optional<TlsIdentity> tls_identity_;
  std::shared_ptr<HttpStats> stats_;
  std::shared_ptr<Shared> shared_;
  core::TcpListener listener_;
};

}  // namespace cucm::http
