// SIP over UDP: one socket, each datagram a whole message (RFC 3261 §18.3), answered to its
// sender. Internal to the SIP server.
#pragma once

#include <array>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "sip/stream_session.hpp"

namespace cucm::sip {

class UdpEndpoint : public std::enable_shared_from_this<UdpEndpoint> {
 public:
  UdpEndpoint(boost::asio::io_context& loop, std::shared_ptr<ServerState> state);
  boost::system::error_code open(const boost::asio::ip::udp::endpoint& at);
  void start();
  void stop();  // closes the socket on its loop
  boost::asio::ip::udp::endpoint local_endpoint() const;

 private:
  void receive();
  void answer(std::size_t n);

  boost::asio::io_context& loop_;
  std::shared_ptr<ServerState> state_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::udp::endpoint from_;
  // The largest UDP payload: a datagram is one message, so one buffer holds any.
  std::array<char, 65535> in_{};
};

}  // namespace cucm::sip
