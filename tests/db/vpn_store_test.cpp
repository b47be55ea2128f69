// VPN groups: up to ten headend hashes and their algorithm (migration 010), validation with one
// clear error each, config versions, and a group made before 010 keeping its certHash1.
#include "db/vpn_store.hpp"

#include <unistd.h>

#include "core/encoding.hpp"
#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "db_fixture.hpp"

namespace cucm::db {
namespace {

using test::DbTest;

constexpr const char* kSeedHash = "fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=";  // seed 001, 20 bytes

std::string hash_of(std::size_t size, std::uint8_t fill) { return to_base64(Bytes(size, fill)); }

std::int64_t version(Database& db, const std::string& name) { return DeviceStore(db).get(name)->config_version; }

TEST_F(DbTest, AGroupKeepsTenHashesInOrderAndItsAlgorithm) {
  VpnGroup g{"lab", "https://vpn.example/SSLVPNphone", {}, "sha512"};
  for (std::uint8_t i = 0; i < 10; ++i) g.cert_hashes.push_back(hash_of(64, i));
  ASSERT_TRUE(VpnStore(db()).put(g));
  auto back = VpnStore(db()).get("lab");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->url, g.url);
  EXPECT_EQ(back->hash_alg, "sha512");
  EXPECT_EQ(back->cert_hashes, g.cert_hashes);
  // Replacing the group replaces every hash: fewer hashes leave no old ones behind.
  ASSERT_TRUE(VpnStore(db()).put({"lab", g.url, {kSeedHash}, "sha1"}));
  auto all = VpnStore(db()).list();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().cert_hashes, std::vector<std::string>{kSeedHash});
  EXPECT_EQ(all->front().hash_alg, "sha1");
}

TEST_F(DbTest, BadGroupsAreRefusedWithOneClearError) {
  struct Case {
    const char* name;
    VpnGroup g;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"unknown algorithm", {"lab", "https://x/", {}, "sha256"}, "vpn group hash algorithm 'sha256' vs sha1 or sha512"},
      {"eleven hashes", {"lab", "https://x/", std::vector<std::string>(11, kSeedHash), "sha1"},
       "vpn group 'lab' has 11 certificate hashes vs at most 10 (certHash1 ... certHash10)"},
      {"not base64", {"lab", "https://x/", {kSeedHash, "not*base64"}, "sha1"}, "certHash2 'not*base64' is not base64"},
      {"empty hash", {"lab", "https://x/", {""}, "sha1"}, "certHash1 '' is not base64"},
      {"a SHA-1 hash in a SHA-512 group", {"lab", "https://x/", {kSeedHash}, "sha512"},
       "certHash1 'fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=' is 20 bytes vs 64 for sha512 (the SHA-512 of the headend "
       "certificate's DER)"},
      {"no URL", {"lab", "", {}, "sha1"}, "vpn group needs a name and a URL"},
  };
  for (const auto& c : cases) {
    auto st = VpnStore(db()).put(c.g);
    ASSERT_FALSE(st) << c.name;
    EXPECT_EQ(st.error().code, Errc::InvalidArgument) << c.name;
    EXPECT_EQ(st.error().message, c.message) << c.name;
  }
  EXPECT_TRUE(VpnStore(db()).list()->empty());
  auto unknown = VpnStore(db()).get("nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::NotFound);
}

TEST_F(DbTest, ChangingAGroupsHashesOrAlgorithmBumpsItsDevicesConfigVersion) {
  ASSERT_TRUE(VpnStore(db()).put({"lab", "https://x/", {kSeedHash}, "sha1"}));
  Device d;
  d.name = "SEP001122334455";
  d.product = "Cisco 8845";
  d.protocol = "SIP";
  d.profile = test::kUniversal;
  d.vpn_group = "lab";
  ASSERT_TRUE(DeviceStore(db()).add(d));
  auto v0 = version(db(), d.name);
  ASSERT_TRUE(VpnStore(db()).put({"lab", "https://x/", {kSeedHash, hash_of(20, 7)}, "sha1"}));  // a certHash2
  auto v1 = version(db(), d.name);
  EXPECT_GT(v1, v0);
  ASSERT_TRUE(VpnStore(db()).put({"lab", "https://x/", {hash_of(64, 1)}, "sha512"}));
  EXPECT_GT(version(db(), d.name), v1);
}

TEST_F(DbTest, TheSha512CodeIsASettingWithALabDefault) {
  SettingsStore s(db());
  EXPECT_EQ(s.all()->at("vpn_sha512_hash_alg"), "1");
  EXPECT_EQ(s.settings()->vpn_sha512_hash_alg, 1);
  ASSERT_TRUE(s.set("vpn_sha512_hash_alg", "2"));
  EXPECT_EQ(s.settings()->vpn_sha512_hash_alg, 2);
  for (const char* bad : {"0", "256", "sha512"}) {
    auto st = s.set("vpn_sha512_hash_alg", bad);
    ASSERT_FALSE(st) << bad;
    EXPECT_NE(st.error().message.find("(0 is SHA-1)"), std::string::npos) << st.error().message;
  }
}

// A group made before migration 010 (one certHash1 column) keeps it as its first hash, with SHA-1.
TEST(Schema, AVpnGroupFromBeforeMigration010KeepsItsCertHash1) {
  auto dir = std::filesystem::temp_directory_path() / ("cucm-db-vpn-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto db = Database::open(dir / "cucm.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 8));  // the last migration before VPN headends
    ASSERT_TRUE(db->exec("INSERT INTO vpn_group (name, url, cert_hash1) "
                         "VALUES ('old', 'https://10.201.160.201/SSLVPNphone', 'fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=')"));
  }
  auto db = open_cluster_db(dir);
  ASSERT_TRUE(db) << db.error().message;
  auto g = VpnStore(*db).get("old");
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->url, "https://10.201.160.201/SSLVPNphone");
  EXPECT_EQ(g->hash_alg, "sha1");
  EXPECT_EQ(g->cert_hashes, std::vector<std::string>{kSeedHash});
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cucm::db
