// Login sessions with a stepped clock: tokens, expiry, removal and the bound on their number.
#include <set>

#include <gtest/gtest.h>

#include "auth/session_store.hpp"

namespace cucm::auth {
namespace {

using namespace std::chrono_literals;

class SessionStoreTest : public ::testing::Test {
 protected:
  SessionStore make(SessionStore::Options o = {}) {
    return SessionStore(o, [this] { return now_; });
  }
  std::chrono::system_clock::time_point now_{std::chrono::hours(24 * 365 * 50)};
};

bool base64url_of_32_bytes(const std::string& s) {
  return s.size() == 43 &&
         s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}

TEST_F(SessionStoreTest, CreateThenFindUntilItExpires) {
  auto store = make();
  auto c = store.create("admin");
  EXPECT_TRUE(base64url_of_32_bytes(c.token)) << c.token;
  EXPECT_TRUE(base64url_of_32_bytes(c.session.csrf)) << c.session.csrf;
  EXPECT_NE(c.token, c.session.csrf);
  EXPECT_EQ(c.session.user, "admin");
  EXPECT_EQ(c.session.expires, now_ + 8h);
  auto found = store.find(c.token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user, "admin");
  EXPECT_EQ(found->credential, "");
  EXPECT_EQ(store.find(store.create("admin", "fingerprint").token)->credential, "fingerprint");
  EXPECT_EQ(found->csrf, c.session.csrf);
  EXPECT_FALSE(store.find(c.session.csrf));
  EXPECT_FALSE(store.find(""));
  now_ += 8h - 1s;
  EXPECT_TRUE(store.find(c.token));
  now_ += 1s;
  EXPECT_FALSE(store.find(c.token));
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(SessionStoreTest, RemoveLogsOut) {
  auto store = make();
  auto a = store.create("admin");
  auto b = store.create("admin");
  EXPECT_EQ(store.size(), 2u);
  EXPECT_TRUE(store.remove(a.token));
  EXPECT_FALSE(store.remove(a.token));  // already gone: a re-key after a logout in another tab makes none
  EXPECT_FALSE(store.remove("not a token"));
  EXPECT_FALSE(store.find(a.token));
  EXPECT_TRUE(store.find(b.token));
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(SessionStoreTest, EndingAUsersSessionsKeepsTheOneAskedForAndOtherUsers) {
  auto store = make();
  auto mine = store.create("admin");
  auto other_tab = store.create("admin");
  auto elsewhere = store.create("admin");
  auto trainer = store.create("trainer");
  EXPECT_EQ(store.end_user_sessions("admin", mine.token), 2u);
  EXPECT_TRUE(store.find(mine.token));
  EXPECT_FALSE(store.find(other_tab.token));
  EXPECT_FALSE(store.find(elsewhere.token));
  EXPECT_TRUE(store.find(trainer.token));
  EXPECT_EQ(store.end_user_sessions("admin"), 1u);  // a bearer token's change keeps none
  EXPECT_FALSE(store.find(mine.token));
  EXPECT_EQ(store.size(), 1u);
  // An expired session was not live: it is not counted as ended.
  store.create("admin");
  now_ += 9h;
  EXPECT_EQ(store.end_user_sessions("admin"), 0u);
}

TEST_F(SessionStoreTest, ExpiredOnesAreDroppedAndTheCountIsLive) {
  auto store = make({.ttl = 10s, .max_sessions = 1024});
  store.create("a");
  now_ += 5s;
  auto b = store.create("b");
  EXPECT_EQ(store.size(), 2u);
  now_ += 5s;
  EXPECT_EQ(store.size(), 1u);
  EXPECT_TRUE(store.find(b.token));
}

TEST_F(SessionStoreTest, PastTheLimitTheOneExpiringSoonestGoes) {
  auto store = make({.ttl = 60s, .max_sessions = 3});
  auto first = store.create("a");
  now_ += 1s;
  auto second = store.create("b");
  now_ += 1s;
  auto third = store.create("c");
  now_ += 1s;
  auto fourth = store.create("d");
  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(store.find(first.token));
  EXPECT_TRUE(store.find(second.token));
  EXPECT_TRUE(store.find(third.token));
  EXPECT_TRUE(store.find(fourth.token));
}

TEST_F(SessionStoreTest, TokensDoNotRepeat) {
  auto store = make({.ttl = 60s, .max_sessions = 10000});
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto c = store.create("admin");
    EXPECT_TRUE(seen.insert(c.token).second);
    EXPECT_TRUE(seen.insert(c.session.csrf).second);
  }
}

TEST(SessionStore, DefaultClockIsTheSystemClock) {
  SessionStore store;
  auto before = std::chrono::system_clock::now();
  auto c = store.create("admin");
  EXPECT_GE(c.session.expires, before + 8h);
  EXPECT_LE(c.session.expires, std::chrono::system_clock::now() + 8h);
  EXPECT_TRUE(store.find(c.token));
}

}  // namespace
}  // namespace cucm::auth
