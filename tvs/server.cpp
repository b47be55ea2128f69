// TVS TLS listener and connections.
#include "tvs/server.hpp"

#include <array>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include "core/log.hpp"
#include "fault/board.hpp"
#include "signer/tls_versions.hpp"
#include "tvs/proto/engine.hpp"
#include "tvs/trust.hpp"

namespace cucm::tvs {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

struct TvsServer::Shared {
  explicit Shared(TvsConfig c, db::EventWriter* e) : cfg(std::move(c)), events(e) {}
  TvsConfig cfg;
  asio::ssl::context tls{asio::ssl::context::tls_server};
  TvsStats stats;
  db::EventWriter* events;
  // One connection per loop, used only by that loop's thread: lookups take no lock.
  std::vector<std::pair<asio::io_context*, db::Database>> dbs;
  // Warnings about malformed requests and refused handshakes, per client address: a flood of them
  // is a few lines a minute.
  core::RepeatLimiter lines{{.per_window = 5, .window = std::chrono::seconds(60), .max_keys = 1024}};

  const db::Database* db_of(const asio::io_context& loop) const {
    for (const auto& [l, db] : dbs) {
      if (l == &loop) return &db;
    }
    return nullptr;
  }
  void event(const std::string& peer, std::string device, std::string what, std::string result) {
    if (events) events->post("tvs", peer, std::move(device), std::move(what), std::move(result));
  }
  // The TVS fault armed for the device, counted as used: known only once its request is read.
  AnswerFault take_fault(const std::string& device) {
    if (!cfg.faults) return AnswerFault::None;
    auto f = cfg.faults->take(fault::Layer::Tvs, device,
                              [](const fault::FaultSpec& s) { return answer_fault(s.name).has_value(); });
    return f ? answer_fault(f->spec->name).value_or(AnswerFault::None) : AnswerFault::None;
  }
  // A warning, unless this address has had its share of them this minute.
  void warn(const std::string& peer, const std::string& text) {
    if (auto a = lines.admit(core::peer_address(peer), std::chrono::system_clock::now()); a.pass) {
      log::get("tvs")->warn("tvs {}: {}{}", peer, text, core::suppressed_note(a.suppressed));
    }
  }
};

namespace {

std::string peer_text(const tcp::endpoint& ep) { return fmt::format("{}:{}", ep.address().to_string(), ep.port()); }

// One phone's question. Deadlines: every handshake, read and write moves `deadline` forward, and
// the loop's DeadlineSweep closes the socket once it has passed.
class Connection : public std::enable_shared_from_this<Connection>, public core::Watched {
 public:
  Connection(tcp::socket&& s, std::string peer, std::shared_ptr<TvsServer::Shared> shared, const db::Database* db,
             std::shared_ptr<core::DeadlineSweep> sweep, core::AddressSlots::Lease slot)
      : stream_(std::move(s), shared->tls), shared_(std::move(shared)), db_(db), sweep_(std::move(sweep)),
        slot_(std::move(slot)), peer_(std::move(peer)), accepted_(std::chrono::steady_clock::now()) {}
  ~Connection() override {
    sweep_->remove(*this);
    shared_->stats.session_seconds.observe(std::chrono::steady_clock::now() - accepted_);
    --shared_->stats.active;  // last: who reads no session open finds this one's counts
  }

  void expire() override {
    expired_ = true;
    // Counted here, before the close the client sees, not when the failed read is handled.
    if (awaiting_request_) ++shared_->stats.silent;
    close();
  }

  void run() {
    sweep_->add(*this);
    sweep_->start();
    touch();
    stream_.async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->handshake_failed(ec);
      self->read_header();
    });
  }

