// A latency histogram with fixed bucket bounds, made at start-up: observing costs a short scan of
// the bounds and two relaxed atomic adds, no lock and no allocation.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace cucm::metrics {

// Bounds (seconds) for what takes milliseconds: an HTTP request, a catalog build (a query and a
// signature), a TVS question.
inline constexpr std::array<double, 14> kFastSeconds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1,     2.5,  5,     10};
// Bounds (seconds) for what can take a minute: a TFTP transfer of a firmware load over a lossy
// link, a CAPF session that waits for a phone to generate its key.
inline constexpr std::array<double, 15> kSlowSeconds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,      2.5,   5,    10,    30,   60};

class Histogram {
 public:
  static constexpr std::size_t kMaxBounds = 24;

  // `bounds_seconds`: finite upper bounds, strictly increasing, at most kMaxBounds; the +Inf bucket
  // is implied. They are constants of ours, so a bad list is a bug: asserted, and cut at the first
  // bad bound in a release build.
  explicit Histogram(std::span<const double> bounds_seconds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Counts `d` in the first bucket whose bound is at least `d` (Prometheus' `le`). A negative
  // duration counts as zero.
  void observe(std::chrono::nanoseconds d) noexcept;

  std::span<const double> bounds() const { return {bounds_.data(), size_}; }

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf: each counts the ones before it
    double sum_seconds = 0;
    std::uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
  };
  // The counts as of now. Taken while others observe, the sum may include an observation that
  // the buckets do not yet show (or the reverse); the count is the +Inf bucket, so they agree.
  Snapshot snapshot() const;

 private:
  std::array<double, kMaxBounds> bounds_{};
  std::array<std::int64_t, kMaxBounds> bounds_ns_{};  // the same in nanoseconds: integer compares
  std::size_t size_ = 0;
  std::array<std::atomic<std::uint64_t>, kMaxBounds + 1> buckets_{};  // not cumulative
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace cucm::metrics
