// The HTTP file server on TCP 6970 (Boost.Beast): GET and HEAD of the same names TFTP serves,
// with the headers of the seed's capture, keep-alive, byte ranges for static files, a deadline on
// every read and write, and a cap on connections. The process must ignore SIGPIPE (the executable
// does): static files go out with sendfile, which cannot be told not to raise it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/result.hpp"
#include "core/tcp_listener.hpp"
#include "db/event_writer.hpp"
#include "catalog/cached_catalog.hpp"

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
};

struct HttpStats {
  std::atomic<std::uint64_t> requests{0}, ok{0}, not_found{0}, bad{0}, refused{0}, bytes{0}, active{0};
  std::atomic<std::uint64_t> accept_errors{0};  // accepts that failed (out of file descriptors)
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpConfig cfg, catalog::CachedCatalog& catalog, db::EventWriter* events);
  // Accepts on every loop (core::LoopPool); a connection stays on the loop that accepted it.
  // Each io_context must be run by exactly one thread: sessions have no strand.
  HttpServer(std::vector<boost::asio::io_context*> loops, HttpConfig cfg, catalog::CachedCatalog& catalog,
             db::EventWriter* events);
  ~HttpServer();
  Status start();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  const HttpStats& stats() const { return *stats_; }

  struct Shared;

 private:
  void on_accept(core::TcpListener::Socket&& socket, const boost::asio::ip::tcp::endpoint& peer);

  HttpConfig cfg_;
  std::shared_ptr<HttpStats> stats_;
  std::shared_ptr<Shared> shared_;
  core::TcpListener listener_;
};

}  // namespace cucm::http
