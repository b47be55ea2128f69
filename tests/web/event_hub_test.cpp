// The event hub behind the admin site's live stream, against a real cluster database: every row
// written after a subscription reaches it once and in order, whenever the hub's thread gets to it.
#include "web/event_hub.hpp"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "db/event_log.hpp"
#include "db/schema.hpp"

namespace cucm::web {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class EventHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cucm-hub-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto d = db::open_cluster_db(dir_);
    ASSERT_TRUE(d) << d.error().message;
    db_.emplace(std::move(*d));
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void write(const std::string& device, const std::string& what) {
    db::Event e;
    e.time = "2026-12-06T12:00:00Z";
    e.source = "127.0.0.1";
    e.service = "web";
    e.device = device;
    e.what = what;
    e.result = "ok";
    ASSERT_TRUE(db::EventLog(*db_).append(e));
  }

  // What a subscriber was handed, and a bounded wait for it.
  struct Received {
    std::mutex m;
    std::condition_variable cv;
    std::vector<std::string> what;
    EventHub::Deliver deliver() {
      return [this](const std::vector<db::Event>& rows) {
        std::lock_guard lock(m);
        for (const auto& r : rows) what.push_back(r.what);
        cv.notify_all();
        return true;
      };
    }
    std::vector<std::string> wait_for(std::size_t n) {
      std::unique_lock lock(m);
      cv.wait_for(lock, 10s, [&] { return what.size() >= n; });
      return what;
    }
  };

  fs::path dir_;
  std::optional<db::Database> db_;
};

// The race a CI run met: the subscription lands while the hub's thread is between its backlog
// pass and its read of new rows, and a row is committed in that gap. The hook puts both exactly
// there. The row is the subscriber's: it was written after the subscription.
TEST_F(EventHubTest, ARowWrittenWhileTheHubIsReadingReachesANewSubscriber) {
  write("SEP0000000000A1", "before the hub");
  Received got;
  std::atomic<bool> armed{false};
  EventHub* hub_ptr = nullptr;
  EventHub::Options o;
  o.poll = 1h;  // only nudges wake it
  o.before_read = [&] {
    if (!armed.exchange(false)) return;
    ASSERT_TRUE(hub_ptr->subscribe("SEP0000000000A1", 0, got.deliver()));
    write("SEP0000000000A1", "after the subscription");
  };
  auto hub = EventHub::start(dir_, o);
  ASSERT_TRUE(hub) << hub.error().message;
  hub_ptr = hub->get();
  armed = true;
  (*hub)->nudge();
  EXPECT_EQ(got.wait_for(1), std::vector<std::string>{"after the subscription"});
  // And the next row comes once, after it.
  write("SEP0000000000A1", "later");
  (*hub)->nudge();
  EXPECT_EQ(got.wait_for(2), (std::vector<std::string>{"after the subscription", "later"}));
}

// A subscriber past what the hub has read (the API subscribes after the newest row committed,
// which the hub's thread may not have read yet) gets only the rows after its own mark.
TEST_F(EventHubTest, ASubscriberAheadOfTheHubGetsOnlyTheRowsAfterItsMark) {
  write("SEP0000000000A1", "one");
  Received got;
  EventHub::Options o;
  o.poll = 1h;
  auto hub = EventHub::start(dir_, o);
  ASSERT_TRUE(hub) << hub.error().message;
  write("SEP0000000000A1", "two");  // committed, not yet read by the hub (no nudge)
  ASSERT_TRUE((*hub)->subscribe("SEP0000000000A1", 2, got.deliver()));
  write("SEP0000000000A1", "three");
  (*hub)->nudge();
  EXPECT_EQ(got.wait_for(1), std::vector<std::string>{"three"});
}

// Last-Event-ID: the rows after it come first, another device's never.
TEST_F(EventHubTest, ASubscriberResumingAfterAnIdGetsTheRowsItMissedThenNewOnes) {
  write("SEP0000000000A1", "one");
  write("SEP0000000000B2", "elsewhere");
  write("SEP0000000000A1", "two");
  write("SEP0000000000A1", "three");
  Received got;  // before the hub: its thread holds the callback until the hub goes
  EventHub::Options o;
  o.poll = 1h;
  auto hub = EventHub::start(dir_, o);
  ASSERT_TRUE(hub) << hub.error().message;
  ASSERT_TRUE((*hub)->subscribe("SEP0000000000A1", 1, got.deliver()));
  EXPECT_EQ(got.wait_for(2), (std::vector<std::string>{"two", "three"}));
  write("SEP0000000000A1", "four");
  (*hub)->nudge();
  EXPECT_EQ(got.wait_for(3), (std::vector<std::string>{"two", "three", "four"}));
}

TEST_F(EventHubTest, SubscribersPastTheLimitAreRefusedWithAReason) {
  Received got;
  EventHub::Options o;
  o.max_subscribers = 2;
  auto hub = EventHub::start(dir_, o);
  ASSERT_TRUE(hub) << hub.error().message;
  ASSERT_TRUE((*hub)->subscribe("", 0, got.deliver()));
  auto second = (*hub)->subscribe("", 0, got.deliver());
  ASSERT_TRUE(second);
  auto third = (*hub)->subscribe("", 0, got.deliver());
  ASSERT_FALSE(third);
  EXPECT_NE(third.error().message.find("close one"), std::string::npos) << third.error().message;
  (*hub)->unsubscribe(*second);
  EXPECT_TRUE((*hub)->subscribe("", 0, got.deliver()));
}

}  // namespace
}  // namespace cucm::web
