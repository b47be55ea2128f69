// Writes service events to the event log from a background thread, in batches, so a busy
// server never waits on the database. Bounded: when the queue is full, events are dropped and
// counted. Each event is stamped with the time it was posted (the request's time, not the batch's,
// which can be up to 200 ms later), in the event table's format, UTC with milliseconds.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

class EventWriter {
 public:
  // Opens its own connection to `<data_dir>/cucm.db`.
  static Result<std::unique_ptr<EventWriter>> start(const std::filesystem::path& data_dir,
                                                   std::size_t max_queue = 20'000);
  ~EventWriter();  // writes what is queued, then stops
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  void post(Event e);  // never blocks on the database; an empty e.time becomes now
  // The same, from its fields, for the services: `source` is the peer ("10.0.0.5:51234").
  void post(std::string service, std::string source, std::string device, std::string what, std::string result);
  std::uint64_t written() const { return written_; }
  std::uint64_t dropped() const { return dropped_; }

 private:
  static constexpr std::size_t kBatch = 500;  // events per wake-up under load
  EventWriter(Database db, std::size_t max_queue) : db_(std::move(db)), max_queue_(max_queue) {}
  struct Posted {
    Event event;
    std::chrono::system_clock::time_point at;
  };
  void run();
  Status write_batch(std::deque<Posted>& batch);

  Database db_;
  std::size_t max_queue_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Posted> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> written_{0}, dropped_{0};
  std::thread thread_;
};

}  // namespace cucm::db