 private:
  void touch() { deadline = std::chrono::steady_clock::now() + shared_->cfg.io_timeout; }
  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
  }

  void handshake_failed(const beast::error_code& ec) {
    ++shared_->stats.handshake_failed;
    if (ec.category() != asio::error::get_ssl_category() || !signer::below_tls_floor(static_cast<unsigned long>(ec.value()))) {
      log::get("tvs")->debug("tvs {}: TLS handshake failed: {}", peer_, ec.message());
      return;
    }
    ++shared_->stats.tls_too_old;
    auto why = fmt::format("the phone offers no TLS version or suite that --tvs-tls-min {} allows ({}); 79xx firmware "
                           "speaks TLS 1.0: serve --tvs-tls-min 1.0",
                           shared_->cfg.tls_min, ec.message());
    shared_->warn(peer_, "TLS handshake refused: " + why);
    shared_->event(peer_, "", "TLS handshake", "refused: " + why);
  }

  // A read that ended early: a silent client met its deadline, or the client went away.
  void read_failed(const beast::error_code& ec, std::string_view what) {
    if (expired_) {
      log::get("tvs")->info("tvs {}: no {} within {} ms, closing", peer_, what, shared_->cfg.io_timeout.count());
    } else {
      ++shared_->stats.disconnected;
      log::get("tvs")->debug("tvs {}: connection ended before the {}: {}", peer_, what, ec.message());
    }
  }

  // A malformed request: logged, recorded, and the connection closed without a reply (§4).
  void refuse(const Error& e) {
    awaiting_request_ = false;
    ++shared_->stats.malformed;
    shared_->warn(peer_, e.message + ", closing without a reply");
    shared_->event(peer_, "", "verify", "error: " + e.message);
    close();
  }

  void read_header() {
    awaiting_request_ = true;
    touch();
    asio::async_read(stream_, asio::buffer(header_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->read_failed(ec, "request");
      auto len = self->engine_.on_header(self->header_);
      if (!len) return self->refuse(len.error());
      self->body_.resize(*len);
      self->read_body();
    });
  }

  void read_body() {
    touch();
    asio::async_read(stream_, asio::buffer(body_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->read_failed(ec, "request body");
      self->awaiting_request_ = false;
      auto q = self->engine_.on_body(self->body_);
      if (!q) return self->refuse(q.error());
      self->answer(*q);
    });
  }

  void answer(const Query& q) {
    auto found = db_ ? look_up(*db_, q.sha256) : make_error(Errc::Internal, "tvs: no database connection on this loop");
    if (!found) {
      ++shared_->stats.lookup_failed;
      log::get("tvs")->error("tvs {}: trust store lookup failed: {}", peer_, found.error().message);
      shared_->event(peer_, q.device(), "verify " + q.subject, "error: " + found.error().message);
      return close();
    }
    AnswerFault fault = shared_->take_fault(q.device());
    Reply r = Engine::answer(q, *found, fault);
    log::get("tvs")->debug("tvs {} {}: {} ({})", peer_, q.request.device_name, r.what, r.result);
    shared_->event(peer_, q.device(), std::move(r.what), std::move(r.result));
    if (fault == AnswerFault::NoAnswer) return wait_unanswered();
    bool valid = fault == AnswerFault::WrongRoles || (fault == AnswerFault::None && *found);
    ++(valid ? shared_->stats.valid : shared_->stats.invalid);
    reply_ = std::move(r.message);
    touch();
    asio::async_write(stream_, asio::buffer(reply_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->shutdown();
    });
  }

  // tvs-no-answer: nothing is sent. A read stays pending so that the connection lives on, holding
  // no thread and no timer of its own, until the phone closes it (the read ends) or the sweep does
  // at the deadline; bytes the phone sends meanwhile end it too (one request per connection).
  void wait_unanswered() {
    ++shared_->stats.unanswered;
    touch();
    stream_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      log::get("tvs")->debug("tvs {}: unanswered (tvs-no-answer), closed {}", self->peer_,
                             self->expired_ ? "at the deadline" : "after the client: " + ec.message());
      self->close();
    });
  }

  // One request per connection: the answer sent, the server closes (as tvsd does).
  void shutdown() {
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  std::shared_ptr<TvsServer::Shared> shared_;
  const db::Database* db_;  // the accepting loop's connection
  std::shared_ptr<core::DeadlineSweep> sweep_;
  core::AddressSlots::Lease slot_;
  bool expired_ = false;
  bool awaiting_request_ = false;  // between the handshake and the whole request
  std::string peer_;
  Engine engine_;
  std::array<std::uint8_t, kHeaderSize> header_{};
  Bytes body_;
  Bytes reply_;
  std::array<std::uint8_t, 64> drain_{};  // tvs-no-answer: what the phone sends after its request
  std::chrono::steady_clock::time_point accepted_;
};

}  // namespace

