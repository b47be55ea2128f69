// The per-address cap that keeps one client from taking every connection of a server.
#include "core/address_slots.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace cucm::core {
namespace {

using boost::asio::ip::make_address;

TEST(AddressSlots, OneAddressStopsAtItsCapWhileOthersStillGetSlots) {
  auto slots = AddressSlots::make(2);
  auto a1 = slots->take(make_address("127.0.0.2"));
  auto a2 = slots->take(make_address("127.0.0.2"));
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(slots->take(make_address("127.0.0.2")));
  EXPECT_TRUE(slots->take(make_address("127.0.0.3")));
  EXPECT_EQ(slots->held(make_address("127.0.0.2")), 2u);
}

TEST(AddressSlots, ASlotComesBackWhenItsLeaseGoesAndTheMapEmpties) {
  auto slots = AddressSlots::make(1);
  {
    auto lease = slots->take(make_address("10.0.0.5"));
    ASSERT_TRUE(lease);
    AddressSlots::Lease moved = std::move(*lease);  // a moved-from lease gives nothing back
    EXPECT_FALSE(slots->take(make_address("10.0.0.5")));
  }
  EXPECT_EQ(slots->addresses(), 0u);
  EXPECT_TRUE(slots->take(make_address("10.0.0.5")));
}

TEST(AddressSlots, AMappedIpv6AddressIsItsIpv4Address) {
  auto slots = AddressSlots::make(1);
  auto v4 = slots->take(make_address("192.0.2.1"));
  ASSERT_TRUE(v4);
  EXPECT_FALSE(slots->take(make_address("::ffff:192.0.2.1")));
}

TEST(AddressSlots, ZeroMeansNoCap) {
  auto slots = AddressSlots::make(0);
  std::vector<AddressSlots::Lease> held;
  for (int i = 0; i < 1000; ++i) {
    auto l = slots->take(make_address("127.0.0.1"));
    ASSERT_TRUE(l);
    held.push_back(std::move(*l));
  }
  EXPECT_EQ(slots->addresses(), 0u);
}

TEST(AddressSlots, TakenAndGivenBackFromManyThreadsTheCountsAddUp) {
  auto slots = AddressSlots::make(1'000'000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        auto l = slots->take(make_address("127.0.0.1"));
        ASSERT_TRUE(l);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(slots->addresses(), 0u);
}

}  // namespace
}  // namespace cucm::core
