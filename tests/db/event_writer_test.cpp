// The background event writer: every posted event reaches the log (a few by the timer, many by
// full batches), the destructor flushes, and a full queue drops and counts instead of blocking.
#include <atomic>
#include <chrono>
#include <functional>
#include <ctime>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "db/event_log.hpp"
#include "db/event_writer.hpp"
#include "db_fixture.hpp"

namespace cucm::db {
namespace {

using test::DbTest;

Event make_event(int i) {
  Event e;
  e.source = "127.0.0.1:" + std::to_string(1000 + i);
  e.service = "tftp";
  e.device = "SEP001122334455";
  e.what = "RRQ file" + std::to_string(i);
  e.result = "ok";
  return e;
}

std::size_t logged(const Database& db) {
  auto all = EventLog(db).since(0, "", 100'000);
  return all ? all->size() : 0;
}

// The event table's format (strftime('%Y-%m-%d %H:%M:%f', 'now'): UTC, milliseconds).
std::string table_time(std::chrono::system_clock::time_point at) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  auto second = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&second, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, ms % 1000);
}

class EventWriterTest : public DbTest {};

TEST_F(EventWriterTest, AFewEventsArriveWithoutAFullBatch) {
  auto w = EventWriter::start(dir_);
  ASSERT_TRUE(w) << w.error().message;
  for (int i = 0; i < 3; ++i) (*w)->post(make_event(i));
  // The writer's timer (200 ms) picks them up; allow a loaded machine 10 s.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (logged(db()) < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(logged(db()), 3u);
  EXPECT_EQ((*w)->written(), 3u);
  auto events = EventLog(db()).since(0, "", 10);
  ASSERT_TRUE(events);
  EXPECT_EQ(events->front().what, "RRQ file0");
  EXPECT_EQ(events->back().what, "RRQ file2");
}

// An event carries the time it was posted, not the time its batch was written (up to 200 ms
// later), in the same format as rows the table stamps itself.
TEST_F(EventWriterTest, EventsCarryThePostTimeInTheTableFormat) {
  ASSERT_TRUE(EventLog(db()).append(make_event(0)));  // stamped by the table's default
  EventWriterOptions o;
  o.max_age = std::chrono::hours(0);  // the event from 2001 stays
  auto w = EventWriter::start(dir_, o);
  ASSERT_TRUE(w) << w.error().message;
  std::string before = table_time(std::chrono::system_clock::now());
  (*w)->post(make_event(1));
  std::string after = table_time(std::chrono::system_clock::now());
  Event given = make_event(2);
  given.time = "2001-02-03 04:05:06.789";  // a time given by the caller is kept
  (*w)->post(given);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  w->reset();  // flushes
  auto events = EventLog(db()).since(0, "", 10);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  std::regex format(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})");
  EXPECT_TRUE(std::regex_match((*events)[0].time, format)) << (*events)[0].time;
  EXPECT_TRUE(std::regex_match((*events)[1].time, format)) << (*events)[1].time;
  EXPECT_GE((*events)[1].time, before);
  EXPECT_LE((*events)[1].time, after);
  EXPECT_EQ((*events)[2].time, "2001-02-03 04:05:06.789");
}

TEST_F(EventWriterTest, ManyEventsAllWrittenAndDestructorFlushes) {
  {
    auto w = EventWriter::start(dir_);
    ASSERT_TRUE(w) << w.error().message;
    for (int i = 0; i < 1234; ++i) (*w)->post(make_event(i));
  }  // the destructor writes what is still queued
  EXPECT_EQ(logged(db()), 1234u);
}

TEST_F(EventWriterTest, FullQueueDropsAndCounts) {
  auto w = EventWriter::start(dir_, std::size_t{10});
  ASSERT_TRUE(w) << w.error().message;
  // Posted faster than a 200 ms timer drains: the queue holds 10, the rest are counted.
  for (int i = 0; i < 25; ++i) (*w)->post(make_event(i));
  std::uint64_t dropped = (*w)->dropped();
  w->reset();
  EXPECT_GE(dropped, 1u);
  EXPECT_EQ(logged(db()) + dropped, 25u);
}

// The pages the database uses (its file's size less the free pages SQLite will reuse).
std::int64_t used_bytes(const Database& db) {
  auto pragma = [&](const char* sql) {
    auto s = db.prepare(sql);
    return s && *s->step() ? s->int64(0) : -1;
  };
  return (pragma("PRAGMA page_count") - pragma("PRAGMA freelist_count")) * pragma("PRAGMA page_size");
}

std::int64_t event_rows(const Database& db) {
  auto s = db.prepare("SELECT count(*) FROM event");
  return s && *s->step() ? s->int64(0) : -1;
}

// A clock the test steps: the writer stamps events and measures their age with it.
struct TestClock {
  std::atomic<std::int64_t> ms{1'700'000'000'000};
  std::function<std::chrono::system_clock::time_point()> fn() {
    return [this] { return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms.load())); };
  }
  void advance(std::chrono::milliseconds d) { ms += d.count(); }
};

