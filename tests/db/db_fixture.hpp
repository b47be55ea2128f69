// A fresh migrated database in a temp directory per test.
#pragma once

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "db/schema.hpp"

namespace cucm::db::test {

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cucm-db-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto d = open_cluster_db(dir_);
    ASSERT_TRUE(d) << d.error().message;
    db_.emplace(std::move(*d));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  Database& db() { return *db_; }
  std::filesystem::path dir_;
  std::optional<Database> db_;
};

inline constexpr const char* kEncryptedProfile = "Cisco 7942 - Standard SCCP Encrypted Config";
inline constexpr const char* kUniversal = "Universal Device Template - Model-independent Security Profile";

}  // namespace cucm::db::test
