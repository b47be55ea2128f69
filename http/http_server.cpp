// The HTTP server: its listening sockets, one per loop, handing each connection to a session.
#include "http/http_server.hpp"

#include <fmt/format.h>

#include "core/log.hpp"
#include "http/http_session.hpp"

namespace cucm::http {
namespace asio = boost::asio;
using asio::ip::tcp;

HttpServer::HttpServer(asio::io_context& io, HttpConfig cfg, catalog::CachedCatalog& catalog, db::EventWriter* events)
    : HttpServer(std::vector<asio::io_context*>{&io}, std::move(cfg), catalog, events) {}

HttpServer::HttpServer(std::vector<asio::io_context*> loops, HttpConfig cfg, catalog::CachedCatalog& catalog,
                       db::EventWriter* events)
    : cfg_(std::move(cfg)),
      stats_(std::make_shared<HttpStats>()),
      shared_(std::make_shared<Shared>(
          Shared{catalog, events, stats_, log::get("http"), cfg_, core::LoopSweeps(loops, core::sweep_period(cfg_.io_timeout)),
                 core::AddressSlots::make(cfg_.max_per_address)})),
      listener_(loops, {.service = "http",
                                   .limit_hint = "the open-file limit, ulimit -n, or --max-connections",
                                   .backlog = cfg_.backlog,
                                   .no_delay = true,  // inherited by every accepted socket
                                   // A request holds its loop for microseconds: a socket per loop
                                   // saves the wake-ups of loops that find nothing to accept.
                                   .socket_per_loop = true,
                                   .accept_errors = &stats_->accept_errors}) {}

// Call stop() and let the loops finish before destroying a server: handlers capture it.
// Sessions left in a stopped loop keep Shared alive, and the last of them may be destroyed with
// any loop's io_context. So the server lets go of the sweeps here, while every io_context still
// exists: an idle loop's sweep (and its timer) goes now, a busy one's with its last session, on
// its own loop.
HttpServer::~HttpServer() { shared_->sweeps.clear(); }

Status HttpServer::start() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg_.address, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("http: bad listen address '{}'", cfg_.address));
  ec = listener_.open(tcp::endpoint(addr, cfg_.port));
  if (ec) {
    std::string hint = ec == boost::system::errc::permission_denied
                           ? ": ports below 1024 need root or CAP_NET_BIND_SERVICE, or choose another with --http-port"
                           : ec == boost::system::errc::address_in_use ? ": the port is in use (--http-port)" : "";
    return make_error(ec == boost::system::errc::permission_denied ? Errc::PermissionDenied : Errc::Unavailable,
                      fmt::format("http: cannot listen on TCP {}:{}: {}{}", cfg_.address, cfg_.port, ec.message(), hint));
  }
  listener_.start([this](core::TcpListener::Socket&& socket, const tcp::endpoint& peer) {
    on_accept(std::move(socket), peer);
  });
  return Ok{};
}

void HttpServer::stop() { listener_.stop(); }

tcp::endpoint HttpServer::local_endpoint() const { return listener_.local_endpoint(); }

void HttpServer::on_accept(Socket&& socket, const tcp::endpoint& peer) {
  // Counted before the check: two loops accepting at once cannot both take the last place.
  if (++stats_->active > cfg_.max_connections) {
    --stats_->active;
    ++stats_->refused;
    boost::system::error_code ec;
    socket.close(ec);  // over the cap: closed at once, never queued
    return;
  }
  auto slot = shared_->per_address->take(peer.address());
  if (!slot) {
    --stats_->active;
    ++stats_->refused;
    shared_->log->debug("http {}: refused, the address holds {} connections (--http-max-per-address)",
                        peer.address().to_string(), cfg_.max_per_address);
    boost::system::error_code ec;
    socket.close(ec);
    return;
  }
  start_session(std::move(socket), peer, shared_, std::move(*slot));
}

}  // namespace cucm::http