TvsServer::TvsServer(std::vector<asio::io_context*> loops, TvsConfig cfg, const signer::Identity& identity,
                     OpenDb open_db, db::EventWriter* events)
    : loops_(loops),
      identity_(&identity),
      shared_(std::make_shared<Shared>(std::move(cfg), events)),
      open_db_(std::move(open_db)),
      sweeps_(loops, core::sweep_period(shared_->cfg.io_timeout)),
      per_address_(core::AddressSlots::make(shared_->cfg.max_per_address)),
      listener_(std::move(loops), {.service = "tvs",
                                   .limit_hint = "the open-file limit, ulimit -n",
                                   .backlog = 1024,
                                   .no_delay = true,
                                   .socket_per_loop = false,
                                   .accept_errors = &shared_->stats.accept_errors}) {}

TvsServer::~TvsServer() { sweeps_.clear(); }

Status TvsServer::start() {
  SSL_CTX* c = shared_->tls.native_handle();
  CUCM_CHECK(signer::set_tls_min_version(*c, shared_->cfg.tls_min));
  if (shared_->cfg.tls_keylog) signer::TlsKeyLog::attach(shared_->cfg.tls_keylog, *c);
  if (!identity_->cert || !identity_->key || SSL_CTX_use_certificate(c, identity_->cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(c, identity_->key.get()) != 1) {
    return make_error(Errc::Internal, "tvs: cannot load the TVS certificate into TLS (pki/tvs.pem, pki/tvs.key)");
  }
  // One request per connection and no resumption by phones: tickets would cost for nothing.
  SSL_CTX_set_num_tickets(c, 0);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  for (auto* loop : loops_) {
    CUCM_TRY(auto db, open_db_());
    shared_->dbs.emplace_back(loop, std::move(db));
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(shared_->cfg.address, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("tvs: bad listen address '{}' (--tvs-address)", shared_->cfg.address));
  ec = listener_.open(tcp::endpoint(addr, shared_->cfg.port));
  if (ec) return core::listen_error(ec, "tvs", shared_->cfg.address, shared_->cfg.port, "tvs", "--no-tvs");
  listener_.start([this](core::TcpListener::Socket&& socket, const tcp::endpoint& peer) { on_accept(std::move(socket), peer); });
  return Ok{};
}

const TvsStats& TvsServer::stats() const { return shared_->stats; }

void TvsServer::stop() { listener_.stop(); }

tcp::endpoint TvsServer::local_endpoint() const { return listener_.local_endpoint(); }

void TvsServer::on_accept(core::TcpListener::Socket&& socket, const tcp::endpoint& peer) {
  auto& stats = shared_->stats;
  // Counted before the check: two loops accepting at once cannot both take the last place.
  auto slot = ++stats.active > shared_->cfg.max_sessions ? std::nullopt : per_address_->take(peer.address());
  if (!slot) {
    --stats.active;
    ++stats.refused;
    log::get("tvs")->debug("tvs {}: refused, at --tvs-max-sessions {} or the address's {}", peer_text(peer),
                           shared_->cfg.max_sessions, shared_->cfg.max_per_address);
    boost::system::error_code ec;
    socket.close(ec);
    return;
  }
  ++stats.sessions;
  auto& loop = socket.get_executor().context();
  std::make_shared<Connection>(tcp::socket(std::move(socket)), peer_text(peer), shared_, shared_->db_of(loop),
                               sweeps_.of(loop), std::move(*slot))
      ->run();
}

}  // namespace cucm::tvs
