// The SIP server's listeners.
#include "sip/server.hpp"

#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>

#include "core/log.hpp"
#include "signer/tls_versions.hpp"
#include "sip/stream_session.hpp"
#include "sip/udp_endpoint.hpp"

namespace cucm::sip {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string peer_text(const tcp::endpoint& ep) { return fmt::format("{}:{}", ep.address().to_string(), ep.port()); }

core::TcpListener::Options listener_options(std::string service, SipStats& stats) {
  return {.service = std::move(service), .limit_hint = "the open-file limit, ulimit -n", .backlog = 1024,
          .no_delay = true, .socket_per_loop = false, .accept_errors = &stats.accept_errors};
}

Status listen_error(const boost::system::error_code& ec, const std::string& what, const std::string& flag) {
  return make_error(ec == boost::system::errc::permission_denied ? Errc::PermissionDenied : Errc::Unavailable,
                    fmt::format("sip: cannot listen on {}: {} (choose another port with {}, or --no-sip)", what,
                                ec.message(), flag));
}

}  // namespace

SipServer::SipServer(std::vector<asio::io_context*> loops, SipConfig cfg, SipTrust trust, OpenDb open_db,
                     db::EventWriter* events)
    : loops_(loops),
      trust_(std::move(trust)),
      state_(std::make_shared<ServerState>(std::move(cfg), events)),
      open_db_(std::move(open_db)),
      sweeps_(loops, core::sweep_period(state_->cfg.io_timeout)),
      per_address_(core::AddressSlots::make(state_->cfg.max_per_address)),
      tls_listener_(loops, listener_options("sip-tls", state_->stats)),
      tcp_listener_(loops, listener_options("sip-tcp", state_->stats)) {}

SipServer::~SipServer() { sweeps_.clear(); }

// Our side shows the CallManager certificate (and its chain, once CA-signed after seed 003's
// steps). Every peer is asked for a certificate and none is refused at the handshake: the
// registrar decides, so a refusal is a 403 that names the check and an event, not a bare alert.
Status SipServer::start_tls() {
  SSL_CTX* c = state_->tls.native_handle();
  CUCM_CHECK(signer::set_tls_min_version(*c, state_->cfg.tls_min));
  if (state_->cfg.tls_keylog) signer::TlsKeyLog::attach(state_->cfg.tls_keylog, *c);
  const auto* id = trust_.callmanager;
  if (!id || !id->cert || !id->key || SSL_CTX_use_certificate(c, id->cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(c, id->key.get()) != 1) {
    return make_error(Errc::Internal, "sip: cannot load the CallManager certificate into TLS (pki/callmanager.pem)");
  }
  for (const auto& issuer : id->chain) SSL_CTX_add1_chain_cert(c, issuer.get());
  if (!trust_.capf) return make_error(Errc::Internal, "sip: no CAPF certificate to check LSCs against");
  CUCM_TRY(auto peers, PeerCheck::make(*trust_.capf, trust_.capf_trust, trust_.callmanager_trust));
  // The acceptable CAs of the CertificateRequest: some clients (GnuTLS) send a certificate only
  // when its issuer is listed.
  for (const auto& a : peers.anchors()) SSL_CTX_add_client_CA(c, a.get());
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
  SSL_CTX_set_num_tickets(c, 0);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  state_->peers.emplace(std::move(peers));
  return Ok{};
}

Status SipServer::start_plain(const asio::ip::address& addr) {
  const auto& cfg = state_->cfg;
  // UDP and TCP share one port. With --sip-port 0 the kernel picks UDP's, and TCP's bind can
  // then find that number taken by another program's socket: pick again, a bounded number of
  // times, rather than fail a start that a different free port would have made.
  constexpr int kAttempts = 32;
  for (int attempt = 1;; ++attempt) {
    udp_ = std::make_shared<UdpEndpoint>(*loops_.front(), state_);
    auto ec = udp_->open(asio::ip::udp::endpoint(addr, cfg.port));
    if (ec) {
      udp_.reset();
      return listen_error(ec, fmt::format("UDP {}:{}", cfg.address, cfg.port), "--sip-port");
    }
    std::uint16_t port = udp_->local_endpoint().port();
    ec = tcp_listener_.open(tcp::endpoint(addr, port));
    if (!ec) break;
    udp_.reset();  // not started: its socket closes here
    if (cfg.port != 0 || ec != asio::error::address_in_use || attempt == kAttempts) {
      return listen_error(ec, fmt::format("TCP {}:{}", cfg.address, port), "--sip-port");
    }
  }
  tcp_listener_.start([this](core::TcpListener::Socket&& s, const tcp::endpoint& peer) { on_accept(false, std::move(s), peer); });
  udp_->start();
  return Ok{};
}

Status SipServer::start() {
  const auto& cfg = state_->cfg;
  CUCM_CHECK(start_tls());
  for (auto* loop : loops_) {
    CUCM_TRY(auto db, open_db_());
    state_->dbs.emplace_back(loop, std::move(db));
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(cfg.address, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("sip: bad listen address '{}' (--sip-address)", cfg.address));
  ec = tls_listener_.open(tcp::endpoint(addr, cfg.tls_port));
  if (ec) return listen_error(ec, fmt::format("TLS {}:{}", cfg.address, cfg.tls_port), "--sip-tls-port");
  if (cfg.plain) CUCM_CHECK(start_plain(addr));
  tls_listener_.start([this](core::TcpListener::Socket&& s, const tcp::endpoint& peer) { on_accept(true, std::move(s), peer); });
  return Ok{};
}

void SipServer::stop() {
  tls_listener_.stop();
  tcp_listener_.stop();
  if (udp_) udp_->stop();
}

tcp::endpoint SipServer::tls_endpoint() const { return tls_listener_.local_endpoint(); }
tcp::endpoint SipServer::tcp_endpoint() const { return state_->cfg.plain ? tcp_listener_.local_endpoint() : tcp::endpoint(); }
asio::ip::udp::endpoint SipServer::udp_endpoint() const { return udp_ ? udp_->local_endpoint() : asio::ip::udp::endpoint(); }
const SipStats& SipServer::stats() const { return state_->stats; }

void SipServer::on_accept(bool tls, core::TcpListener::Socket&& socket, const tcp::endpoint& peer) {
  auto& stats = state_->stats;
  // Counted before the check: two loops accepting at once cannot both take the last place.
  auto slot = ++stats.active > state_->cfg.max_sessions ? std::nullopt : per_address_->take(peer.address());
  if (!slot) {
    --stats.active;
    ++stats.refused;
    log::get("sip")->debug("sip {}: refused, at --sip-max-sessions {} or the address's {}", peer_text(peer),
                           state_->cfg.max_sessions, state_->cfg.max_per_address);
    boost::system::error_code ec;
    socket.close(ec);
    return;
  }
  ++stats.sessions;
  auto& loop = socket.get_executor().context();
  StreamStart s{tcp::socket(std::move(socket)), peer_text(peer), state_, sweeps_.of(loop), std::move(*slot)};
  if (tls) {
    start_tls_session(std::move(s));
  } else {
    start_tcp_session(std::move(s));
  }
}

}  // namespace cucm::sip
