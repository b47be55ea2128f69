// Migrations on fresh, older and newer databases, and the seed's query verbatim.
#include "db/schema.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "db_fixture.hpp"

namespace cucm::db {
namespace {

using test::DbTest;

TEST_F(DbTest, FreshDatabaseIsAtTheLatestVersionWithStandardProfiles) {
  EXPECT_EQ(schema_version(db()), static_cast<int>(migrations().size()));
  auto s = db().prepare("SELECT count(*) FROM security_profile WHERE builtin = 1");
  ASSERT_TRUE(s);
  ASSERT_TRUE(*s->step());
  EXPECT_GE(s->int64(0), 5);
  auto settings = SettingsStore(db()).settings();
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->capf_port, 3804);
  EXPECT_EQ(settings->http_port, 6970);
  EXPECT_EQ(settings->tvs_port, 2445);
  EXPECT_FALSE(settings->mixed_mode);
  auto mode = db().prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode && *mode->step());
  EXPECT_EQ(mode->text(0), "wal");
  auto fk = db().prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(fk && *fk->step());
  EXPECT_EQ(fk->int64(0), 1);
}

TEST_F(DbTest, SeedQueryWorksVerbatim) {
  Device d;
  d.name = "SEPA45630BBFA40";
  d.product = "Cisco 7942";
  d.protocol = "SCCP";
  d.profile = test::kEncryptedProfile;
  ASSERT_TRUE(DeviceStore(db()).add(d));
  RecordedCert c;
  c.type = "LSC";
  c.der = {1, 2, 3};
  c.public_key = {4, 5, 6};
  c.md5hash = "6e566143c1c14566c9da943d949a79c8";
  ASSERT_TRUE(DeviceStore(db()).record_certificate(d.name, c));
  auto s = db().prepare("select md5hash,name from device where name='SEPA45630BBFA40'");
  ASSERT_TRUE(s);
  ASSERT_TRUE(*s->step());
  EXPECT_EQ(s->column_name(0), "md5hash");
  EXPECT_EQ(s->column_name(1), "name");
  EXPECT_EQ(s->text(0), "6e566143c1c14566c9da943d949a79c8");
  EXPECT_EQ(s->text(1), "SEPA45630BBFA40");
}

TEST(Schema, OlderDatabaseMigratesAndKeepsItsData) {
  auto dir = std::filesystem::temp_directory_path() / ("cucm-db-old-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto db = Database::open(dir / "cucm.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 1));  // a database made by a release that had only migration 001
    EXPECT_EQ(schema_version(*db), 1);
    ASSERT_TRUE(db->exec("INSERT INTO security_profile (name, product, protocol, security_mode) "
                         "VALUES ('Lab', 'Cisco 7942', 'SCCP', 1)"));
    ASSERT_TRUE(db->exec("INSERT INTO device (name, product, protocol, profile_id, md5hash) "
                         "VALUES ('SEP001122334455', 'Cisco 7942', 'SCCP', 1, 'abc')"));
  }
  auto db = open_cluster_db(dir);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(schema_version(*db), static_cast<int>(migrations().size()));
  auto d = DeviceStore(*db).get("SEP001122334455");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->profile, "Lab");
  EXPECT_EQ(d->md5hash, "abc");
  std::filesystem::remove_all(dir);
}

// A cluster made before itl_version existed (schema 5) keeps serving the 1.0 ITL it served, the
// setting shows in `cluster show`, and changing it moves the epoch that keys the cached ITL.
TEST(Schema, ItlVersionArrivesAsOneZeroAndMovesTheEpoch) {
  auto dir = std::filesystem::temp_directory_path() / ("cucm-db-itl-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto db = Database::open(dir / "cucm.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 5));
    EXPECT_EQ(SettingsStore(*db).all()->count("itl_version"), 0u);
    EXPECT_EQ(SettingsStore(*db).settings()->itl_version, "1.0");
  }
  auto db = open_cluster_db(dir);
  ASSERT_TRUE(db) << db.error().message;
  SettingsStore s(*db);
  EXPECT_EQ(s.all()->at("itl_version"), "1.0");
  auto epoch = [&] {
    auto st = db->prepare("SELECT version FROM cluster_epoch");
    return st && *st->step() ? st->int64(0) : -1;
  };
  auto before = epoch();
  ASSERT_TRUE(s.set("itl_version", "1.1"));
  EXPECT_EQ(s.settings()->itl_version, "1.1");
  EXPECT_GT(epoch(), before);
  auto bad = s.set("itl_version", "1.2");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("1.0, or 1.1"), std::string::npos) << bad.error().message;
  std::filesystem::remove_all(dir);
}

