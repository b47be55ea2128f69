// Per-key windows of repeated occurrences.
#include "core/repeat_limiter.hpp"

#include <fmt/format.h>

namespace cucm::core {

RepeatLimiter::Admit RepeatLimiter::admit(std::string_view key, TimePoint now) {
  std::lock_guard lock(mutex_);
  Admit out;
  auto it = windows_.find(std::string(key));
  if (it == windows_.end() && windows_.size() >= o_.max_keys) {
    // Full: forget the ended windows with nothing held (those with a count wait for expire()),
    // else count this key with the other newcomers. At most once a window, so that a flood from
    // many sources does not walk the map per occurrence.
    if (now < last_purge_ || now - last_purge_ >= o_.window) {
      last_purge_ = now;
      std::erase_if(windows_, [&](const auto& kv) { return kv.second.suppressed == 0 && ended(kv.second, now); });
    }
    if (windows_.size() >= o_.max_keys) key = kOverflow;
    it = windows_.find(std::string(key));
  }
  out.key = std::string(key);
  if (it == windows_.end()) {
    windows_.emplace(out.key, Window{now, 1, 0});
    out.pass = true;
    return out;
  }
  Window& w = it->second;
  if (ended(w, now)) {
    out.suppressed = w.suppressed;
    w = Window{now, 1, 0};
    out.pass = true;
  } else if (w.passed < o_.per_window) {
    ++w.passed;
    out.pass = true;
  } else {
    ++w.suppressed;
  }
  return out;
}

std::vector<RepeatLimiter::Held> RepeatLimiter::expire(TimePoint now) {
  std::lock_guard lock(mutex_);
  std::vector<Held> out;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (!over_by(it->second, now)) {
      ++it;
      continue;
    }
    if (it->second.suppressed) out.push_back(Held{it->first, it->second.suppressed});
    it = windows_.erase(it);
  }
  return out;
}

std::size_t RepeatLimiter::keys() const {
  std::lock_guard lock(mutex_);
  return windows_.size();
}

std::string_view peer_address(std::string_view peer) {
  if (peer.starts_with('[')) {
    auto close = peer.find(']');
    return close == std::string_view::npos ? peer : peer.substr(0, close + 1);
  }
  auto colon = peer.find(':');
  if (colon != std::string_view::npos && peer.find(':', colon + 1) == std::string_view::npos) return peer.substr(0, colon);
  return peer;
}

std::string suppressed_note(std::uint64_t suppressed) {
  return suppressed ? fmt::format(" ({} similar lines suppressed)", suppressed) : std::string();
}

std::string log_excerpt(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t used = 0;
  for (; used < text.size(); ++used) {
    auto c = static_cast<unsigned char>(text[used]);
    bool plain = c >= 0x20 && c < 0x7f && c != '\\' && c != '\'' && c != '"';
    std::size_t width = plain ? 1 : 4;
    if (out.size() + width > max_chars) break;
    if (plain) out += static_cast<char>(c);
    else fmt::format_to(std::back_inserter(out), "\\x{:02x}", c);
  }
  if (used < text.size()) fmt::format_to(std::back_inserter(out), "...({} bytes)", text.size());
  return out;
}

}  // namespace cucm::core
