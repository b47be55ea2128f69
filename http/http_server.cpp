// The HTTP and HTTPS server: its listening sockets, one per loop, handing each connection to a
// session.
#include "http/http_server.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include "core/log.hpp"
#include "http/http_session.hpp"
#include "signer/ossl.hpp"
#include "signer/tls_versions.hpp"

namespace cucm::http {
namespace asio = boost::asio;
using asio::ip::tcp;

HttpServer::HttpServer(asio::io_context& io, HttpConfig cfg, catalog::CachedCatalog& catalog, db::EventWriter* events)
    : HttpServer(std::vector<asio::io_context*>{&io}, std::move(cfg), catalog, events) {}

HttpServer::HttpServer(std::vector<asio::io_context*> loops, HttpConfig cfg, catalog::CachedCatalog& catalog,
                       db::EventWriter* events)
    : HttpServer(std::move(loops), std::move(cfg), catalog, events, std::nullopt) {}

HttpServer::HttpServer(std::vector<asio::io_context*> loops, HttpConfig cfg, catalog::CachedCatalog& catalog,
                       db::EventWriter* events, TlsIdentity tls)
    : HttpServer(std::move(loops), std::move(cfg), catalog, events, std::optional<TlsIdentity>(tls)) {}

HttpServer::HttpServer(std::vector<asio::io_context*> loops, HttpConfig cfg, catalog::CachedCatalog& catalog,
                       db::EventWriter* events, std::optional<TlsIdentity> tls)
    : cfg_(std::move(cfg)),
      tls_identity_(tls),
      stats_(std::make_shared<HttpStats>()),
      shared_(std::make_shared<Shared>(
          Shared{catalog, events, stats_, log::get(tls ? "https" : "http"), cfg_,
                 core::LoopSweeps(loops, core::sweep_period(cfg_.io_timeout)), core::AddressSlots::make(cfg_.max_per_address)})),
      listener_(loops, {.service = tls ? "https" : "http",
                        .limit_hint = "the open-file limit, ulimit -n, or --max-connections",
                        .backlog = cfg_.backlog,
                        .no_delay = true,  // inherited by every accepted socket
                        // A request holds its loop for microseconds: a socket per loop
                        // saves the wake-ups of loops that find nothing to accept.
                        .socket_per_loop = true,
                        .accept_errors = &stats_->accept_errors}) {
  if (tls) {
    shared_->service = "https";
    shared_->unsigned_sgn = true;
  }
}

// Call stop() and let the loops finish before destroying a server: handlers capture it.
// Sessions left in a stopped loop keep Shared alive, and the last of them may be destroyed with
// any loop's io_context. So the server lets go of the sweeps here, while every io_context still
// exists: an idle loop's sweep (and its timer) goes now, a busy one's with its last session, on
// its own loop.
HttpServer::~HttpServer() { shared_->sweeps.clear(); }

std::string HttpServer::flag(const char* name) const { return fmt::format("--{}-{}", shared_->service, name); }

namespace {

// The HTTPS server's TLS: the https identity, the floor, nothing asked of the client (phones
// present no certificate to 6971 that PROTOCOLS knows of).
Result<std::shared_ptr<asio::ssl::context>> https_context(const TlsIdentity& id, const HttpConfig& cfg) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* c = ctx->native_handle();
  if (cfg.tls_keylog) signer::TlsKeyLog::attach(cfg.tls_keylog, *c);
  if (auto st = signer::set_tls_min_version(*c, cfg.tls_min); !st) {
    return make_error(Errc::InvalidArgument, fmt::format("https: --https-tls-min: {}", st.error().message));
  }
  if (!id.cert || !id.key || SSL_CTX_use_certificate(c, id.cert) != 1 || SSL_CTX_use_PrivateKey(c, id.key) != 1 ||
      SSL_CTX_check_private_key(c) != 1) {
    return signer::ossl_error(Errc::Internal, "https: cannot load the https certificate and key into TLS (DATA/pki/https.pem)");
  }
  return ctx;
}

}  // namespace

Status HttpServer::start() {
  if (tls_identity_) {
    CUCM_TRY(shared_->tls, https_context(*tls_identity_, cfg_));
  }
  const std::string& svc = shared_->service;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg_.address, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("{}: bad listen address '{}' ({})", svc, cfg_.address, flag("address")));
  ec = listener_.open(tcp::endpoint(addr, cfg_.port));
  if (ec) return core::listen_error(ec, svc, cfg_.address, cfg_.port, svc, "--no-" + svc);
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
    shared_->log->debug("{} {}: refused, the address holds {} connections ({})", shared_->service,
                        peer.address().to_string(), cfg_.max_per_address, flag("max-per-address"));
    boost::system::error_code ec;
    socket.close(ec);
    return;
  }
  if (shared_->tls) return start_tls_session(std::move(socket), peer, shared_, std::move(*slot));
  start_session(std::move(socket), peer, shared_, std::move(*slot));
}

}  // namespace cucm::http
