// Transfer slots and the memory budget: one address meets its own cap before the server's, and
// slots and memory come back when a ticket goes.
#include "tftp/admission.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace cucm::tftp {
namespace {

TEST(Admission, OneAddressIsRefusedAtItsOwnCapWhileOthersStillGetSlots) {
  auto a = Admission::create({8, 32, 1 << 20});
  EXPECT_EQ(a->client_slots(), 4u);  // max_per_client 32, but never more than half of 8
  std::vector<Admission::Ticket> flood;
  for (int i = 0; i < 4; ++i) {
    auto v = a->admit("192.0.2.66");
    ASSERT_TRUE(v.ticket) << i;
    flood.push_back(std::move(*v.ticket));
  }
  auto fifth = a->admit("192.0.2.66");
  EXPECT_FALSE(fifth.ticket);
  EXPECT_EQ(fifth.refusal, Refusal::ClientFull);
  EXPECT_TRUE(fifth.first);
  auto sixth = a->admit("192.0.2.66");
  EXPECT_EQ(sixth.refusal, Refusal::ClientFull);
  EXPECT_FALSE(sixth.first);  // the rest of a flood is not worth a log line each
  EXPECT_EQ(a->active_for("192.0.2.66"), 4u);

  auto other = a->admit("192.0.2.10");  // the server has room: another address is served
  ASSERT_TRUE(other.ticket);
  EXPECT_EQ(a->active(), 5u);

  flood.front().release();
  EXPECT_EQ(a->active_for("192.0.2.66"), 3u);
  EXPECT_TRUE(a->admit("192.0.2.66").ticket);  // a slot given back is taken again at once
  flood.clear();
  other.ticket.reset();
  EXPECT_EQ(a->active(), 0u);
}

TEST(Admission, TheServerCapHoldsAcrossAddresses) {
  auto a = Admission::create({4, 1, 1 << 20});
  std::vector<Admission::Ticket> held;
  for (const char* c : {"a", "b", "c", "d"}) held.push_back(std::move(*a->admit(c).ticket));
  auto v = a->admit("e");
  EXPECT_EQ(v.refusal, Refusal::ServerFull);
  EXPECT_EQ(a->admit("a").refusal, Refusal::ClientFull);  // its own cap is met first
  Admission::Ticket moved = std::move(held.back());  // a moved ticket gives its slot back once
  held.pop_back();
  EXPECT_EQ(a->active(), 4u);
  moved.release();
  moved.release();
  EXPECT_EQ(a->active(), 3u);
  EXPECT_TRUE(a->admit("e").ticket);
}

TEST(Admission, MemoryBudgetAndOneAddressHalfOfIt) {
  auto a = Admission::create({100, 32, 1000});
  EXPECT_EQ(a->client_memory(), 500u);
  auto t1 = std::move(*a->admit("a").ticket);
  auto big = t1.charge(600);  // over one address's half
  EXPECT_EQ(big.refusal, Refusal::ClientMemory);
  EXPECT_TRUE(big.first);
  EXPECT_EQ(a->memory_used(), 0u);  // nothing charged
  EXPECT_EQ(t1.charge(400).refusal, Refusal::None);
  auto t2 = std::move(*a->admit("b").ticket);
  EXPECT_EQ(t2.charge(400).refusal, Refusal::None);
  auto t3 = std::move(*a->admit("c").ticket);
  auto over = t3.charge(400);  // 1200 > 1000
  EXPECT_EQ(over.refusal, Refusal::ServerMemory);
  EXPECT_TRUE(over.first);
  EXPECT_FALSE(t3.charge(400).first);
  EXPECT_EQ(a->memory_used(), 800u);
  t1.release();
  EXPECT_EQ(a->memory_used(), 400u);
  EXPECT_EQ(t3.charge(400).refusal, Refusal::None);
  EXPECT_EQ(a->memory_used(), 800u);
}

}  // namespace
}  // namespace cucm::tftp
