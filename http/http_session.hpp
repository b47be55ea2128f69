// What an HTTP or HTTPS connection shares with its server, and the start of one connection's
// session.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/address_slots.hpp"
#include "core/deadline_sweep.hpp"
#include "core/log.hpp"
#include "core/repeat_limiter.hpp"
#include "core/tcp_listener.hpp"
#include "http/http_server.hpp"

namespace cucm::http {

struct HttpServer::Shared {
  catalog::CachedCatalog& catalog;
  db::EventWriter* events;
  std::shared_ptr<HttpStats> stats;
  std::shared_ptr<spdlog::logger> log;
  HttpConfig cfg;
  core::LoopSweeps sweeps;  // one per loop; emptied by ~HttpServer
  std::shared_ptr<core::AddressSlots> per_address;  // HttpConfig::max_per_address
  // Lines about refused requests, per client address: a flood of them is a few lines a minute.
  std::unique_ptr<core::RepeatLimiter> refusal_lines = std::make_unique<core::RepeatLimiter>(
      core::RepeatLimiter::Options{.per_window = 5, .window = std::chrono::seconds(60), .max_keys = 1024});
  std::string service = "http";  // "https" on 6971: log lines and events
  // HTTPS: the server's TLS context (null for HTTP); held here, since sessions outlive the server.
  std::shared_ptr<boost::asio::ssl::context> tls{};
  // A `.sgn` request is answered with the unsigned file (HTTPS, PROTOCOLS §8.1).
  bool unsigned_sgn = false;
};

// A connection's session, on the loop that accepted it (one thread per loop: no strand), kept
// alive by its own handlers. Each io_context must be run by exactly one thread.
using Socket = core::TcpListener::Socket;
// `slot` is the peer address's share of the connections, held as long as the session.
void start_session(Socket&& socket, const boost::asio::ip::tcp::endpoint& peer, std::shared_ptr<HttpServer::Shared> shared,
                   core::AddressSlots::Lease slot);
// The same over TLS with `shared->tls`: the handshake first, under the same deadline.
void start_tls_session(Socket&& socket, const boost::asio::ip::tcp::endpoint& peer,
                       std::shared_ptr<HttpServer::Shared> shared, core::AddressSlots::Lease slot);

}  // namespace cucm::http
