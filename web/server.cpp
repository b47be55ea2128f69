// The admin site's listener, TLS context, per-loop APIs and event hub.
#include "web/server.hpp"

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>

#include "signer/tls_versions.hpp"
#include "web/connection.hpp"
#include "web/server_state.hpp"

namespace cucm::web {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

Result<std::unique_ptr<asio::ssl::context>> tls_context(const AdminIdentity& id, const WebConfig& cfg) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* c = ctx->native_handle();
  CUCM_CHECK(signer::set_tls_min_version(*c, cfg.tls_min));
  if (SSL_CTX_use_certificate(c, id.cert.get()) != 1 || SSL_CTX_use_PrivateKey(c, id.key.get()) != 1 ||
      SSL_CTX_check_private_key(c) != 1) {
    return make_error(Errc::InvalidArgument, "admin site: the tomcat certificate and key in pki/ do not go together");
  }
  // Browsers resume: a small server-side cache keeps page loads to one full handshake.
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER);
  return ctx;
}

}  // namespace

WebServer::WebServer(cluster::Cluster& cluster, WebConfig cfg)
    : cluster_(cluster),
      loops_(std::max<std::size_t>(cfg.threads, 1)),
      state_(std::make_shared<State>(std::move(cfg))),
      listener_(loops_.contexts(), {.service = "admin",
                                    .limit_hint = "the open-file limit, ulimit -n",
                                    .backlog = 256,
                                    .no_delay = true,
                                    .socket_per_loop = false,
                                    .accept_errors = nullptr}) {}

WebServer::~WebServer() {
  stop();
  wait();
  // Before the loops go: the hub's thread posts to them. Connections still held by the stopped
  // loops find no hub when they go.
  state_->hub.reset();
}

Status WebServer::start() {
  State& s = *state_;
  const WebConfig& cfg = s.cfg;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg.address, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("admin site: bad listen address '{}' (--admin-address)", cfg.address));
  CUCM_TRY(s.identity, load_or_create_admin_identity(cluster_.pki()));
  CUCM_TRY(s.tls, tls_context(s.identity, cfg));
  s.shared = std::make_unique<ApiShared>(cluster_.data_dir(), &cluster_.pki(), cfg.sessions, cfg.logins);
  for (auto* loop : loops_.contexts()) {
    CUCM_TRY(auto db, cluster_.open_db());
    s.apis[loop] = std::make_unique<Api>(*s.shared, std::move(db));
  }
  EventHub::Options hub;
  hub.max_subscribers = cfg.max_streams;
  CUCM_TRY(s.hub, EventHub::start(cluster_.data_dir(), hub));
  s.shared->wrote = [hub_ptr = s.hub.get()] { hub_ptr->nudge(); };
  if (auto* writer = cluster_.events()) writer->on_written([hub_ptr = s.hub.get()] { hub_ptr->nudge(); });
  s.per_address = core::AddressSlots::make(cfg.max_per_address);

  ec = listener_.open(tcp::endpoint(addr, cfg.port));
  if (ec) return core::listen_error(ec, "admin site", cfg.address, cfg.port, "admin", "--no-admin");
  listener_.start([state = state_](core::TcpListener::Socket&& socket, const tcp::endpoint& peer) {
    auto lease = state->per_address->take(peer.address());
    // Counted before the check: two loops accept on this socket, and both could otherwise take
    // the last place. The Connection gives it back.
    const bool room = lease && ++state->connections <= state->cfg.max_connections;
    if (!room) {
      if (lease) --state->connections;
      ++state->stats.refused;
      boost::system::error_code ignored;
      socket.close(ignored);
      return;
    }
    start_connection(state, std::move(socket), peer, std::move(*lease));
  });
  loops_.start("cucm-admin");
  return Ok{};
}

void WebServer::stop() {
  if (auto* writer = cluster_.events(); writer && state_->hub) writer->on_written({});
  listener_.stop();
  loops_.stop();
}

void WebServer::wait() {
  loops_.join();
}

tcp::endpoint WebServer::local_endpoint() const { return listener_.local_endpoint(); }

const AdminIdentity& WebServer::identity() const { return state_->identity; }

const WebStats& WebServer::stats() const { return state_->stats; }

}  // namespace cucm::web
