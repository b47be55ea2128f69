// SIP over UDP.
#include "sip/udp_endpoint.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "core/log.hpp"

namespace cucm::sip {
namespace asio = boost::asio;
using asio::ip::udp;

UdpEndpoint::UdpEndpoint(asio::io_context& loop, std::shared_ptr<ServerState> state)
    : loop_(loop), state_(std::move(state)), socket_(loop) {}

boost::system::error_code UdpEndpoint::open(const udp::endpoint& at) {
  boost::system::error_code ec;
  socket_.open(at.protocol(), ec);
  if (!ec) socket_.bind(at, ec);
  if (!ec) socket_.non_blocking(true, ec);  // a full send buffer drops an answer, never blocks the loop
  return ec;
}

void UdpEndpoint::start() { receive(); }

void UdpEndpoint::stop() {
  asio::post(loop_, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->socket_.close(ec);
  });
}

udp::endpoint UdpEndpoint::local_endpoint() const {
  boost::system::error_code ec;
  auto ep = socket_.local_endpoint(ec);
  return ec ? udp::endpoint() : ep;
}

void UdpEndpoint::receive() {
  socket_.async_receive_from(asio::buffer(in_), from_, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
    if (ec == asio::error::operation_aborted || !self->socket_.is_open()) return;
    if (!ec) self->answer(n);
    self->receive();
  });
}

// The answer is sent at once, without waiting: a UDP send does not block on a slow client, and a
// full socket buffer drops the datagram as the network might.
void UdpEndpoint::answer(std::size_t n) {
  ++state_->stats.datagrams;
  std::string_view bytes(in_.data(), n);
  // Keepalives (CRLF, CRLFCRLF) on UDP need no answer.
  if (bytes.find_first_not_of("\r\n") == std::string_view::npos) return;
  const db::Database* db = state_->db_of(loop_);
  if (!db) return;
  Peer peer{Transport::Udp, fmt::format("{}:{}", from_.address().to_string(), from_.port()), std::nullopt};
  std::string out = state_->handler.handle(bytes, peer, *db);
  if (out.empty()) return;
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(out), from_, 0, ec);
  if (ec) log::get("sip")->debug("sip {}: UDP answer not sent: {}", peer.address, ec.message());
}

}  // namespace cucm::sip
