// SIP over UDP, TCP and TLS for the phone: blocking-looking Asio operations, each with a deadline.
#include "phone/sip_link.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "core/resolve.hpp"
#include "sip/proto/framer.hpp"

namespace cucm::phone {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

struct Outcome {
  bool done = false;
  boost::system::error_code ec;
  std::size_t n = 0;
};

// Runs the async operation `start` begins until it completes or `t` passes; past the deadline
// `cancel` stops it and its handler is drained before returning, since it refers to this frame.
template <class Start, class Cancel>
Outcome await_op(asio::io_context& io, std::chrono::milliseconds t, Start start, Cancel cancel) {
  Outcome out;
  start([&out](boost::system::error_code ec, std::size_t n) { out = Outcome{true, ec, n}; });
  io.restart();
  io.run_for(t);
  if (out.done) return out;
  cancel();
  io.restart();
  io.run();
  return Outcome{false, asio::error::timed_out, 0};
}

template <class Endpoint>
std::string host_port(const Endpoint& e) {
  auto a = e.address();
  return a.is_v6() ? fmt::format("[{}]:{}", a.to_string(), e.port()) : fmt::format("{}:{}", a.to_string(), e.port());
}

// Opens `socket` for `to`'s family and binds it to the phone's own address when it has one.
template <class Socket, class Protocol>
Status open_from(Socket& socket, const std::optional<asio::ip::address>& source, const asio::ip::address& to, Protocol v4,
                 Protocol v6) {
  boost::system::error_code ec;
  socket.open(to.is_v4() ? v4 : v6, ec);
  if (!ec && source) socket.bind(typename Protocol::endpoint(*source, 0), ec);
  if (ec) return make_error(Errc::Unavailable, fmt::format("sip: cannot open a socket{}: {}", source ? " from " + source->to_string() : "", ec.message()));
  return Ok{};
}

class UdpLink final : public SipLink {
 public:
  explicit UdpLink(const SipLinkOptions& o) : o_(o), socket_(io_) {}

  Status open(const asio::ip::address& to) {
    CUCM_CHECK(open_from(socket_, o_.source, to, udp::v4(), udp::v6()));
    boost::system::error_code ec;
    socket_.connect(udp::endpoint(to, o_.port), ec);  // connected: an ICMP port unreachable ends a wait at once
    if (ec) return make_error(Errc::Unavailable, fmt::format("sip: udp {}:{}: {}", o_.host, o_.port, ec.message()));
    return Ok{};
  }
  Status send(std::string_view m) override {
    last_ = std::string(m);
    boost::system::error_code ec;
    socket_.send(asio::buffer(last_), 0, ec);
    if (ec) return make_error(Errc::Unavailable, fmt::format("sip: udp {}:{}: send failed: {}", o_.host, o_.port, ec.message()));
    return Ok{};
  }
  Result<std::string> receive() override {
    auto deadline = Clock::now() + o_.timeout;
    std::chrono::milliseconds interval{500};  // T1
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      auto r = await_op(io_, std::clamp(left, std::chrono::milliseconds(1), interval),
                        [&](auto done) { socket_.async_receive(asio::buffer(buf_), done); },
                        [&] { socket_.cancel(); });
      if (r.done && !r.ec) return std::string(buf_.data(), r.n);
      if (r.done) {
        return make_error(Errc::Unavailable, fmt::format("sip: udp {}:{}: {}{}", o_.host, o_.port, r.ec.message(),
                                                         r.ec == asio::error::connection_refused ? " (nothing listens there)" : ""));
      }
      if (Clock::now() >= deadline) {
        return make_error(Errc::DeadlineExceeded,
                          fmt::format("sip: udp {}:{}: no answer within {} ms", o_.host, o_.port, o_.timeout.count()));
      }
      CUCM_CHECK(send(std::string(last_)));  // Timer A: the request again
      interval = std::min(interval * 2, std::chrono::milliseconds(4'000));
    }
  }
  std::string local_address() const override {
    boost::system::error_code ec;
    return host_port(socket_.local_endpoint(ec));
  }

 private:
  SipLinkOptions o_;
  asio::io_context io_;
  udp::socket socket_;
  std::string last_;
  std::array<char, 65536> buf_{};
};

// TCP and TLS: bytes of a stream, framed by Content-Length (RFC 3261 §18.3).
class StreamLink : public SipLink {
 public:
  Result<std::string> receive() override {
    std::array<std::uint8_t, 4096> buf{};
    while (true) {
      CUCM_TRY(auto f, framer_.next());
      if (f && f->kind == sip::Frame::Kind::Message) return std::move(f->bytes);
      if (f) continue;  // a keepalive
      CUCM_TRY(std::size_t n, read_some(buf));
      framer_.feed(std::string_view(reinterpret_cast<const char*>(buf.data()), n));  // NOLINT: bytes as text
    }
  }

