// Histogram: which bucket an observation lands in, the snapshot's cumulative counts, and no
// observation lost when several threads observe at once.
#include "metrics/histogram.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "metrics/counter.hpp"
#include "metrics/gauge.hpp"

namespace cucm::metrics {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(Histogram, BucketBoundsAreInclusive) {
  constexpr std::array<double, 2> kBounds{0.5, 1};
  Histogram h(kBounds);
  h.observe(nanoseconds(-5));          // a clock that went back: counted as zero
  h.observe(milliseconds(500));        // on the first bound
  h.observe(nanoseconds(500'000'001));  // just past it
  h.observe(milliseconds(1000));
  h.observe(milliseconds(1001));
  auto s = h.snapshot();
  ASSERT_EQ(s.cumulative.size(), 3u);
  EXPECT_EQ(s.cumulative[0], 2u);
  EXPECT_EQ(s.cumulative[1], 4u);
  EXPECT_EQ(s.cumulative[2], 5u);
  EXPECT_EQ(s.count(), 5u);
  EXPECT_DOUBLE_EQ(s.sum_seconds, 0.5 + 0.500000001 + 1 + 1.001);
}

TEST(Histogram, KeepsItsBounds) {
  Histogram h(kSlowSeconds);
  ASSERT_EQ(h.bounds().size(), kSlowSeconds.size());
  EXPECT_EQ(h.bounds().front(), 0.001);
  EXPECT_EQ(h.bounds().back(), 60);
  EXPECT_EQ(h.snapshot().cumulative.size(), kSlowSeconds.size() + 1);
}

TEST(Histogram, ConcurrentObservationsAreAllCounted) {
  Histogram h(kFastSeconds);
  Counter c;
  Gauge g;
  constexpr int kThreads = 4, kEach = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        h.observe(std::chrono::microseconds((i * 37 + t) % 20'000));
        c.inc();
        g.add();
        g.sub();
      }
    });
  }
  for (auto& th : threads) th.join();
  auto s = h.snapshot();
  EXPECT_EQ(s.count(), static_cast<std::uint64_t>(kThreads * kEach));
  for (std::size_t i = 1; i < s.cumulative.size(); ++i) EXPECT_LE(s.cumulative[i - 1], s.cumulative[i]);
  EXPECT_EQ(c.value(), static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_EQ(g.value(), 0);
}

}  // namespace
}  // namespace cucm::metrics
