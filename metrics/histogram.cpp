// Histogram: bucket search and the cumulative snapshot.
#include "metrics/histogram.hpp"

#include <cassert>
#include <cmath>

namespace cucm::metrics {

Histogram::Histogram(std::span<const double> bounds_seconds) {
  for (double b : bounds_seconds) {
    bool valid = size_ < kMaxBounds && std::isfinite(b) && (size_ == 0 || b > bounds_[size_ - 1]);
    assert(valid && "histogram bounds must be finite, increasing and at most kMaxBounds");
    if (!valid) break;
    bounds_[size_] = b;
    bounds_ns_[size_] = std::llround(b * 1e9);
    ++size_;
  }
}

void Histogram::observe(std::chrono::nanoseconds d) noexcept {
  std::int64_t ns = d.count() < 0 ? 0 : static_cast<std::int64_t>(d.count());
  std::size_t i = 0;
  while (i < size_ && ns > bounds_ns_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(ns), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.reserve(size_ + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= size_; ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

}  // namespace cucm::metrics
