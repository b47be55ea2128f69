// Failed logins counted per client address: after max_failures within a window, the address waits
// until that window is over (the admin site's 429 and Retry-After, docs/admin-api.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cucm::auth {

// LoginLimiter::Options. Declared outside the class: a nested struct with default member
// initializers cannot be the default argument `= {}` of its own class's constructor (it is not
// complete there).
struct LoginLimiterOptions {
  int max_failures = 5;
  std::chrono::seconds window{60};  // starts at an address's first failure
  // Addresses remembered at most, so that failures from many addresses cannot grow it without
  // bound; past it, the address whose window started first is forgotten.
  std::size_t max_keys = 4096;
};

class LoginLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Options = LoginLimiterOptions;

  explicit LoginLimiter(Options o = {}, Clock clock = {});  // empty clock: steady_clock::now

  // Seconds (rounded up) until this address may try again, or nullopt when it may now.
  std::optional<std::chrono::seconds> blocked(const std::string& address) const;
  void failed(const std::string& address);
  void succeeded(const std::string& address);  // forgets its failures

 private:
  struct Failures {
    int count = 0;
    std::chrono::steady_clock::time_point since;
  };
  void make_room(std::chrono::steady_clock::time_point now);  // with mu_ held

  Options options_;
  Clock clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Failures> failures_;
};

}  // namespace cucm::auth