 protected:
  virtual Result<std::size_t> read_some(std::span<std::uint8_t> into) = 0;

 private:
  sip::StreamFramer framer_;
};

class TcpLink final : public StreamLink {
 public:
  explicit TcpLink(const SipLinkOptions& o) : o_(o), socket_(io_) {}

  Status open(const asio::ip::address& to) {
    CUCM_CHECK(open_from(socket_, o_.source, to, tcp::v4(), tcp::v6()));
    auto r = await_op(
        io_, o_.timeout, [&](auto done) { socket_.async_connect(tcp::endpoint(to, o_.port), [done](auto ec) { done(ec, 0); }); },
        [&] { close(); });
    return check(r, "connect");
  }
  Status send(std::string_view m) override {
    auto r = await_op(io_, o_.timeout, [&](auto done) { asio::async_write(socket_, asio::buffer(m.data(), m.size()), done); },
                      [&] { close(); });
    return check(r, "send");
  }
  std::string local_address() const override {
    boost::system::error_code ec;
    return host_port(socket_.local_endpoint(ec));
  }

 private:
  Result<std::size_t> read_some(std::span<std::uint8_t> into) override {
    auto r = await_op(io_, o_.timeout, [&](auto done) { socket_.async_read_some(asio::buffer(into.data(), into.size()), done); },
                      [&] { close(); });
    CUCM_CHECK(check(r, "read"));
    return r.n;
  }
  Status check(const Outcome& r, const char* what) {
    if (!r.done) return make_error(Errc::DeadlineExceeded, fmt::format("sip: tcp {}:{}: {} timed out after {} ms", o_.host, o_.port, what, o_.timeout.count()));
    if (r.ec) return make_error(Errc::Unavailable, fmt::format("sip: tcp {}:{}: {} failed: {}", o_.host, o_.port, what, r.ec.message()));
    return Ok{};
  }
  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

  SipLinkOptions o_;
  asio::io_context io_;
  tcp::socket socket_;
};

class TlsSipLink final : public StreamLink {
 public:
  TlsSipLink(TlsLinkOptions o, std::shared_ptr<asio::ssl::context> ctx) : link_(std::move(o), std::move(ctx)) {}

  Status open() { return link_.connect(); }
  Status send(std::string_view m) override { return link_.write(as_bytes(m), "send"); }
  std::string local_address() const override { return host_port(link_.local_endpoint()); }
  X509* server_certificate() override { return link_.peer_certificate(); }
  std::string negotiated() override { return link_.negotiated(); }

 private:
  Result<std::size_t> read_some(std::span<std::uint8_t> into) override { return link_.read_some(into, "read"); }

  TlsLink link_;
};

}  // namespace

Result<std::unique_ptr<SipLink>> open_sip_link(const SipLinkOptions& o) {
  auto addr = core::resolve_host(o.host);
  if (!addr) return make_error(addr.error().code, "sip: " + addr.error().message);
  if (o.transport == sip::Transport::Udp) {
    auto l = std::make_unique<UdpLink>(o);
    CUCM_CHECK(l->open(*addr));
    return std::unique_ptr<SipLink>(std::move(l));
  }
  if (o.transport == sip::Transport::Tcp) {
    auto l = std::make_unique<TcpLink>(o);
    CUCM_CHECK(l->open(*addr));
    return std::unique_ptr<SipLink>(std::move(l));
  }
  TlsLinkOptions t;
  t.service = "sip";
  t.floor_flag = "--sip-tls-min";
  t.host = o.host;
  t.port = o.port;
  t.timeout = o.timeout;
  t.tls = o.tls;
  t.source = o.source;
  t.client_cert = o.client_cert;
  t.client_key = o.client_key;
  std::shared_ptr<asio::ssl::context> ctx;
  if (o.tls_contexts) {
    CUCM_TRY(ctx, o.tls_contexts->get(o.tls));
  } else {
    CUCM_TRY(ctx, make_client_tls(o.tls));
  }
  auto l = std::make_unique<TlsSipLink>(std::move(t), std::move(ctx));
  CUCM_CHECK(l->open());
  return std::unique_ptr<SipLink>(std::move(l));
}

}  // namespace cucm::phone
