// Bounds what a flood of one repeated thing costs: a log line or an event per refused request
// becomes at most `per_window` per key and window, and the rest one count, told once the window
// is over. The time is passed in (tests step it), so nothing here reads a clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cucm::core {

class RepeatLimiter {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  struct Options {
    std::size_t per_window = 10;                  // occurrences of a key that pass per window
    std::chrono::milliseconds window{1000};
    std::size_t max_keys = 4096;                  // keys tracked at once; past it, new keys share kOverflow (one more key)
  };
  // The key new keys share once max_keys are tracked (many sources at once: one count for them).
  static constexpr std::string_view kOverflow = "*";

  struct Admit {
    bool pass = false;             // log or record this occurrence
    std::uint64_t suppressed = 0;  // occurrences held back in the key's window that just ended
    std::string key;               // the key counted: the one given, or kOverflow
  };
  struct Held {
    std::string key;
    std::uint64_t suppressed = 0;
  };

  RepeatLimiter() : RepeatLimiter(Options{}) {}
  explicit RepeatLimiter(Options o) : o_(o) {}

  // One occurrence of `key` at `now`. A time before the key's window (the clock went back)
  // starts a new window.
  Admit admit(std::string_view key, TimePoint now);
  // The keys whose window has ended with occurrences held back, which they forget; ended
  // windows with nothing held are forgotten too. For a caller that reports counts when a flood
  // stops, not only when the key comes back.
  std::vector<Held> expire(TimePoint now);
  std::size_t keys() const;

 private:
  struct Window {
    TimePoint start;
    std::size_t passed = 0;
    std::uint64_t suppressed = 0;
  };
  // A time before the window's start is a clock set back: the occurrence starts a new window.
  bool ended(const Window& w, TimePoint now) const { return now < w.start || now - w.start >= o_.window; }
  // For expire(), whose caller read `now` before taking the lock: an occurrence admitted meanwhile
  // may have started a window after it, which that stale time must not end (it would let a second
  // `per_window` through at once).
  bool over_by(const Window& w, TimePoint now) const { return now >= w.start && now - w.start >= o_.window; }

  Options o_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
  TimePoint last_purge_{};
};

// The address of a peer written "10.0.0.5:51234" or "[::1]:51234" (as the servers write them),
// without the port: the key of a source whatever port it sends from. Other text is returned whole.
std::string_view peer_address(std::string_view peer);

// " (N similar lines suppressed)" after a line that a limiter let through, or nothing.
std::string suppressed_note(std::uint64_t suppressed);

// `text` as it may go into a log line: bytes outside printable ASCII, the backslash and the quote
// as \xNN, at most `max_chars` characters of it, then "...(N bytes)" when it was longer.
std::string log_excerpt(std::string_view text, std::size_t max_chars = 128);

}  // namespace cucm::core
