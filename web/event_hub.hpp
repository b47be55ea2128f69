// The live event stream behind GET /api/v1/events/stream: one thread reads the event log's new
// rows when the event writer commits a batch (or once a second, for events written by another
// process, the CLI), and hands each subscriber the rows it asked for, in id order.
//
// A subscriber is added on the hub's thread after the rows it missed (those after its
// Last-Event-ID) are handed to it, so it sees every event once, in order, without a gap between
// its backlog and the live rows.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "db/model.hpp"

namespace cucm::web {

class EventHub {
 public:
  // Called on the hub's thread with rows in id order (never empty). Returns false when the
  // subscriber is gone or cannot keep up: it is then removed.
  using Deliver = std::function<bool(const std::vector<db::Event>&)>;

  struct Options {
    std::chrono::milliseconds poll{1000};  // without a nudge, how often the log is read
    std::size_t max_subscribers = 256;
    std::size_t backlog = 1000;  // missed rows replayed to a new subscriber at most (the oldest first)
    // Tests: called on the hub's thread just before each read of new rows, to interleave a
    // subscription or a write at that exact point.
    std::function<void()> before_read;
  };

  // Opens its own connection to <data_dir>/cucm.db.
  static Result<std::unique_ptr<EventHub>> start(const std::filesystem::path& data_dir, Options o);
  ~EventHub();  // stops the thread
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // New rows may be there: read them now (the event writer's on_written, an API write).
  void nudge();
  // `device` empty: every device's. `after`: the last id the subscriber has; every row after it
  // reaches the subscriber, however late the hub's thread starts it. The API passes the newest
  // row's id for a stream that wants only new events. 0: the rows after the newest the hub had
  // read when it subscribed (a row committed just before may come too).
  // ResourceExhausted past max_subscribers. The returned id removes it.
  Result<std::uint64_t> subscribe(std::string device, std::int64_t after, Deliver deliver);
  void unsubscribe(std::uint64_t id);
  std::size_t subscribers() const;

 private:
  struct Impl;
  explicit EventHub(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cucm::web
