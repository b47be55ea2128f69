// Failed logins per address with a stepped clock: blocked after the limit, until the window ends.
#include <gtest/gtest.h>

#include "auth/login_limiter.hpp"

namespace cucm::auth {
namespace {

using namespace std::chrono_literals;

class LoginLimiterTest : public ::testing::Test {
 protected:
  LoginLimiter make(LoginLimiter::Options o = {}) {
    return LoginLimiter(o, [this] { return now_; });
  }
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
};

TEST_F(LoginLimiterTest, FiveFailuresInAMinuteBlockUntilTheMinuteIsOver) {
  auto limiter = make();
  for (int i = 0; i < 4; ++i) {
    limiter.failed("192.0.2.1");
    now_ += 1s;
    EXPECT_FALSE(limiter.blocked("192.0.2.1")) << i;
  }
  limiter.failed("192.0.2.1");  // the fifth, 4 s after the first
  EXPECT_EQ(limiter.blocked("192.0.2.1"), 56s);
  EXPECT_FALSE(limiter.blocked("192.0.2.2"));  // another address is not concerned
  now_ += 55s + 500ms;
  EXPECT_EQ(limiter.blocked("192.0.2.1"), 1s);  // rounded up
  now_ += 500ms;
  EXPECT_FALSE(limiter.blocked("192.0.2.1"));
  // A new window: one failure does not block again.
  limiter.failed("192.0.2.1");
  EXPECT_FALSE(limiter.blocked("192.0.2.1"));
}

TEST_F(LoginLimiterTest, FailuresSpreadOverMoreThanAWindowDoNotBlock) {
  auto limiter = make();
  for (int i = 0; i < 10; ++i) {
    limiter.failed("198.51.100.7");
    now_ += 20s;  // three a window
    EXPECT_FALSE(limiter.blocked("198.51.100.7")) << i;
  }
}

TEST_F(LoginLimiterTest, SuccessForgetsTheFailures) {
  auto limiter = make();
  for (int i = 0; i < 4; ++i) limiter.failed("2001:db8::1");
  limiter.succeeded("2001:db8::1");
  limiter.failed("2001:db8::1");
  EXPECT_FALSE(limiter.blocked("2001:db8::1"));
  for (int i = 0; i < 4; ++i) limiter.failed("2001:db8::1");
  EXPECT_TRUE(limiter.blocked("2001:db8::1"));
}

TEST_F(LoginLimiterTest, OptionsAreHonoured) {
  auto limiter = make({.max_failures = 2, .window = 10s, .max_keys = 4096});
  limiter.failed("a");
  EXPECT_FALSE(limiter.blocked("a"));
  limiter.failed("a");
  EXPECT_EQ(limiter.blocked("a"), 10s);
}

TEST_F(LoginLimiterTest, ManyAddressesAreBoundedAndTheOldestGoesFirst) {
  auto limiter = make({.max_failures = 1, .window = 60s, .max_keys = 3});
  limiter.failed("first");
  now_ += 1s;
  limiter.failed("second");
  limiter.failed("third");
  limiter.failed("fourth");  // full: "first" is forgotten
  EXPECT_FALSE(limiter.blocked("first"));
  EXPECT_TRUE(limiter.blocked("second"));
  EXPECT_TRUE(limiter.blocked("third"));
  EXPECT_TRUE(limiter.blocked("fourth"));
  // Expired ones are dropped before any live one.
  now_ += 61s;
  limiter.failed("fifth");
  limiter.failed("sixth");
  EXPECT_TRUE(limiter.blocked("fifth"));
  EXPECT_TRUE(limiter.blocked("sixth"));
}

TEST(LoginLimiter, DefaultClockIsSteady) {
  LoginLimiter limiter;
  for (int i = 0; i < 5; ++i) limiter.failed("192.0.2.9");
  auto wait = limiter.blocked("192.0.2.9");
  ASSERT_TRUE(wait);
  EXPECT_GE(*wait, 59s);
  EXPECT_LE(*wait, 60s);
}

}  // namespace
}  // namespace cucm::auth
