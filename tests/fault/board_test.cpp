// The live board's address book (fault::Board::seen_at / take_at): how a fault that acts before
// the phone names itself (a CAPF TLS handshake) finds its device, on a real migrated database.
#include "fault/board.hpp"

#include <gtest/gtest.h>

#include "db/device_store.hpp"
#include "db/schema.hpp"
#include "tests/db/db_fixture.hpp"

namespace cucm::fault {
namespace {

class BoardAddresses : public db::test::DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    for (const char* name : {"SEP001122334455", "SEP00112233AABB"}) {
      db::Device d;
      d.name = name;
      d.product = "Cisco 7942";
      d.protocol = "SCCP";
      d.profile = db::test::kEncryptedProfile;
      ASSERT_TRUE(db::DeviceStore(db()).add(d));
    }
    auto b = Board::start([this] { return db::open_cluster_db(dir_); });
    ASSERT_TRUE(b) << b.error().message;
    board_ = std::move(*b);
  }
  void arm(const std::string& fault, const std::string& device) {
    ArmRequest r;
    r.fault = fault;
    r.device = device;
    r.all = device.empty();
    ASSERT_TRUE(FaultStore(db()).arm(r, std::chrono::system_clock::now()));
    board_->refresh();
  }
  static bool tls(const FaultSpec& s) { return s.name == "capf-tls-1.0-only"; }

  std::unique_ptr<Board> board_;
};

TEST_F(BoardAddresses, AFaultArmedForADeviceActsOnTheAddressItsFilesWentTo) {
  arm("capf-tls-1.0-only", "SEP001122334455");
  board_->seen_at("127.0.0.7", "SEP00112233AABB");
  EXPECT_FALSE(board_->take_at(Layer::Capf, "127.0.0.7", tls));  // another device's address
  EXPECT_FALSE(board_->take_at(Layer::Capf, "127.0.0.8", tls));  // an address never seen
  board_->seen_at("127.0.0.8", "SEP001122334455");
  auto a = board_->take_at(Layer::Capf, "127.0.0.8", tls);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->device, "SEP001122334455");
  EXPECT_EQ(a->spec->name, "capf-tls-1.0-only");
  // The phone moved: its new address, not the old one.
  board_->seen_at("127.0.0.9", "SEP001122334455");
  board_->seen_at("127.0.0.8", "SEP00112233AABB");
  EXPECT_FALSE(board_->take_at(Layer::Capf, "127.0.0.8", tls));
  EXPECT_TRUE(board_->take_at(Layer::Capf, "127.0.0.9", tls));
}

TEST_F(BoardAddresses, AFaultForEveryDeviceActsOnAnyAddressAndNamesNoDeviceItDoesNotKnow) {
  arm("capf-tls-1.0-only", "");
  auto a = board_->take_at(Layer::Capf, "127.0.0.50", tls);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->device.empty());
  board_->seen_at("127.0.0.51", "SEP00112233AABB");
  a = board_->take_at(Layer::Capf, "127.0.0.51", tls);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->device, "SEP00112233AABB");
}

TEST_F(BoardAddresses, NothingIsNotedWhileNothingIsArmedAndTheBookIsBounded) {
  board_->seen_at("127.0.0.60", "SEP001122334455");  // nothing armed: not kept
  arm("capf-tls-1.0-only", "SEP001122334455");
  EXPECT_FALSE(board_->take_at(Layer::Capf, "127.0.0.60", tls));
  board_->seen_at("127.0.0.61", "SEP001122334455");
  for (std::size_t i = 0; i < Board::kMaxAddresses; ++i) board_->seen_at("10.0.0." + std::to_string(i), "SEP00112233AABB");
  EXPECT_FALSE(board_->take_at(Layer::Capf, "127.0.0.61", tls)) << "the oldest address should have gone";
}

}  // namespace
}  // namespace cucm::fault