// The attack of issue 16 bounded: 200,000 requests, each a row of 8 KB-path size, through a
// writer with a 1 MiB budget. The database grows by about the budget, not by the 100 MB written,
// and the newest events are the ones kept.
TEST_F(EventWriterTest, AFloodStaysWithinTheSizeBudget) {
  std::int64_t before = used_bytes(db());
  constexpr int kEvents = 200'000;
  constexpr std::uint64_t kBudget = 1u << 20;
  EventWriterOptions o;
  o.max_bytes = kBudget;
  o.retention_every = std::chrono::hours(1);  // only the written-bytes trigger, as under a flood
  {
    auto w = EventWriter::start(dir_, o);
    ASSERT_TRUE(w) << w.error().message;
    std::string path(8000, 'A');
    for (int i = 0; i < kEvents; ++i) {
      Event e;
      e.service = "http";
      e.source = "10.0.0.5:" + std::to_string(1024 + i % 60000);
      e.what = "GET " + path + std::to_string(i);
      e.result = "ok";
      (*w)->post(std::move(e));
      if (i % 10'000 == 9'999) (*w)->flush();  // nothing dropped: every row is written, then trimmed
    }
    (*w)->flush();
    EXPECT_EQ((*w)->written(), std::uint64_t{kEvents});
    EXPECT_EQ((*w)->dropped(), 0u);
    EXPECT_GT((*w)->removed(), std::uint64_t{kEvents} * 9 / 10);
  }
  std::int64_t grown = used_bytes(db()) - before;
  EXPECT_LT(grown, static_cast<std::int64_t>(kBudget + kBudget / 4)) << "grew by " << grown << " bytes";
  EXPECT_GT(grown, static_cast<std::int64_t>(kBudget / 2)) << "kept far less than the budget";
  auto newest = EventLog(db()).tail("", 1);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 1u);
  // Cut to kMaxField, saying how long it was, and the newest.
  EXPECT_EQ(newest->front().what.size(), EventWriter::kMaxField);
  EXPECT_NE(newest->front().what.find("...(8010 bytes)"), std::string::npos) << newest->front().what;
  auto file = std::filesystem::file_size(dir_ / "cucm.db");
  // The file too: freed pages were reused, so it is no larger than the budget and a margin.
  EXPECT_LT(file, static_cast<std::uintmax_t>(before) + kBudget + kBudget / 4);
}

TEST_F(EventWriterTest, EventsOlderThanTheMaximumAgeGo) {
  TestClock clock;
  EventWriterOptions o;
  o.max_age = std::chrono::hours(24 * 30);
  o.clock = clock.fn();
  auto w = EventWriter::start(dir_, o);
  ASSERT_TRUE(w) << w.error().message;
  for (int i = 0; i < 100; ++i) (*w)->post(make_event(i));
  (*w)->flush();
  EXPECT_EQ(event_rows(db()), 100);
  clock.advance(std::chrono::hours(24 * 29));
  for (int i = 100; i < 110; ++i) (*w)->post(make_event(i));
  (*w)->flush();
  EXPECT_EQ(event_rows(db()), 110) << "none is 30 days old yet";
  clock.advance(std::chrono::hours(24 + 1));
  (*w)->flush();  // no new event needed: retention runs on its own
  EXPECT_EQ(event_rows(db()), 10);
  auto left = EventLog(db()).since(0, "", 100);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->front().what, "RRQ file100");
  EXPECT_EQ((*w)->removed(), 100u);
}

// The same flood as refusals from one address (any port): a few events per second are written,
// and one event per second counts the rest. Another address's refusals are not held back, and
// successes are never.
TEST_F(EventWriterTest, RepeatedRefusalsFromOneSourceBecomeSummaries) {
  TestClock clock;
  EventWriterOptions o;
  o.max_queue = 300'000;
  o.max_bytes = 1u << 20;
  o.clock = clock.fn();
  o.refusals = {.per_window = 10, .window = std::chrono::milliseconds(1000), .max_keys = 64};
  std::int64_t before = used_bytes(db());
  auto w = EventWriter::start(dir_, o);
  ASSERT_TRUE(w) << w.error().message;
  constexpr int kEvents = 200'000;
  for (int i = 0; i < kEvents; ++i) {
    if (i % 100 == 99) clock.advance(std::chrono::milliseconds(1));  // 2 s in all
    Event e;
    e.service = "http";
    e.source = "10.0.0.5:" + std::to_string(1024 + i % 60000);
    e.what = "GET nothing" + std::to_string(i);
    e.result = "not found: no such file";
    (*w)->post(std::move(e));
  }
  (*w)->post("http", "10.0.0.6:4000", "", "GET other", "not found: no such file");
  (*w)->post("http", "10.0.0.5:4000", "", "GET ITLFile.tlv", "ok");
  clock.advance(std::chrono::seconds(2));  // the last window ends: its count is written too
  (*w)->flush();
  EXPECT_EQ((*w)->dropped(), 0u);
  auto rows = EventLog(db()).since(0, "", 1000);
  ASSERT_TRUE(rows);
  std::int64_t written = 0, counted = 0, summaries = 0;
  bool other = false, ok = false;
  for (const auto& e : *rows) {
    if (e.source.starts_with("10.0.0.6")) other = true;
    else if (e.result == "ok") ok = true;
    else if (e.what.ends_with(" similar events suppressed")) {
      ++summaries;
      counted += std::stoll(e.what);
      EXPECT_EQ(e.source, "10.0.0.5");
      EXPECT_EQ(e.service, "http");
      EXPECT_EQ(e.result, "not found");
    } else {
      ++written;
    }
  }
  EXPECT_TRUE(other);
  EXPECT_TRUE(ok);
  EXPECT_LE(written, 30);  // three windows (0-1 s, 1-2 s, and the last millisecond), ten each
  EXPECT_GE(summaries, 2);
  EXPECT_EQ(written + counted, kEvents);
  EXPECT_EQ((*w)->suppressed(), static_cast<std::uint64_t>(counted));
  EXPECT_LT(used_bytes(db()) - before, 64 * 1024);
}

}  // namespace
}  // namespace cucm::db
