// A fixed set of threads that run blocking jobs (SQLite reads, RSA signatures) off the event
// loops, so a loop keeps serving while a file is built. Each job is told which worker runs it, so
// per-worker state (a database connection of its own) needs no lock.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cucm::core {

class WorkerPool {
 public:
  using Job = std::function<void(std::size_t worker)>;

  // Starts `threads` threads (at least one), named `name` for top and perf.
  WorkerPool(std::size_t threads, const std::string& name);
  ~WorkerPool();  // runs what is queued, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::size_t size() const { return threads_.size(); }
  // Queues a job; never blocks on another job. A job must not throw.
  void post(Job job);
  // Waits until nothing is queued or running (jobs posted meanwhile included).
  void drain();

 private:
  void run(std::size_t worker);

  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<Job> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace cucm::core
