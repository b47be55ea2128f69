// The read-only inspection doctor runs: what it finds in healthy, damaged, foreign, newer and
// older databases, and that it leaves the folder as it found it (no -wal or -shm made).
#include "db/inspect.hpp"

#include <unistd.h>

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "core/file_io.hpp"
#include "db/schema.hpp"

namespace cucm::db {
namespace {
namespace fs = std::filesystem;

class InspectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cucm-inspect-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.insert(e.path().filename().string());
    return names;
  }
  void make_database() const { ASSERT_TRUE(open_cluster_db(dir_)); }  // closed again at once
  // Overwrites `n` bytes at `offset` of cucm.db with a pattern no page holds.
  void damage(std::size_t offset, std::size_t n) const {
    std::fstream f(dir_ / "cucm.db", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    for (std::size_t i = 0; i < n; ++i) f.put(static_cast<char>(0xA5 ^ (i * 7)));
  }
  fs::path dir_;
};

TEST_F(InspectTest, AHealthyDatabaseIsOkAtTheLatestSchemaAndKeepsNoSideFiles) {
  make_database();
  auto before = files();
  auto r = inspect_cluster_db(dir_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->schema_version, static_cast<int>(migrations().size()));
  EXPECT_EQ(r->known_version, r->schema_version);
  EXPECT_EQ(r->devices, 0);
  EXPECT_EQ(files(), before);  // no cucm.db-wal or -shm left by a read-only reader
}

TEST_F(InspectTest, ReadsBesideAnOpenConnection) {
  auto db = open_cluster_db(dir_);  // as serve holds it: -wal and -shm exist
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("INSERT INTO cluster_setting(key, value) VALUES('doctor_test', 'x')"));
  auto r = inspect_cluster_db(dir_);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ok());
}

TEST_F(InspectTest, NoDatabaseIsNotFoundAndMakesNone) {
  auto r = inspect_cluster_db(dir_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotFound);
  EXPECT_TRUE(files().empty());
}

TEST_F(InspectTest, AFileThatIsNotSqliteIsInvalidArgument) {
  ASSERT_TRUE(write_file_atomic(dir_ / "cucm.db", as_bytes(std::string(8192, 'x'))));
  auto r = inspect_cluster_db(dir_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::InvalidArgument);
  EXPECT_NE(r.error().message.find("not a database"), std::string::npos) << r.error().message;
}

TEST_F(InspectTest, DamagedPagesFailTheIntegrityCheck) {
  make_database();
  auto size = fs::file_size(dir_ / "cucm.db");
  ASSERT_GT(size, 16384u);
  damage(size / 2, 4096);  // the middle of the file: table and index pages, not the header
  auto r = inspect_cluster_db(dir_);
  if (r) {
    EXPECT_FALSE(r->ok());
    EXPECT_LE(r->integrity.size(), static_cast<std::size_t>(kMaxIntegrityLines));
  } else {
    EXPECT_EQ(r.error().code, Errc::InvalidArgument) << r.error().message;  // too damaged to read at all
  }
}

TEST_F(InspectTest, ReportsASchemaNewerOrOlderThanThisProgram) {
  int known = static_cast<int>(migrations().size());
  {
    auto db = Database::open(dir_ / "cucm.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 4));
  }
  auto older = inspect_cluster_db(dir_);
  ASSERT_TRUE(older) << older.error().message;
  EXPECT_EQ(older->schema_version, 4);
  EXPECT_EQ(older->known_version, known);
  {
    auto db = Database::open(dir_ / "cucm.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("PRAGMA user_version = " + std::to_string(known + 1)));  // a migration we lack
  }
  auto newer = inspect_cluster_db(dir_);
  ASSERT_TRUE(newer) << newer.error().message;
  EXPECT_TRUE(newer->ok());
  EXPECT_EQ(newer->schema_version, known + 1);
}

}  // namespace
}  // namespace cucm::db
