// In-memory login sessions.
#include "auth/session_store.hpp"

#include <algorithm>

#include "core/encoding.hpp"
#include "signer/random.hpp"

namespace cucm::auth {
namespace {

std::string random_token() { return to_base64url(signer::random_bytes(32)); }

}  // namespace

SessionStore::SessionStore(Options o, Clock clock) : options_(o), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

SessionStore::Created SessionStore::create(const std::string& user, const std::string& credential) {
  auto now = clock_();
  Created c{random_token(), Session{user, random_token(), now + options_.ttl, credential}};
  std::lock_guard lock(mu_);
  if (sessions_.size() >= options_.max_sessions) drop_expired(now);
  if (sessions_.size() >= options_.max_sessions && !sessions_.empty()) {
    auto soonest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
      return a.second.expires < b.second.expires;
    });
    sessions_.erase(soonest);
  }
  sessions_.emplace(c.token, c.session);
  return c;
}

std::optional<Session> SessionStore::find(const std::string& token) const {
  auto now = clock_();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  if (now >= it->second.expires) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

bool SessionStore::remove(const std::string& token) {
  std::lock_guard lock(mu_);
  return sessions_.erase(token) > 0;
}

std::size_t SessionStore::end_user_sessions(const std::string& user, const std::string& keep) {
  auto now = clock_();
  std::lock_guard lock(mu_);
  drop_expired(now);  // an expired session was not live: not counted as ended
  return std::erase_if(sessions_, [&](const auto& kv) { return kv.second.user == user && kv.first != keep; });
}

std::size_t SessionStore::size() const {
  auto now = clock_();
  std::lock_guard lock(mu_);
  drop_expired(now);
  return sessions_.size();
}

void SessionStore::drop_expired(std::chrono::system_clock::time_point now) const {
  std::erase_if(sessions_, [&](const auto& kv) { return now >= kv.second.expires; });
}

}  // namespace cucm::auth
