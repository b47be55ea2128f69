// Settings read per cluster epoch, and read transactions: a change committed by another
// connection (the CLI, the sqlite3 shell, another process) is seen by the very next read.
#include "db/settings_store.hpp"

#include "db/schema.hpp"
#include "db_fixture.hpp"

namespace cucm::db {
namespace {

using test::DbTest;

class SettingsCacheTest : public DbTest {
 protected:
  // Another connection, with no commit counter shared with the first: to SQLite and to the
  // cache it is another process.
  Database& other() {
    if (!other_) {
      auto d = Database::open(dir_ / "cucm.db");
      EXPECT_TRUE(d) << d.error().message;
      other_.emplace(std::move(*d));
    }
    return *other_;
  }
  void TearDown() override {
    other_.reset();
    DbTest::TearDown();
  }
  std::optional<Database> other_;
};

TEST_F(SettingsCacheTest, KeepsTheSettingsWhileTheEpochStands) {
  SettingsCache cache;
  auto a = cache.get(db());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->settings->capf_port, 3804);
  auto b = cache.get(db());
  ASSERT_TRUE(b);
  EXPECT_EQ(a->settings, b->settings);  // not read again
  EXPECT_EQ(a->epoch, b->epoch);
  // A write elsewhere that is not a setting leaves them.
  ASSERT_TRUE(other().exec("UPDATE security_profile SET description = 'x' WHERE builtin = 0"));
  EXPECT_EQ(cache.get(db())->settings, a->settings);
}

TEST_F(SettingsCacheTest, SeesEveryKindOfChangeFromAnotherConnection) {
  SettingsCache cache;
  ASSERT_TRUE(cache.get(db()));
  ASSERT_TRUE(SettingsStore(other()).set("capf_port", "4804"));  // insert or update, as the CLI
  auto a = cache.get(db());
  ASSERT_TRUE(a);
  EXPECT_EQ(a->settings->capf_port, 4804);
  // Plain SQL, as the sqlite3 shell writes: an update, an insert and a delete, each seen.
  ASSERT_TRUE(other().exec("UPDATE cluster_setting SET value = '1' WHERE key = 'mixed_mode'"));
  EXPECT_TRUE(cache.get(db())->settings->mixed_mode);
  ASSERT_TRUE(other().exec("INSERT INTO cluster_setting (key, value) VALUES ('load.SCCP.Cisco 7975', 'X')"));
  EXPECT_EQ(cache.get(db())->settings->default_loads.at("SCCP.Cisco 7975"), "X");
  ASSERT_TRUE(other().exec("DELETE FROM cluster_setting WHERE key = 'capf_port'"));
  EXPECT_EQ(cache.get(db())->settings->capf_port, 3804);  // back to the default
}

TEST_F(SettingsCacheTest, ReadTransactionSeesOneSnapshotAndNestsAsNothing) {
  SettingsCache cache;
  {
    auto tx = ReadTransaction::begin(db());
    ASSERT_TRUE(tx) << tx.error().message;
    auto before = SettingsStore(db()).epoch();
    ASSERT_TRUE(before);
    EXPECT_EQ(cache.get(db())->settings->node_address, SettingsStore(db()).settings()->node_address);
    ASSERT_TRUE(SettingsStore(other()).set("node_address", "192.0.2.10"));
    {
      auto nested = ReadTransaction::begin(db());  // does nothing: the outer one goes on
      ASSERT_TRUE(nested);
    }
    EXPECT_EQ(*SettingsStore(db()).epoch(), *before);  // still the snapshot
    EXPECT_NE(cache.get(db())->settings->node_address, "192.0.2.10");
  }
  EXPECT_EQ(cache.get(db())->settings->node_address, "192.0.2.10");  // ended: the change is seen
  // A write transaction can start right after: the read transaction left nothing open.
  ASSERT_TRUE(SettingsStore(db()).set("node_address", "192.0.2.11"));
  EXPECT_EQ(cache.get(db())->settings->node_address, "192.0.2.11");
}

}  // namespace
}  // namespace cucm::db
