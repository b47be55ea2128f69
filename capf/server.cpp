// CAPF TLS listener and connections.
#include "capf/server.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "capf/effects.hpp"
#include "capf/server_faults.hpp"
#include "core/deadline_sweep.hpp"
#include "core/log.hpp"
#include "signer/tls_versions.hpp"

namespace cucm::capf {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

std::string peer_text(const tcp::endpoint& ep) { return fmt::format("{}:{}", ep.address().to_string(), ep.port()); }

// True when the handshake failed because the phone offered no version or suite the server allows,
// almost always an old phone below the floor: the usual reason a real 79xx gets no LSC from a
// server left at TLS 1.2.
bool tls_too_old(const beast::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() && signer::below_tls_floor(static_cast<unsigned long>(ec.value()));
}

// One phone's session. Deadlines: every handshake, read and write moves `deadline` forward, and
// the loop's DeadlineSweep closes the socket once it has passed (the pending operation then ends
// with an error, and `expired_` says why).
class Connection : public std::enable_shared_from_this<Connection>, public core::Watched {
 public:
  Connection(tcp::socket&& s, std::string peer, asio::ssl::context& tls, Context& ctx, const EngineConfig& engine,
             std::uint32_t sid, std::shared_ptr<CapfStats> stats, std::shared_ptr<core::DeadlineSweep> sweep,
             core::AddressSlots::Lease slot)
      : stream_(std::move(s), tls), ctx_(ctx), stats_(std::move(stats)), sweep_(std::move(sweep)), slot_(std::move(slot)),
        engine_(sid, engine), sid_(sid), peer_(std::move(peer)), accepted_(std::chrono::steady_clock::now()) {}
  ~Connection() override {
    sweep_->remove(*this);
    if (handshake_done_) {
      // A session the loop's stop cut short never reached the engine's end: the phone is gone.
      Ending ending = engine_.done() ? engine_.ending() : Ending::Disconnected;
      auto op = engine_.operation();
      stats_->ended[op ? static_cast<std::size_t>(*op) : kOperationCount][static_cast<std::size_t>(ending)].inc();
    }
    stats_->session_seconds.observe(std::chrono::steady_clock::now() - accepted_);
    --stats_->active;  // last: who reads no session open finds this one's counts
  }

  // The handshake breaks on purpose (capf/server_faults.hpp): its failure is the fault's, not the phone's.
  void injected(std::string fault) { injected_ = std::move(fault); }

  void expire() override {
    expired_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);  // the pending operation ends with an error
  }

