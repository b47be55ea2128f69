// The CAPF server on TLS port 3804: the CAPF certificate as server certificate, one session per
// connection on the loop that accepted it, a deadline on every handshake, read and write (one
// sweep per loop), a cap on sessions.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "capf/context.hpp"
#include "core/address_slots.hpp"
#include "core/deadline_sweep.hpp"
#include "core/result.hpp"
#include "core/tcp_listener.hpp"
#include "metrics/counter.hpp"
#include "metrics/histogram.hpp"

namespace cucm::capf {

struct FaultTls;  // capf/server_faults.hpp

struct CapfStats {
  std::atomic<std::uint64_t> sessions{0}, refused{0}, handshake_failed{0}, active{0};
  std::atomic<std::uint64_t> tls_too_old{0};    // of handshake_failed: the phone's TLS is below the floor
  std::atomic<std::uint64_t> accept_errors{0};  // accepts that failed (out of file descriptors)
  // Sessions past the TLS handshake, counted as they end: by the device's scheduled operation
  // (an Operation, or kOperationCount when no device on record was named) and by how they ended.
  std::array<std::array<metrics::Counter, kEndingCount>, kOperationCount + 1> ended;
  // From the connection's accept to its close, every connection (failed handshakes too).
  metrics::Histogram session_seconds{metrics::kSlowSeconds};
};

class CapfServer {
 public:
  // `ctx` must outlive the server and every session.
  CapfServer(boost::asio::io_context& io, Context& ctx);
  // Accepts on every loop (core::LoopPool); a session stays on the loop that accepted it.
  // Each io_context must be run by exactly one thread: sessions have no strand.
  CapfServer(std::vector<boost::asio::io_context*> loops, Context& ctx);
  ~CapfServer();
  Status start();  // TLS context, bind, listen
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  const CapfStats& stats() const { return *stats_; }

 private:
  void on_accept(core::TcpListener::Socket&& socket, const boost::asio::ip::tcp::endpoint& peer);

  Context& ctx_;
  boost::asio::ssl::context tls_;
  std::unique_ptr<FaultTls> fault_tls_;  // with Context::faults: the handshake faults' contexts
  std::shared_ptr<CapfStats> stats_;
  std::shared_ptr<std::atomic<std::uint32_t>> next_sid_;
  core::LoopSweeps sweeps_;  // before listener_: built from the loops it is given
  std::shared_ptr<core::AddressSlots> per_address_;  // CapfConfig::max_per_address
  core::TcpListener listener_;
};

}  // namespace cucm::capf
