// generate_key's supply of ready-made keys, and the tests' pool that uses it: a key is handed out
// once, only for the spec it is, and past the last one keys are generated again.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "core/file_io.hpp"
#include "signer/keys.hpp"
#include "tests/support/key_pool.hpp"

namespace cucm::signer {
namespace {
namespace fs = std::filesystem;

PkeyPtr rsa2048() { return std::move(*generate_key(KeySpec{})); }

TEST(KeySupply, ASuppliedKeyIsUsedAndANullOneMeansGenerate) {
  auto ready = rsa2048();
  auto ready_pem = *private_key_pem(*ready);
  int asked = 0;
  set_key_supply([&](const KeySpec& spec) -> PkeyPtr {
    ++asked;
    if (spec.kind != KeyKind::Rsa) return nullptr;
    return std::move(*load_private_key(ready_pem));
  });
  auto rsa = generate_key(KeySpec{});
  auto ec = generate_key(KeySpec{KeyKind::Ec, 0, "prime256v1"});
  set_key_supply({});
  auto after = generate_key(KeySpec{});
  EXPECT_EQ(asked, 2);
  ASSERT_TRUE(rsa && ec && after);
  EXPECT_TRUE(same_public_key(**rsa, *ready));
  EXPECT_EQ(describe_key(**ec), "EC prime256v1");
  EXPECT_FALSE(same_public_key(**after, *ready));
}

class KeyPoolTest : public ::testing::Test {
 protected:
  void TearDown() override {
    set_key_supply({});
    fs::remove(file_);
  }
  fs::path file_ = fs::temp_directory_path() / ("cucm-key-pool-" + std::to_string(::getpid()) + ".pem");
};

TEST_F(KeyPoolTest, EachKeyIsHandedOutOnceThenKeysAreGenerated) {
  auto a = rsa2048(), b = rsa2048();
  Bytes pem = *private_key_pem(*a);
  auto second = *private_key_pem(*b);
  pem.insert(pem.end(), second.begin(), second.end());
  ASSERT_TRUE(write_file_atomic(file_, pem));
  auto held = test::use_key_pool(file_);
  ASSERT_TRUE(held) << held.error().message;
  EXPECT_EQ(*held, 2u);
  auto ec = generate_key(KeySpec{KeyKind::Ec, 0, "prime256v1"});  // not the pool's kind
  auto rsa3072 = generate_key(KeySpec{KeyKind::Rsa, 3072, ""});   // nor its size
  auto first = rsa2048(), next = rsa2048(), third = rsa2048();
  EXPECT_TRUE(same_public_key(*first, *a));
  EXPECT_TRUE(same_public_key(*next, *b));
  EXPECT_FALSE(same_public_key(*third, *a) || same_public_key(*third, *b));
  EXPECT_EQ(describe_key(**ec), "EC prime256v1");
  EXPECT_EQ(describe_key(**rsa3072), "RSA 3072");
}

TEST_F(KeyPoolTest, AFileWithAnotherKindOfKeyIsRefusedByName) {
  auto ec = generate_key(KeySpec{KeyKind::Ec, 0, "prime256v1"});
  ASSERT_TRUE(write_file_atomic(file_, *private_key_pem(**ec)));
  auto held = test::use_key_pool(file_);
  ASSERT_FALSE(held);
  EXPECT_NE(held.error().message.find("an EC prime256v1 key; the pool takes RSA 2048 keys only"), std::string::npos)
      << held.error().message;
  EXPECT_FALSE(test::use_key_pool(file_.string() + ".missing"));
  ASSERT_TRUE(write_file_atomic(file_, as_bytes("not a key\n")));
  auto empty = test::use_key_pool(file_);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("no '-----BEGIN PRIVATE KEY-----' block"), std::string::npos) << empty.error().message;
}

}  // namespace
}  // namespace cucm::signer

namespace cucm::test {
namespace {

// test_main.cpp gives each test program a new temporary folder: a folder an earlier run left
// under the same name (its process had the same id) must never be taken as this test's own.
TEST(TestMain, EachTestProgramWorksInANewTemporaryFolderOfItsOwn) {
  const char* tmpdir = std::getenv("TMPDIR");
  ASSERT_NE(tmpdir, nullptr);
  std::filesystem::path own(tmpdir);
  EXPECT_EQ(std::filesystem::temp_directory_path(), own);
  EXPECT_EQ(own.filename().string().rfind("cucm-test-", 0), 0u) << own;
  EXPECT_TRUE(std::filesystem::is_directory(own));
  EXPECT_EQ(::access(own.c_str(), W_OK), 0);
  // Made by mkdtemp: the owner's alone.
  auto perms = std::filesystem::status(own).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
}

}  // namespace
}  // namespace cucm::test
