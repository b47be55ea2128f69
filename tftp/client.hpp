// A blocking TFTP read client (RFC 1350, 2347-2349, 7440) over Asio: for the phone simulator, the
// tests and the load generator. It can drop packets on purpose to test loss recovery.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/ip/udp.hpp>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::tftp {

struct GetOptions {
  std::size_t blksize = 0;        // 0: do not ask (512)
  std::uint16_t windowsize = 0;   // 0: do not ask (1)
  bool ask_tsize = false;
  std::string mode = "octet";
  std::chrono::milliseconds timeout{500};
  int retries = 8;
  double drop_rate = 0;           // share of received DATA and of sent ACKs dropped on purpose
  std::uint32_t seed = 1;
  std::size_t max_size = 256u << 20;
  // After the last block, wait this long to re-ACK it if the server resends (our final ACK was
  // lost). 0: return at once, as a phone that moves on to its next file does.
  std::chrono::milliseconds linger{0};
  // The local address to send from (a fleet gives each phone its own loopback address, as each
  // real phone has its own); none: the system's choice.
  std::optional<boost::asio::ip::address> source;
};

struct GetResult {
  Bytes data;
  std::optional<std::size_t> tsize;
  std::size_t blksize = 512;
  std::uint16_t windowsize = 1;
  std::size_t dropped = 0;        // packets dropped on purpose
  std::size_t timeouts = 0;       // each one sent the RRQ or the last ACK again
  std::size_t duplicates = 0;     // DATA blocks received again after they were taken
  std::size_t blocks = 0;         // DATA blocks taken
  // Blocks taken only after a timeout made us send our last ACK (or a plain RRQ) again while we
  // waited for them: a lost block is one late block, a slow link makes every block late. A late
  // OACK is not counted (it is no DATA).
  std::size_t late_blocks = 0;
  bool oack = false;              // the server answered the options with an OACK
  boost::asio::ip::udp::endpoint server_tid;
};

// NotFound for ERROR 1, PermissionDenied for ERROR 2, Unavailable for other ERROR packets (with
// their text), DeadlineExceeded when the server stops answering, ResourceExhausted past max_size,
// InvalidArgument for an OACK with a blksize larger than asked (refused with ERROR 8, RFC 2348).
Result<GetResult> tftp_get(const boost::asio::ip::udp::endpoint& server, const std::string& name, const GetOptions& opts);

}  // namespace cucm::tftp
