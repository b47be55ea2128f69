// The repeat limiter: a flood of one key passes `per_window` per window and leaves one count,
// told when its window ends; many keys share one overflow count; log excerpts are bounded and
// escaped.
#include <gtest/gtest.h>

#include "core/repeat_limiter.hpp"

namespace cucm::core {
namespace {

using namespace std::chrono_literals;
const RepeatLimiter::TimePoint kT0{std::chrono::seconds(1'700'000'000)};

TEST(RepeatLimiter, AFloodOfOneKeyPassesAFewPerWindowAndCountsTheRest) {
  RepeatLimiter limit({.per_window = 3, .window = 1000ms, .max_keys = 16});
  int passed = 0;
  for (int i = 0; i < 10'000; ++i) passed += limit.admit("10.0.0.5", kT0 + std::chrono::microseconds(i)).pass;
  EXPECT_EQ(passed, 3);
  EXPECT_TRUE(limit.expire(kT0 + 999ms).empty());  // the window is still open
  // Another key is not held back by the first one's flood.
  EXPECT_TRUE(limit.admit("10.0.0.6", kT0 + 10ms).pass);
  // The next occurrence after the window passes and carries the count of the one that ended.
  auto next = limit.admit("10.0.0.5", kT0 + 1000ms);
  EXPECT_TRUE(next.pass);
  EXPECT_EQ(next.suppressed, 9'997u);
  EXPECT_EQ(limit.admit("10.0.0.5", kT0 + 1001ms).suppressed, 0u);
}

TEST(RepeatLimiter, ExpireReportsHeldCountsOnceAndForgetsEndedWindows) {
  RepeatLimiter limit({.per_window = 1, .window = 1000ms, .max_keys = 16});
  for (int i = 0; i < 5; ++i) limit.admit("a", kT0);
  limit.admit("b", kT0);
  auto held = limit.expire(kT0 + 2s);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].key, "a");
  EXPECT_EQ(held[0].suppressed, 4u);
  EXPECT_EQ(limit.keys(), 0u);
  EXPECT_TRUE(limit.expire(kT0 + 3s).empty());
}

// The event writer reads the time, then expires: an occurrence admitted in between may start a
// window later than that time. The stale time must not end it, or a second `per_window` passes
// at once (EventWriterTest.RepeatedRefusalsFromOneSourceBecomeSummaries wrote 31 of at most 30).
TEST(RepeatLimiter, ExpireWithATimeBeforeAWindowsStartLeavesItOpen) {
  RepeatLimiter limit({.per_window = 2, .window = 1000ms, .max_keys = 16});
  for (int i = 0; i < 5; ++i) limit.admit("a", kT0 + 5s);
  EXPECT_TRUE(limit.expire(kT0 + 4s).empty());
  EXPECT_EQ(limit.keys(), 1u);
  EXPECT_FALSE(limit.admit("a", kT0 + 5s + 10ms).pass);  // still the same window: its two have passed
  auto held = limit.expire(kT0 + 6s);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].suppressed, 4u);
}

TEST(RepeatLimiter, ManyKeysShareTheOverflowKeyAndTheMapStaysBounded) {
  RepeatLimiter limit({.per_window = 2, .window = 1000ms, .max_keys = 100});
  int passed = 0;
  for (int i = 0; i < 100'000; ++i) {
    auto a = limit.admit("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256), kT0);
    passed += a.pass;
  }
  EXPECT_LE(limit.keys(), 101u);
  EXPECT_EQ(passed, 100 + 2);  // each key before the cap once, then the overflow key twice
  // Ended windows make room again.
  auto a = limit.admit("10.9.9.9", kT0 + 5s);
  EXPECT_TRUE(a.pass);
  EXPECT_EQ(a.key, "10.9.9.9");
}

TEST(RepeatLimiter, AClockThatGoesBackStartsANewWindow) {
  RepeatLimiter limit({.per_window = 1, .window = 1000ms, .max_keys = 16});
  EXPECT_TRUE(limit.admit("a", kT0).pass);
  EXPECT_FALSE(limit.admit("a", kT0 + 1ms).pass);
  auto back = limit.admit("a", kT0 - 1h);
  EXPECT_TRUE(back.pass);
  EXPECT_EQ(back.suppressed, 1u);
}

TEST(LogExcerpt, BoundedEscapedAndSaysHowLongTheTextWas) {
  EXPECT_EQ(log_excerpt("SEP001122334455.cnf.xml"), "SEP001122334455.cnf.xml");
  EXPECT_EQ(log_excerpt("a\x01'b\\"), "a\\x01\\x27b\\x5c");
  std::string huge(8000, 'A');
  auto e = log_excerpt(huge);
  EXPECT_EQ(e, std::string(128, 'A') + "...(8000 bytes)");
  std::string control(8000, '\n');
  EXPECT_LE(log_excerpt(control).size(), 128u + 20u);
  EXPECT_EQ(log_excerpt(control, 8), "\\x0a\\x0a...(8000 bytes)");
}

}  // namespace
}  // namespace cucm::core
