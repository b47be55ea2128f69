// SIP over TCP and TLS connections.
#include "sip/stream_session.hpp"

#include <array>
#include <type_traits>

#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include "core/log.hpp"
#include "signer/tls_versions.hpp"
#include "sip/proto/framer.hpp"

namespace cucm::sip {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using TcpStream = beast::tcp_stream;

template <class Stream>
constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

// One connection. Each message is answered before the next is framed, so one client holds at
// most one answer in memory. Deadlines: `io_timeout` for the handshake, the first request and a
// message begun; `idle_timeout` between requests.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>>, public core::Watched {
 public:
  explicit Connection(StreamStart&& s)
      : stream_(make_stream(std::move(s.socket), *s.state)), state_(std::move(s.state)), sweep_(std::move(s.sweep)),
        slot_(std::move(s.slot)), db_(state_->db_of(sweep_->loop())), accepted_(std::chrono::steady_clock::now()) {
    peer_.transport = kTls<Stream> ? Transport::Tls : Transport::Tcp;
    peer_.address = std::move(s.peer);
  }
  ~Connection() override {
    sweep_->remove(*this);
    state_->stats.session_seconds.observe(std::chrono::steady_clock::now() - accepted_);
    --state_->stats.active;
  }

  void expire() override {
    expired_ = true;
    close();
  }

  void run() {
    sweep_->add(*this);
    sweep_->start();
    touch(state_->cfg.io_timeout);
    if constexpr (kTls<Stream>) {
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->handshake_failed(ec);
        self->peer_.cert = self->state_->peers->check(*self->stream_.native_handle(), self->now());
        self->read();
      });
    } else {
      read();
    }
  }

 private:
  static Stream make_stream(tcp::socket&& s, ServerState& st) {
    if constexpr (kTls<Stream>) {
      return Stream(std::move(s), st.tls);
    } else {
      return Stream(std::move(s));
    }
  }
  std::time_t now() const { return state_->cfg.clock ? state_->cfg.clock() : std::time(nullptr); }
  void touch(std::chrono::milliseconds d) { deadline = std::chrono::steady_clock::now() + d; }
  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
  }

  void handshake_failed(const beast::error_code& ec) {
    ++state_->stats.handshake_failed;
    bool old = ec.category() == asio::error::get_ssl_category() &&
               signer::below_tls_floor(static_cast<unsigned long>(ec.value()));
    log::get("sip")->debug("sip {}: TLS handshake failed: {}{}", peer_.address, ec.message(),
                           old ? fmt::format(" (below --sip-tls-min {})", state_->cfg.tls_min) : "");
    if (old && state_->events) {
      state_->events->post("sip", peer_.address, "", "TLS handshake",
                           fmt::format("refused: below --sip-tls-min {} ({})", state_->cfg.tls_min, ec.message()));
    }
  }

  // Frames what has come; answers the next whole message, or reads more.
  void read() {
    auto frame = framer_.next();
    if (!frame) return refuse_stream(frame.error().message);
    if (*frame) return answer(std::move(**frame));
    // Between messages: the idle allowance once a request has come, else the I/O deadline. A
    // message begun gets the I/O deadline once, for all of it: a client dribbling a byte at a
    // time does not move it.
    if (framer_.pending() == 0) {
      begun_ = false;
      touch(served_ ? state_->cfg.idle_timeout : state_->cfg.io_timeout);
    } else if (!begun_) {
      begun_ = true;
      touch(state_->cfg.io_timeout);
    }
    stream_.async_read_some(asio::buffer(in_), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return self->read_failed(ec);
      self->framer_.feed(std::string_view(reinterpret_cast<const char*>(self->in_.data()), n));  // NOLINT
      self->read();
    });
  }

  void read_failed(const beast::error_code& ec) {
    if (expired_ && served_ && framer_.pending() == 0) {
      // A quiet connection after requests: routine (the phone reconnects when it needs to).
      log::get("sip")->debug("sip {}: idle for {} ms, closing", peer_.address, state_->cfg.idle_timeout.count());
    } else if (expired_) {
      log::get("sip")->info("sip {}: {} within {} ms, closing", peer_.address,
                            framer_.pending() ? "no whole message" : "no request", state_->cfg.io_timeout.count());
    } else {
      log::get("sip")->debug("sip {}: connection ended: {}", peer_.address, ec.message());
    }
  }

  // A stream that cannot be framed further: a 400 saying why, then close.
  void refuse_stream(const std::string& why) {
    ++state_->stats.malformed;
    log::get("sip")->warn("sip {} over {}: {}, closing", peer_.address, transport_name(peer_.transport), why);
    if (state_->events) state_->events->post("sip", peer_.address, "", "malformed stream", "400 " + why);
    send(bare_bad_request(why), true);
  }

  void answer(Frame f) {
    begun_ = false;  // the next message, even one already partly read, gets a deadline of its own
    if (f.kind == Frame::Kind::Ping) return send("\r\n", false);  // RFC 5626 §4.4.1 pong
    served_ = true;
    if (!db_) return refuse_stream("no database connection on this loop");
    bool malformed = false;
    std::string out = state_->handler.handle(f.bytes, peer_, *db_, &malformed);
    if (out.empty()) return read();
    send(std::move(out), malformed);
  }

  void send(std::string bytes, bool then_close) {
    out_ = std::move(bytes);
    touch(state_->cfg.io_timeout);
    asio::async_write(stream_, asio::buffer(out_),
                      [self = this->shared_from_this(), then_close](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        if (then_close) return self->shutdown();
                        self->read();
                      });
  }

  void shutdown() {
    if constexpr (kTls<Stream>) {
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      close();
    }
  }

  Stream stream_;
  std::shared_ptr<ServerState> state_;
  std::shared_ptr<core::DeadlineSweep> sweep_;
  core::AddressSlots::Lease slot_;
  const db::Database* db_;
  Peer peer_;
  StreamFramer framer_;
  std::array<std::uint8_t, 4096> in_{};
  std::string out_;
  bool expired_ = false;
  bool served_ = false;  // a request has been answered
  bool begun_ = false;   // a message is partly read and its deadline set
  std::chrono::steady_clock::time_point accepted_;
};

}  // namespace

void start_tls_session(StreamStart&& s) { std::make_shared<Connection<TlsStream>>(std::move(s))->run(); }

void start_tcp_session(StreamStart&& s) { std::make_shared<Connection<TcpStream>>(std::move(s))->run(); }

}  // namespace cucm::sip
