// A monotonic counter for the hot paths: one relaxed atomic add, no lock, no allocation.
#pragma once

#include <atomic>
#include <cstdint>

namespace cucm::metrics {

// Relaxed ordering is enough: a scrape needs each value on its own, never an order between two of
// them, and the boot-storm benchmark measures every instruction a request costs the server.
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

}  // namespace cucm::metrics
