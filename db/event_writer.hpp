// Writes service events to the event log from a background thread, in batches, so a busy
// server never waits on the database. Bounded: when the queue is full, events are dropped and
// counted. Each event is stamped with the time it was posted (the request's time, not the batch's,
// which can be up to 200 ms later), in the event table's format, UTC with milliseconds.
//
// The log is bounded on disk too: the writer, the only writer of events, deletes the oldest rows
// past a size budget and those older than a maximum age (retention), so that a flood of
// requests reuses the pages of old events instead of growing cucm.db.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/repeat_limiter.hpp"
#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

struct EventWriterOptions {
  std::size_t max_queue = 20'000;
  // The event rows' estimated size past which the oldest go (0: no bound). The database's other
  // tables come on top; the file stays at its largest size (SQLite reuses the freed pages).
  std::uint64_t max_bytes = std::uint64_t{64} << 20;
  std::chrono::hours max_age{24 * 30};  // events older go (0: kept however old)
  // Retention runs after a write at most this often, and sooner once the rows written since the
  // last run add up to a sixteenth of max_bytes (so the bound holds however fast events come).
  std::chrono::milliseconds retention_every{5000};
  // Repeated refusals and failures (a result other than "ok"): per service, source address (the
  // port left out) and result class (the result up to its first ':'), `per_window` events pass
  // per window, and the rest become one event "N similar events suppressed" when the window
  // ends. per_window 0: every event is written.
  core::RepeatLimiter::Options refusals{.per_window = 10, .window = std::chrono::milliseconds(1000), .max_keys = 4096};
  // The time events are stamped with and retention measures age by (tests step it); empty: the
  // system clock.
  std::function<std::chrono::system_clock::time_point()> clock;
};

class EventWriter {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  // Opens its own connection to `<data_dir>/cucm.db`.
  static Result<std::unique_ptr<EventWriter>> start(const std::filesystem::path& data_dir, EventWriterOptions o);
  static Result<std::unique_ptr<EventWriter>> start(const std::filesystem::path& data_dir,
                                                   std::size_t max_queue = 20'000);
  ~EventWriter();  // writes what is queued, then stops
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  void post(Event e);  // never blocks on the database; an empty e.time becomes now
  // The same, from its fields, for the services: `source` is the peer ("10.0.0.5:51234").
  void post(std::string service, std::string source, std::string device, std::string what, std::string result);
  // Waits until what was posted before is written and retention has run once after it.
  void flush();
  // Called on the writer's thread after each batch is committed (the admin site's live event
  // stream reads the new rows then, instead of polling). Set before events flow, or any time:
  // it is swapped under the writer's lock. Must not block.
  void on_written(std::function<void()> f);
  std::uint64_t written() const { return written_; }
  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t removed() const { return removed_; }  // rows deleted by retention
  std::uint64_t suppressed() const { return suppressed_; }  // repeated refusals counted, not written

  // Longest text a field keeps: a longer one (an 8 KB request path) is cut, and says how long it was.
  static constexpr std::size_t kMaxField = 512;

 private:
  static constexpr std::size_t kBatch = 500;   // events per wake-up under load
  static constexpr std::size_t kChunk = 2000;  // events per transaction
  EventWriter(Database db, EventWriterOptions o);
  struct Posted {
    Event event;
    TimePoint at;
  };
  TimePoint now() const { return o_.clock ? o_.clock() : std::chrono::system_clock::now(); }
  void run();
  Status write_batch(const std::deque<Posted>& all, std::size_t from, std::size_t to);  // one transaction
  bool retention_due(TimePoint at) const;
  std::uint64_t size_trigger() const;  // bytes written that make retention due
  Status retain(TimePoint now);
  static Posted summary(const std::string& key, std::uint64_t count, TimePoint at);
  Result<std::int64_t> delete_batches(std::string_view sql, const std::function<void(Statement&)>& bind);

  Database db_;
  EventWriterOptions o_;
  std::mutex mutex_;
  std::condition_variable wake_, flushed_;
  std::deque<Posted> queue_;
  std::function<void()> on_written_;  // under mutex_
  std::unique_ptr<core::RepeatLimiter> refusals_;  // null: no limit
  bool stopping_ = false;
  std::uint64_t flush_asked_ = 0, flush_done_ = 0;  // under mutex_
  // The writer thread's own: when retention last ran, and the bytes written since.
  std::optional<TimePoint> last_retention_;
  std::uint64_t bytes_since_retention_ = 0;
  std::atomic<std::uint64_t> written_{0}, dropped_{0}, removed_{0}, suppressed_{0};
  std::thread thread_;
};

}  // namespace cucm::db
