// The TFTP load generator's engine: a worker runs C read transfers at once on its own
// io_context against one loopback server, and counts what came back.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace cucm::bench {

struct LoadConfig {
  boost::asio::ip::udp::endpoint server;
  std::string file;
  Bytes reference;                // empty: no byte comparison
  std::size_t expected_size = 0;  // 0: unchecked
  std::uint64_t files = 0;        // 0: run until the deadline
  std::size_t blksize = 512;      // 0: do not ask (512)
  int windowsize = 0;             // 0: do not ask (1)
  std::chrono::milliseconds timeout{1000};
  int retries = 5;
  bool verify_all = false;  // compare every transfer, not only each client's first
};

struct LoadStats {
  std::uint64_t files = 0, bytes = 0, started = 0;
  std::uint64_t error_packets = 0;  // ERROR packets other than "busy"
  std::uint64_t busy = 0;           // ERROR "Server busy": cucm-emu shedding load
  std::uint64_t timeouts = 0;       // transfers given up after `retries` resends
  std::uint64_t retransmits = 0;
  std::uint64_t size_mismatch = 0, verify_failures = 0, bad_packets = 0, foreign_tid = 0;
  std::vector<float> latency_ms;  // per completed file

  void add(const LoadStats& o);
  std::uint64_t errors() const {
    return error_packets + busy + timeouts + size_mismatch + verify_failures + bad_packets;
  }
};

// What every worker shares: the configuration, the deadline and the --files budget.
struct LoadRun {
  LoadConfig cfg;
  std::chrono::steady_clock::time_point start, deadline;
  std::atomic<std::int64_t> to_start{0}, to_finish{0};
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> last_finish_ns{0};  // --files: when the last transfer ended
};

class LoadClient;

class LoadWorker {
 public:
  LoadWorker(LoadRun& run, int clients);
  ~LoadWorker();
  void run();  // returns at the deadline, or when the --files budget is spent
  LoadRun& shared() { return run_; }
  LoadStats& stats() { return stats_; }

 private:
  void arm_tick();

  LoadRun& run_;
  boost::asio::io_context io_{1};
  boost::asio::steady_timer tick_;
  std::vector<std::unique_ptr<LoadClient>> clients_;
  LoadStats stats_;
};

}  // namespace cucm::bench
