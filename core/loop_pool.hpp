// Event loops for the servers: N io_contexts, each run by one thread of its own.
//
// One io_context run by N threads pays, for every event, a lock on its queue and a wake-up of
// another thread, and a connection's handlers hop between cores. With a loop per thread a
// connection lives on the loop that accepted it: its work stays on one core and needs no locks.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace cucm::core {

class LoopPool {
 public:
  explicit LoopPool(std::size_t loops);
  ~LoopPool();  // stops and joins
  LoopPool(const LoopPool&) = delete;
  LoopPool& operator=(const LoopPool&) = delete;

  std::size_t size() const { return loops_.size(); }
  boost::asio::io_context& at(std::size_t i) { return *loops_.at(i); }
  // Every loop, for a server that spreads its work over them.
  std::vector<boost::asio::io_context*> contexts() const;

  // Starts one thread per loop; each runs until stop(). Named `thread_name` (for top and perf).
  void start(const std::string& thread_name);
  // Asks every loop to return; safe from any thread and from inside a handler.
  void stop();
  // Waits until every loop has returned.
  void join();
  std::vector<std::thread>& threads() { return threads_; }

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
  // A loop with nothing to do yet (no transfer handed to it) must not return from run().
  std::vector<WorkGuard> guards_;
  std::mutex stop_mutex_;  // stop() may come from a loop's handler and from the destructor
  std::vector<std::thread> threads_;
};

// Picks loops in turn, for work that does not arrive on a loop of its own (TFTP transfers).
class LoopRing {
 public:
  explicit LoopRing(std::vector<boost::asio::io_context*> loops) : loops_(std::move(loops)) {}
  boost::asio::io_context& next() {
    return *loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
  }
  boost::asio::io_context& first() const { return *loops_.front(); }
  const std::vector<boost::asio::io_context*>& all() const { return loops_; }

 private:
  std::vector<boost::asio::io_context*> loops_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace cucm::core
