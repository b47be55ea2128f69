// The background event writer: every posted event reaches the log (a few by the timer, many by
// full batches), the destructor flushes, and a full queue drops and counts instead of blocking.
#include <chrono>
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
  auto w = EventWriter::start(dir_);
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
  auto w = EventWriter::start(dir_, 10);
  ASSERT_TRUE(w) << w.error().message;
  // Posted faster than a 200 ms timer drains: the queue holds 10, the rest are counted.
  for (int i = 0; i < 25; ++i) (*w)->post(make_event(i));
  std::uint64_t dropped = (*w)->dropped();
  w->reset();
  EXPECT_GE(dropped, 1u);
  EXPECT_EQ(logged(db()) + dropped, 25u);
}

}  // namespace
}  // namespace cucm::db
