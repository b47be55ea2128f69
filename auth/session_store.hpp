// The admin site's login sessions, in memory: a session token for the cookie and a CSRF token for
// the X-CSRF-Token header (docs/admin-api.md). A restart logs everyone out.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cucm::auth {

struct Session {
  std::string user, csrf;
  std::chrono::system_clock::time_point expires;
  std::string credential;  // the user's Standing::credential at login: checked on each request
};

// SessionStore::Options, declared outside the class for the reason given at LoginLimiterOptions.
struct SessionStoreOptions {
  std::chrono::seconds ttl{8 * 3600};  // the cookie's Max-Age=28800
  std::size_t max_sessions = 1024;
};

class SessionStore {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  using Options = SessionStoreOptions;

  explicit SessionStore(Options o = {}, Clock clock = {});  // empty clock: system_clock::now

  struct Created {
    std::string token;
    Session session;
  };
  // A session for `user` expiring ttl from now; its token and CSRF token are 32 random bytes in
  // base64url. With max_sessions live already, the one expiring soonest is dropped first.
  Created create(const std::string& user, const std::string& credential = {});
  // The session, or nullopt when the token is unknown or expired (an expired one is dropped).
  std::optional<Session> find(const std::string& token) const;
  bool remove(const std::string& token);  // false: no such session (already ended)
  // Ends every live session of `user` but the one whose token is `keep` (a password change ends
  // the others). Returns how many ended. An event stream already open and bearer tokens are not
  // sessions: they stay.
  std::size_t end_user_sessions(const std::string& user, const std::string& keep = {});
  std::size_t size() const;  // live sessions (expired ones are dropped)

 private:
  void drop_expired(std::chrono::system_clock::time_point now) const;  // with mu_ held

  Options options_;
  Clock clock_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Session> sessions_;
};

}  // namespace cucm::auth
