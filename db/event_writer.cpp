// Batched event writes: one transaction per batch, at most every 200 ms.
#include "db/event_writer.hpp"

#include <ctime>

#include <fmt/format.h>

#include "core/log.hpp"
#include "db/schema.hpp"

namespace cucm::db {
namespace {

// Formats times as the event table's default does (strftime('%Y-%m-%d %H:%M:%f'), UTC): the
// date-and-second part is made once per second, the milliseconds appended.
class EventTimeFormat {
 public:
  std::string_view operator()(std::chrono::system_clock::time_point at) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    auto second = static_cast<std::time_t>(ms / 1000);
    int milli = static_cast<int>(ms % 1000);
    if (second != second_ || text_.empty()) {
      std::tm tm{};
      gmtime_r(&second, &tm);
      text_ = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
      prefix_ = text_.size();
      second_ = second;
    }
    text_.resize(prefix_);
    fmt::format_to(std::back_inserter(text_), "{:03}", milli);
    return text_;
  }

 private:
  std::time_t second_ = 0;
  std::string text_;
  std::size_t prefix_ = 0;
};

// INSERT of `rows` events in one statement: SQLite's cost per statement run (step, reset,
// halt) is then shared by the rows.
constexpr int kColumns = 6;
constexpr int kRowsPerInsert = 32;

std::string insert_sql(int rows) {
  std::string sql = "INSERT INTO event (time, source, service, device, what, result) VALUES ";
  for (int r = 0; r < rows; ++r) {
    int p = r * kColumns;
    sql += fmt::format("{}(?{}, ?{}, ?{}, ?{}, ?{}, ?{})", r ? ", " : "", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6);
  }
  return sql;
}

}  // namespace

Result<std::unique_ptr<EventWriter>> EventWriter::start(const std::filesystem::path& data_dir, std::size_t max_queue) {
  CUCM_TRY(Database db, open_cluster_db(data_dir));
  std::unique_ptr<EventWriter> w(new EventWriter(std::move(db), max_queue));
  w->thread_ = std::thread([p = w.get()] { p->run(); });
  return w;
}

EventWriter::~EventWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void EventWriter::post(std::string service, std::string source, std::string device, std::string what,
                       std::string result) {
  Event e;
  e.service = std::move(service);
  e.source = std::move(source);
  e.device = std::move(device);
  e.what = std::move(what);
  e.result = std::move(result);
  post(std::move(e));
}

void EventWriter::post(Event e) {
  auto at = std::chrono::system_clock::now();  // before the lock: the time of the request
  bool batch_full = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queue_) {
      ++dropped_;
      return;
    }
    queue_.push_back(Posted{std::move(e), at});
    batch_full = queue_.size() == kBatch;
  }
  // Wake the writer once per batch, not per event: a wake-up per event was a context switch per
  // request, 12% of a TFTP server's CPU and 30% of the HTTP server's. The 200 ms timer takes the rest.
  if (batch_full) wake_.notify_one();
}

Status EventWriter::write_batch(std::deque<Posted>& batch) {
  static thread_local EventTimeFormat format_time;  // only the writer thread calls this
  static const std::string insert_many = insert_sql(kRowsPerInsert), insert_one = insert_sql(1);
  auto bind_row = [](Statement& stmt, int row, const Posted& p) {
    int at = row * kColumns;
    stmt.bind(at + 1, p.event.time.empty() ? format_time(p.at) : std::string_view(p.event.time))
        .bind(at + 2, std::string_view(p.event.source))
        .bind(at + 3, std::string_view(p.event.service))
        .bind(at + 4, std::string_view(p.event.device))
        .bind(at + 5, std::string_view(p.event.what))
        .bind(at + 6, std::string_view(p.event.result));
  };
  CUCM_TRY(auto tx, Transaction::begin(db_));
  std::size_t i = 0;
  if (batch.size() >= kRowsPerInsert) {
    CUCM_TRY(auto many, db_.prepare(insert_many));
    for (; i + kRowsPerInsert <= batch.size(); i += kRowsPerInsert) {
      many.reset();
      for (int r = 0; r < kRowsPerInsert; ++r) bind_row(many, r, batch[i + static_cast<std::size_t>(r)]);
      CUCM_CHECK(many.run());
    }
  }
  if (i < batch.size()) {
    CUCM_TRY(auto one, db_.prepare(insert_one));
    for (; i < batch.size(); ++i) {
      one.reset();
      bind_row(one, 0, batch[i]);
      CUCM_CHECK(one.run());
    }
  }
  return tx.commit();
}

void EventWriter::run() {
  auto log = log::get("events");
  while (true) {
    std::deque<Posted> batch;
    bool stop = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_ || queue_.size() >= kBatch; });
      batch.swap(queue_);
      stop = stopping_;
    }
    if (!batch.empty()) {
      if (auto st = write_batch(batch); !st) {
        dropped_ += batch.size();
        log->warn("event log: {} events lost: {}", batch.size(), st.error().message);
      } else {
        written_ += batch.size();
      }
    }
    if (stop) return;
  }
}

}  // namespace cucm::db