  // On the loop that accepted the connection, the only thread its handlers run on.
  void run() {
    sweep_->add(*this);
    sweep_->start();
    touch(ctx_.cfg.io_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        ++self->stats_->handshake_failed;
        if (!self->injected_.empty()) {
          log::get("capf")->debug("capf {}: TLS handshake failed under injected {}: {}", self->peer_, self->injected_, ec.message());
          return;
        }
        if (!tls_too_old(ec)) {
          log::get("capf")->debug("capf {}: TLS handshake failed: {}", self->peer_, ec.message());
          return;
        }
        // Worth a warning and an event: a lab engineer with an old phone must see why.
        ++self->stats_->tls_too_old;
        auto why = fmt::format("the phone offers no TLS version or suite that --capf-tls-min {} allows ({}); 79xx "
                               "firmware speaks TLS 1.0 with AES128-SHA: serve --capf-tls-min 1.0",
                               self->ctx_.cfg.tls_min, ec.message());
        auto& lines = self->ctx_.refusal_lines;
        if (auto a = lines.admit(core::peer_address(self->peer_), std::chrono::system_clock::now()); a.pass) {
          log::get("capf")->warn("capf {}: TLS handshake refused: {}{}", self->peer_, why, core::suppressed_note(a.suppressed));
        }
        self->settle(self->engine_.on_tls_refused(why));
        return;
      }
      self->handshake_done_ = true;
      self->send(self->engine_.start());
    });
  }

 private:
  void touch(std::chrono::milliseconds timeout) {
    deadline = std::chrono::steady_clock::now() + timeout;
  }

  // The engine's lookups and commits, answered here on the CAPF's own connection (a few hundred
  // microseconds under its mutex), and the records it leaves. What remains is bytes to move.
  Step settle(Step s) {
    for (;;) {
      record_effects(ctx_, peer_, s.effects);
      s.effects.clear();
      if (s.lookup) {
        std::string name = std::move(*s.lookup);
        s = engine_.on_device(look_up_device(ctx_, name));
      } else if (s.commit) {
        Commit c = std::move(*s.commit);
        s = engine_.on_committed(apply_commit(ctx_, c));
      } else {
        if (engine_.done()) log::get("capf")->debug("capf {} sid={}: {}", peer_, sid_, engine_.outcome());
        return s;
      }
    }
  }

  void disconnected() { settle(engine_.on_disconnect()); }

  // Messages go out one write each (phones stall on split header and body, §3.1).
  void send(Step step) {
    Step out = settle(std::move(step));
    pending_ = std::move(out.send);
    closing_ = out.close;
    next_write_ = 0;
    write_next();
  }

  void write_next() {
    if (next_write_ == pending_.size()) {
      if (closing_) return shutdown();
      return read_header();
    }
    touch(ctx_.cfg.io_timeout);
    asio::async_write(stream_, asio::buffer(pending_[next_write_]), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->disconnected();
      ++self->next_write_;
      self->write_next();
    });
  }

  void read_header() {
    touch(ctx_.cfg.io_timeout);
    asio::async_read(stream_, asio::buffer(header_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        if (self->expired_) log::get("capf")->info("capf {}: silent for {} ms, closing", self->peer_, self->ctx_.cfg.io_timeout.count());
        return self->disconnected();
      }
      auto len = parse_header(self->header_);
      if (!len) return self->send(self->engine_.on_bad_bytes(len.error()));
      self->message_.assign(self->header_.begin(), self->header_.end());
      self->message_.resize(kHeaderSize + *len);
      self->read_body(*len);
    });
  }

  void read_body(std::size_t len) {
    touch(ctx_.cfg.io_timeout);
    asio::async_read(stream_, asio::buffer(message_.data() + kHeaderSize, len),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->disconnected();
                       auto m = parse_message(self->message_);
                       if (!m) return self->send(self->engine_.on_bad_bytes(m.error()));
                       self->send(self->engine_.on_message(*m));
                     });
  }

  void shutdown() {
    touch(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ec;
      beast::get_lowest_layer(self->stream_).socket().close(ec);
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  Context& ctx_;
  std::shared_ptr<CapfStats> stats_;
  std::shared_ptr<core::DeadlineSweep> sweep_;
  core::AddressSlots::Lease slot_;  // this address's share of the sessions
  bool expired_ = false;
  Engine engine_;
  std::uint32_t sid_;
  std::string peer_;
  std::array<std::uint8_t, kHeaderSize> header_{};
  Bytes message_;
  std::vector<Bytes> pending_;
  std::size_t next_write_ = 0;
  bool closing_ = false;
  bool handshake_done_ = false;  // a session for CapfStats::ended
  std::string injected_;         // a handshake fault this connection was given
  std::chrono::steady_clock::time_point accepted_;
};

}  // namespace

CapfServer::CapfServer(asio::io_context& io, Context& ctx)
    : CapfServer(std::vector<asio::io_context*>{&io}, ctx) {}

CapfServer::CapfServer(std::vector<asio::io_context*> loops, Context& ctx)
    : ctx_(ctx),
      tls_(asio::ssl::context::tls_server),
      stats_(std::make_shared<CapfStats>()),
      next_sid_(std::make_shared<std::atomic<std::uint32_t>>(1)),
      sweeps_(loops, core::sweep_period(ctx.cfg.io_timeout)),
      per_address_(core::AddressSlots::make(ctx.cfg.max_per_address)),
      listener_(std::move(loops), {.service = "capf",
                                   .limit_hint = "the open-file limit, ulimit -n",
                                   // A deep backlog: a boot storm must not find the listen queue
                                   // full (the reference used 5).
                                   .backlog = 1024,
                                   // No Nagle: a message must not wait for a delayed ACK (the
                                   // reference stalled ~40 ms there). Inherited by accepted sockets.
                                   .no_delay = true,
                                   .accept_errors = &stats_->accept_errors}) {}

// Call stop() and let the loops finish before destroying a server: handlers capture it. The
// sweeps go while every loop still exists (core::LoopSweeps::clear).
CapfServer::~CapfServer() { sweeps_.clear(); }

