// The HTTP file server on TCP 6970 (Boost.Beast): GET and HEAD of the same names TFTP serves,
// with the headers of the seed's capture, keep-alive, byte ranges for static files, a deadline on
// every read and write, and a cap on connections. start() ignores SIGPIPE for the whole process:
// static files go out with sendfile, which cannot be told not to raise it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/result.hpp"
#include "db/event_writer.hpp"
#include "tftp/catalog/cached_catalog.hpp"

namespace cucm::tftp {

struct HttpConfig {
  std::string address = "0.0.0.0";
  std::uint16_t port = 6970;
  std::chrono::milliseconds io_timeout{10'000};
  std::size_t max_connections = 2000;
  int backlog = 1024;
};

struct HttpStats {
  std::atomic<std::uint64_t> requests{0}, ok{0}, not_found{0}, bad{0}, refused{0}, bytes{0}, active{0};
  std::atomic<std::uint64_t> accept_errors{0};  // accepts that failed (out of file descriptors)
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpConfig cfg, catalog::CachedCatalog& catalog, db::EventWriter* events);
  ~HttpServer();
  Status start();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  const HttpStats& stats() const { return *stats_; }

  struct Shared;

 private:
  void accept();

  boost::asio::io_context& io_;
  HttpConfig cfg_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // After a failed accept (out of file descriptors): wait before the next, instead of spinning on
  // a listening socket that stays readable.
  boost::asio::steady_timer accept_pause_;
  boost::asio::ip::tcp::endpoint peer_;  // of the connection being accepted (one accept at a time)
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<HttpStats> stats_;
};

}  // namespace cucm::tftp
