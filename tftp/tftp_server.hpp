// The TFTP server (UDP 69): read requests answered from the catalog, one fresh port (TID) per
// transfer, caps on concurrent transfers (all clients, and each client address), a memory budget
// for the transfers' buffers and a per-client rate, so a flood is shed, not queued.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "core/loop_pool.hpp"
#include "core/result.hpp"
#include "db/event_writer.hpp"
#include "catalog/cached_catalog.hpp"
#include "fault/board.hpp"
#include "metrics/histogram.hpp"
#include "tftp/admission.hpp"
#include "tftp/transfer.hpp"

namespace cucm::tftp {

struct TftpConfig {
  std::string address = "0.0.0.0";  // "::" listens on IPv6 and IPv4
  std::uint16_t port = 69;
  TransferLimits limits;
  std::size_t max_transfers = 1000;   // concurrent; more are refused with "server busy"
  // Concurrent transfers of one client address (at most half of max_transfers): a lab phone
  // asks for one file at a time, and one address flooding leaves room for the others.
  std::size_t max_per_client = 32;
  // The buffers transfers make for themselves (a window of DATA packets, a netascii block), all
  // together; a transfer that would pass it, or take more than half of it for one address, is
  // refused with "server busy". File bytes are the cache's (--cache-mb) or read block by block.
  std::size_t transfer_memory = 64u << 20;
  double client_rate = 200;           // new transfers per second per client address (burst the same)
};

struct TftpStats {
  std::atomic<std::uint64_t> started{0}, completed{0}, failed{0}, refused{0}, not_found{0};
  // Among `refused`: at the client's own cap of transfers, and for lack of memory budget.
  std::atomic<std::uint64_t> refused_client_cap{0}, refused_memory{0};
  std::atomic<std::uint64_t> active{0};
  // DATA bytes of transfers that completed, and of those that failed; counted when they end.
  std::atomic<std::uint64_t> bytes_ok{0}, bytes_error{0};
  // DATA packets sent again (a timeout, or a window resent), counted when their transfer ends.
  std::atomic<std::uint64_t> retransmitted{0};
  // From the transfer's start to its end, completed or not.
  metrics::Histogram transfer_seconds{metrics::kSlowSeconds};
};

class TftpServer {
 public:
  TftpServer(boost::asio::io_context& io, TftpConfig cfg, catalog::CachedCatalog& catalog, db::EventWriter* events);
  // Listens on the first loop and hands transfers to the loops in turn (core::LoopPool).
  // Each io_context must be run by exactly one thread: transfers have no strand.
  TftpServer(std::vector<boost::asio::io_context*> loops, TftpConfig cfg, catalog::CachedCatalog& catalog,
             db::EventWriter* events);
  ~TftpServer();

  // Binds and starts receiving. PermissionDenied/Unavailable with a message naming the flag to
  // change the port.
  Status start();
  void stop();
  boost::asio::ip::udp::endpoint local_endpoint() const;
  const TftpStats& stats() const { return *stats_; }

  struct Shared;  // what sessions need after the server object is gone

 private:
  void receive();
  void on_request(std::size_t n);
  bool within_rate(const boost::asio::ip::address& client);
  void refuse(const Request& req, const boost::asio::ip::udp::endpoint& client, Refusal why, bool first,
              std::size_t memory_asked = 0);
  void serve_file(const Request& req, const boost::asio::ip::udp::endpoint& client, Result<catalog::CachedFile> file,
                  Admission::Ticket ticket);
  // `fault`: an armed TFTP fault taken for this transfer (tftp-ignore-options, -blksize-mismatch,
  // -drop-block, -duplicate-block, -delay), or null.
  void start_transfer(const Request& req, const boost::asio::ip::udp::endpoint& client, TransferData data,
                      catalog::CachedFile file, Admission::Ticket ticket, const fault::Applied* fault = nullptr);
  // tftp-error: answered with that ERROR instead of the file. True when it was.
  bool inject_error(const Request& req, const boost::asio::ip::udp::endpoint& client, const std::string& device);

  // Static files larger than this are read block by block from a descriptor the catalog keeps
  // open (no size cap, a block of memory per transfer); smaller ones come from the memory cache,
  // which costs no read per block.
  static constexpr std::uint64_t kStreamAbove = 16u << 20;

  core::LoopRing loops_;
  TftpConfig cfg_;
  boost::asio::io_context::executor_type executor_;  // the first loop's (one thread: no strand)
  boost::asio::ip::udp::socket socket_;
  std::array<std::uint8_t, 2048> rx_{};
  boost::asio::ip::udp::endpoint sender_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<TftpStats> stats_;
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  std::unordered_map<std::string, Bucket> buckets_;
  std::chrono::steady_clock::time_point last_prune_;
};

}  // namespace cucm::tftp
