// The cluster's identities are made on the first use of a data folder only: never over a
// database that has devices, never when pki/ cannot be read.
#include "cluster/identities.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "cluster/cluster.hpp"
#include "db/device_store.hpp"
#include "db/schema.hpp"

namespace cucm::cluster {
namespace {
namespace fs = std::filesystem;

class Identities : public ::testing::Test {
 protected:
  static Config no_events() {
    Config c;
    c.events = false;
    return c;
  }
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cucm-ids-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(Identities, MadeOnTheFirstUseOfAnEmptyFolderThenKept) {
  bool created = false;
  auto first = open_identities(dir_, &created);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(created);
  auto again = open_identities(dir_, &created);
  ASSERT_TRUE(again);
  EXPECT_FALSE(created);
}

TEST_F(Identities, AMissingPkiBesideADatabaseWithDevicesIsRefused) {
  {
    auto c = Cluster::open(dir_, no_events());
    ASSERT_TRUE(c) << c.error().message;
    db::Device d;
    d.name = "SEP001122334455";
    d.product = "Cisco 7942";
    d.protocol = "SCCP";
    d.profile = "Cisco 7942 - Standard SCCP Encrypted Config";
    ASSERT_TRUE(db::DeviceStore((*c)->db()).add(d));
  }
  fs::remove_all(dir_ / "pki");  // lost, or moved away by mistake
  auto c = Cluster::open(dir_, no_events());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::AlreadyExists);
  EXPECT_NE(c.error().message.find("holds 1 device(s)"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("pki init"), std::string::npos) << c.error().message;
  EXPECT_FALSE(fs::exists(dir_ / "pki"));  // nothing was made
}

// pki/ that cannot be looked into is not an empty pki/ (as root, which passes permission checks,
// a file where the folder should be gives the same kind of error).
TEST_F(Identities, APkiThatCannotBeReadIsRefusedNotReplaced) {
  fs::create_directories(dir_);
  { std::ofstream(dir_ / "pki") << "not a folder"; }
  auto ids = open_identities(dir_);
  ASSERT_FALSE(ids);
  EXPECT_NE(ids.error().message.find("cannot check"), std::string::npos) << ids.error().message;
  EXPECT_NE(ids.error().message.find("callmanager"), std::string::npos) << ids.error().message;
  EXPECT_TRUE(fs::is_regular_file(dir_ / "pki"));
}

}  // namespace
}  // namespace cucm::cluster