namespace {

// The engine's view of the server: the CAPF CA, the trust store, the limits, and the real clock
// and random source.
EngineConfig engine_config(const Context& ctx) {
  const auto& id = ctx.pki.identity(signer::PkiRole::Capf);
  EngineConfig e;
  e.ca = id.cert.get();
  e.ca_key = id.key.get();
  e.verifier = &ctx.verifier;
  e.lsc_days = ctx.cfg.lsc_days;
  e.max_in_progress = ctx.cfg.max_in_progress;
  e.now = [] { return std::time(nullptr); };
  e.serial = [] {
    std::array<std::uint8_t, 16> s{};
    // Fails only when OpenSSL cannot seed its generator; then the CA's signature over the LSC
    // fails the same way and the session ends with that error.
    (void)RAND_bytes(s.data(), static_cast<int>(s.size()));
    return s;
  };
  return e;
}

}  // namespace

Status CapfServer::start() {
  CUCM_CHECK(signer::set_tls_min_version(*tls_.native_handle(), ctx_.cfg.tls_min));
  if (ctx_.cfg.tls_keylog) signer::TlsKeyLog::attach(ctx_.cfg.tls_keylog, *tls_.native_handle());
  CUCM_CHECK(ctx_.verifier.add_anchor(*ctx_.pki.identity(signer::PkiRole::Capf).cert));
  for (const auto& t : ctx_.trust) CUCM_CHECK(ctx_.verifier.add_anchor(*t));
  ctx_.engine = engine_config(ctx_);
  if (ctx_.faults) {
    CUCM_TRY(fault_tls_, make_fault_tls(ctx_));
    ctx_.engine.stranger_ca = fault_tls_->stranger_ca.get();
    ctx_.engine.stranger_ca_key = fault_tls_->stranger_key.get();
    if (ctx_.cfg.tls_keylog) {
      signer::TlsKeyLog::attach(ctx_.cfg.tls_keylog, *fault_tls_->tls10_only.native_handle());
      signer::TlsKeyLog::attach(ctx_.cfg.tls_keylog, *fault_tls_->no_shared_suite.native_handle());
    }
  }
  const auto& id = ctx_.pki.identity(signer::PkiRole::Capf);
  SSL_CTX* c = tls_.native_handle();
  if (SSL_CTX_use_certificate(c, id.cert.get()) != 1 || SSL_CTX_use_PrivateKey(c, id.key.get()) != 1) {
    return make_error(Errc::Internal, "capf: cannot load the CAPF certificate into TLS");
  }
  // A phone opens one CAPF session per operation and never resumes it: TLS 1.3 session tickets
  // would cost two encrypted records and an HMAC per session for nothing.
  SSL_CTX_set_num_tickets(c, 0);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(ctx_.cfg.address, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("capf: bad listen address '{}'", ctx_.cfg.address));
  ec = listener_.open(tcp::endpoint(addr, ctx_.cfg.port));
  if (ec) return core::listen_error(ec, "capf", ctx_.cfg.address, ctx_.cfg.port, "capf", "--no-capf");
  listener_.start([this](core::TcpListener::Socket&& socket, const tcp::endpoint& peer) {
    on_accept(std::move(socket), peer);
  });
  return Ok{};
}

void CapfServer::stop() { listener_.stop(); }

tcp::endpoint CapfServer::local_endpoint() const { return listener_.local_endpoint(); }

void CapfServer::on_accept(core::TcpListener::Socket&& socket, const tcp::endpoint& peer) {
  std::uint32_t sid = (*next_sid_)++;  // used up even when refused (§3.1)
  // Counted before the check: two loops accepting at once cannot both take the last place.
  if (++stats_->active > ctx_.cfg.max_sessions) {
    --stats_->active;
    ++stats_->refused;
    boost::system::error_code ec;
    socket.close(ec);
    return;
  }
  auto slot = per_address_->take(peer.address());
  if (!slot) {
    --stats_->active;
    ++stats_->refused;
    log::get("capf")->debug("capf {}: refused, the address holds {} sessions (--capf-max-per-address)",
                            peer.address().to_string(), ctx_.cfg.max_per_address);
    boost::system::error_code ec;
    socket.close(ec);
    return;
  }
  ++stats_->sessions;
  auto sweep = sweeps_.of(socket.get_executor().context());
  std::string text = peer_text(peer), fault;
  asio::ssl::context* tls = fault_tls_ ? handshake_fault(ctx_, *fault_tls_, text, fault) : nullptr;
  auto c = std::make_shared<Connection>(tcp::socket(std::move(socket)), std::move(text), tls ? *tls : tls_, ctx_,
                                        ctx_.engine, sid, stats_, std::move(sweep), std::move(*slot));
  if (tls) c->injected(std::move(fault));
  c->run();
}

}  // namespace cucm::capf
