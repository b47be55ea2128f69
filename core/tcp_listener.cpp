#include "core/tcp_listener.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/detail/socket_option.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "core/log.hpp"

namespace cucm::core {

Error listen_error(const boost::system::error_code& ec, const std::string& service, const std::string& address,
                   std::uint16_t port, const std::string& family, const std::string& off_flag) {
  bool denied = ec == boost::system::errc::permission_denied;
  std::string off = off_flag.empty() ? "" : ", or " + off_flag;
  std::string hint = denied ? fmt::format("ports below 1024 need root or CAP_NET_BIND_SERVICE; choose another with --{}-port", family)
                     : ec == boost::system::errc::address_in_use
                         ? fmt::format("the port is in use; choose another with --{}-port{}", family, off)
                         : fmt::format("check --{}-address and --{}-port", family, family);
  return make_error(denied ? Errc::PermissionDenied : Errc::Unavailable,
                    fmt::format("{}: cannot listen on TCP {}:{}: {} ({})", service, address, port, ec.message(), hint));
}
namespace asio = boost::asio;
using asio::ip::tcp;

struct TcpListener::Slot {
  explicit Slot(asio::io_context& io) : acceptor(io.get_executor()), pause(io.get_executor()) {}
  asio::basic_socket_acceptor<tcp, Executor> acceptor;
  asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>, Executor> pause;
  tcp::endpoint peer;  // of the connection being accepted (one accept at a time per slot)
};

TcpListener::TcpListener(std::vector<asio::io_context*> loops, Options options) : options_(std::move(options)) {
  for (auto* loop : loops) slots_.push_back(std::make_unique<Slot>(*loop));
}

TcpListener::~TcpListener() = default;

namespace {

using Acceptor = asio::basic_socket_acceptor<tcp, TcpListener::Executor>;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Opens `a` and sets what every listening socket of ours has; binding is left to the caller.
void prepare(Acceptor& a, const tcp::endpoint& endpoint, bool no_delay, boost::system::error_code& ec) {
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && no_delay) a.set_option(tcp::no_delay(true), ec);
  if (!ec && endpoint.address().is_v6()) a.set_option(asio::ip::v6_only(false), ec);
}

}  // namespace

boost::system::error_code TcpListener::open(const tcp::endpoint& endpoint) {
  auto ec = options_.socket_per_loop && slots_.size() > 1 ? open_per_loop(endpoint) : open_shared(endpoint);
  if (ec) {
    boost::system::error_code ignored;
    for (auto& slot : slots_) slot->acceptor.close(ignored);
  }
  return ec;
}

boost::system::error_code TcpListener::open_shared(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  auto& first = slots_.front()->acceptor;
  prepare(first, endpoint, options_.no_delay, ec);
  if (!ec) first.bind(endpoint, ec);
  if (!ec) first.listen(options_.backlog, ec);
  for (std::size_t i = 1; !ec && i < slots_.size(); ++i) {
    int fd = ::fcntl(first.native_handle(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      ec.assign(errno, boost::system::system_category());
      break;
    }
    slots_[i]->acceptor.assign(endpoint.protocol(), fd, ec);
    if (ec) ::close(fd);
  }
  return ec;
}

boost::system::error_code TcpListener::open_per_loop(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  tcp::endpoint claimed = endpoint;
  {
    // The claim: an ordinary bind fails if anything listens on the address, SO_REUSEPORT group
    // or not. It also picks the port when asked for port 0, so that every loop shares it.
    Acceptor probe(slots_.front()->acceptor.get_executor());
    prepare(probe, endpoint, false, ec);
    if (!ec) probe.bind(endpoint, ec);
    if (!ec) claimed = probe.local_endpoint(ec);
    if (ec) return ec;
  }  // closed: a bound socket that never listened leaves nothing behind
  for (auto& slot : slots_) {
    prepare(slot->acceptor, endpoint, options_.no_delay, ec);
    if (!ec) slot->acceptor.set_option(ReusePort(true), ec);
    if (!ec) slot->acceptor.bind(claimed, ec);
    if (!ec) slot->acceptor.listen(options_.backlog, ec);
    if (ec) break;
  }
  return ec;
}

void TcpListener::start(OnAccept on_accept) {
  on_accept_ = std::move(on_accept);
  for (auto& slot : slots_) {
    asio::post(slot->acceptor.get_executor(), [this, s = slot.get()] { accept(*s); });
  }
}

void TcpListener::stop() {
  for (auto& slot : slots_) {
    asio::post(slot->acceptor.get_executor(), [s = slot.get()] {
      boost::system::error_code ec;
      s->acceptor.close(ec);
      s->pause.cancel();
    });
  }
}

tcp::endpoint TcpListener::local_endpoint() const {
  boost::system::error_code ec;
  return slots_.front()->acceptor.local_endpoint(ec);
}

void TcpListener::accept(Slot& slot) {
  if (!slot.acceptor.is_open()) return;
  slot.acceptor.async_accept(slot.peer, [this, &slot](boost::system::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      if (options_.accept_errors) ++*options_.accept_errors;
      log::get(options_.service)
          ->warn("{}: cannot accept a connection: {} ({}); pausing accepts for {} ms", options_.service, ec.message(),
                 options_.limit_hint, kAcceptPause.count());
      slot.pause.expires_after(kAcceptPause);
      slot.pause.async_wait([this, &slot](boost::system::error_code wait_ec) {
        if (!wait_ec) accept(slot);
      });
      return;
    }
    on_accept_(std::move(socket), slot.peer);
    // Queued behind what on_accept_ started (typically the first read, already complete), so a
    // connection's response does not wait for the next accept, which usually meets EAGAIN.
    asio::post(slot.acceptor.get_executor(), [this, &slot] { accept(slot); });
  });
}

}  // namespace cucm::core
