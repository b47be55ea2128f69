// The background event writer: every posted event reaches the log (a few by the timer, many by
// full batches), the destructor flushes, and a full queue drops and counts instead of blocking.
#include <chrono>
#include <thread>

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