TEST(Schema, NewerDatabaseIsRefused) {
  auto dir = std::filesystem::temp_directory_path() / ("cucm-db-new-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto db = Database::open(dir / "cucm.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("PRAGMA user_version = 999"));
  }
  auto db = open_cluster_db(dir);
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("schema version 999"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_F(DbTest, TransactionRollsBackUnlessCommitted) {
  {
    auto tx = Transaction::begin(db());
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db().exec("INSERT INTO cluster_setting (key, value) VALUES ('load.X', 'y')"));
  }
  auto s = db().prepare("SELECT count(*) FROM cluster_setting WHERE key = 'load.X'");
  ASSERT_TRUE(s && *s->step());
  EXPECT_EQ(s->int64(0), 0);
}

TEST_F(DbTest, SettingsAreValidated) {
  SettingsStore s(db());
  EXPECT_TRUE(s.set("capf_port", "13804"));
  EXPECT_EQ(s.settings()->capf_port, 13804);
  EXPECT_FALSE(s.set("capf_port", "70000"));
  EXPECT_FALSE(s.set("capf_port", "abc"));
  EXPECT_FALSE(s.set("mixed_mode", "yes"));
  auto unknown = s.set("frobnicate", "1");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown setting"), std::string::npos);
  EXPECT_TRUE(s.set("load.Cisco 9971", "sip9971.9-4-2"));
  EXPECT_EQ(s.settings()->default_loads["Cisco 9971"], "sip9971.9-4-2");
}

// Found driving a fleet while importing devices: opening the database a second time in one
// process (serve opens several connections) closed a descriptor of its own on the file, which
// drops every POSIX lock the process held on it. Another process closing its connection then
// saw itself as the last user, checkpointed and deleted the WAL under ours, and the next write
// left "database disk image is malformed".
TEST(Schema, ASecondConnectionInOneProcessKeepsTheFirstOnesLocks) {
  auto dir = std::filesystem::temp_directory_path() / ("cucm-locks-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto first = open_cluster_db(dir);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->exec("CREATE TABLE probe (x); INSERT INTO probe VALUES (1)"));
  auto second = open_cluster_db(dir);  // as serve opens the event writer's and CAPF's
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_TRUE(second->exec("INSERT INTO probe VALUES (2)"));
  // Another process (the sqlite3 shell, as an admin command would) writes and closes.
  std::string cmd = "sqlite3 '" + (dir / "cucm.db").string() + "' 'INSERT INTO probe VALUES (3);'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_TRUE(std::filesystem::exists(dir / "cucm.db-wal")) << "the WAL of open connections was deleted";
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(first->exec("INSERT INTO probe VALUES (4)"));
  first = make_error(Errc::Internal, "closed");
  second = make_error(Errc::Internal, "closed");
  auto check = open_cluster_db(dir);
  ASSERT_TRUE(check);
  auto ok = check->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(ok);
  auto row = ok->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(ok->text(0), "ok");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cucm::db

namespace cucm::db {
namespace {

// The database holds line passwords and CAPF authentication strings: 0600 for it and its WAL,
// 0700 for a data folder made here, even under umask 000; a file left 0644 is tightened.
TEST(Schema, DatabaseAndItsFolderAreTheOwnersAloneWhateverTheUmask) {
  auto dir = std::filesystem::temp_directory_path() / ("cucm-perms-" + std::to_string(::getpid())) / "data";
  std::filesystem::remove_all(dir.parent_path());
  mode_t old = ::umask(0);
  auto mode = [](const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
  };
  {
    auto db = open_cluster_db(dir);
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(db->exec("CREATE TABLE probe (x); INSERT INTO probe VALUES (1)"));  // the WAL now exists
    EXPECT_EQ(mode(dir), 0700u);
    EXPECT_EQ(mode(dir / "cucm.db"), 0600u);
    EXPECT_EQ(mode(dir / "cucm.db-wal"), 0600u);
    EXPECT_EQ(mode(dir / "cucm.db-shm"), 0600u);
  }
  ASSERT_EQ(::chmod((dir / "cucm.db").c_str(), 0644), 0);  // as older versions left it
  {
    auto db = open_cluster_db(dir);
    ASSERT_TRUE(db);
    EXPECT_EQ(mode(dir / "cucm.db"), 0600u);
  }
  ::umask(old);
  std::filesystem::remove_all(dir.parent_path());
}

}  // namespace
}  // namespace cucm::db
