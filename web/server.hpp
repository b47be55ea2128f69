// The admin site's HTTPS server: `serve --admin-port` (8443). Its own event loops and threads,
// apart from the phones' services, so that a page load or a slow browser never delays a phone.
// A server of untrusted bytes like the others: a deadline on every read and write, a cap on a
// request's head and body, on connections overall and per address, and on event streams.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "auth/login_limiter.hpp"
#include "auth/session_store.hpp"
#include "cluster/cluster.hpp"
#include "core/loop_pool.hpp"
#include "core/result.hpp"
#include "core/tcp_listener.hpp"
#include "web/admin_identity.hpp"

namespace cucm::metrics {
class TextWriter;
}

namespace cucm::web {

inline constexpr std::uint16_t kAdminPort = 8443;

struct WebConfig {
  // Loopback by default: the site changes what phones are served; it is shown to another host
  // only when asked for (--admin-address).
  std::string address = "127.0.0.1";
  std::uint16_t port = kAdminPort;  // 0: a port the kernel picks (tests)
  std::size_t threads = 2;          // a login's scrypt holds its thread ~0.1 s: the other serves on
  std::chrono::milliseconds io_timeout{10'000};  // the handshake, a request once begun, each write
  std::chrono::milliseconds idle_timeout{60'000};  // a kept-alive connection waiting for its next request
  std::chrono::milliseconds stream_keepalive{15'000};  // a comment on an idle event stream
  std::size_t max_connections = 256;
  std::size_t max_per_address = 64;
  std::size_t max_streams = 64;
  std::size_t stream_buffer = 1u << 20;  // bytes queued for a stream that does not read: past it, closed
  std::string tls_min = "1.2";
  auth::SessionStore::Options sessions;
  auth::LoginLimiter::Options logins;
};

struct WebStats {
  // Answers by status class, counted as they are written: a malformed or refused request's too.
  std::atomic<std::uint64_t> ok{0}, client_errors{0}, server_errors{0};
  std::atomic<std::uint64_t> refused{0};  // connections closed at accept (max_connections, per address)
  std::atomic<std::uint64_t> streams{0};  // event streams started
};

class WebServer {
 public:
  // `cluster` must outlive the server.
  WebServer(cluster::Cluster& cluster, WebConfig cfg);
  ~WebServer();  // stop() and wait()
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Loads or makes the admin identity, binds, starts the event stream and the threads. Errors
  // name the flag to change (--admin-port, --admin-address).
  Status start();
  void stop();
  void wait();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  std::uint16_t port() const { return local_endpoint().port(); }
  const AdminIdentity& identity() const;
  const WebStats& stats() const;
  std::size_t connections_open() const;
  std::size_t streams_open() const;
  // The site's families of a Prometheus scrape (cucm_admin_*): only atomics are read, so any
  // thread may call it while the site runs.
  void write_metrics(metrics::TextWriter& w) const;

  struct State;

 private:
  cluster::Cluster& cluster_;
  core::LoopPool loops_;
  std::shared_ptr<State> state_;
  core::TcpListener listener_;
};

}  // namespace cucm::web
