// Failed logins per address, in fixed windows.
#include "auth/login_limiter.hpp"

#include <algorithm>

namespace cucm::auth {

LoginLimiter::LoginLimiter(Options o, Clock clock) : options_(o), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

std::optional<std::chrono::seconds> LoginLimiter::blocked(const std::string& address) const {
  auto now = clock_();
  std::lock_guard lock(mu_);
  auto it = failures_.find(address);
  if (it == failures_.end() || it->second.count < options_.max_failures) return std::nullopt;
  auto until = it->second.since + options_.window;
  if (now >= until) return std::nullopt;
  return std::chrono::ceil<std::chrono::seconds>(until - now);
}

void LoginLimiter::failed(const std::string& address) {
  auto now = clock_();
  std::lock_guard lock(mu_);
  auto it = failures_.find(address);
  if (it != failures_.end() && now >= it->second.since + options_.window) {
    it->second = Failures{0, now};  // the window is over: a new one starts
  }
  if (it == failures_.end()) {
    make_room(now);
    it = failures_.emplace(address, Failures{0, now}).first;
  }
  ++it->second.count;
}

void LoginLimiter::succeeded(const std::string& address) {
  std::lock_guard lock(mu_);
  failures_.erase(address);
}

void LoginLimiter::make_room(std::chrono::steady_clock::time_point now) {
  if (failures_.size() < options_.max_keys) return;
  std::erase_if(failures_, [&](const auto& kv) { return now >= kv.second.since + options_.window; });
  if (failures_.size() < options_.max_keys || failures_.empty()) return;
  auto oldest = std::min_element(failures_.begin(), failures_.end(),
                                 [](const auto& a, const auto& b) { return a.second.since < b.second.since; });
  failures_.erase(oldest);
}

}  // namespace cucm::auth
