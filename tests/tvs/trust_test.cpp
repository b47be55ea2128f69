// The TVS trust store: rows from certificates, the cluster's identities mirrored, admin rows kept.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "core/encoding.hpp"
#include "db/schema.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "tvs/trust.hpp"

namespace cucm::tvs {
namespace {
namespace fs = std::filesystem;

class TrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cucm-tvs-trust-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto pki = signer::ClusterPki::load_or_create(dir_, {});
    ASSERT_TRUE(pki) << pki.error().message;
    pki_.emplace(std::move(*pki));
    auto db = db::open_cluster_db(dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_.emplace(std::move(*db));
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }
  static signer::X509Ptr cert(const std::string& cn) {
    auto key = signer::generate_key({});
    signer::CertRequest r;
    r.subject = {{"CN", cn}};
    return std::move(*signer::make_self_signed(**key, r));
  }
  static std::string sha(const X509& c) { return to_hex(signer::digest(signer::HashAlg::Sha256, signer::cert_der(c))); }

  fs::path dir_;
  std::optional<signer::ClusterPki> pki_;
  std::optional<db::Database> db_;
};

TEST_F(TrustTest, TheClusterIdentitiesAreMirroredWithTheirRoles) {
  auto changed = mirror_cluster_identities(*db_, *pki_);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(*changed);
  auto again = mirror_cluster_identities(*db_, *pki_);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);  // nothing to do the second time
  struct Want {
    signer::PkiRole role;
    std::vector<std::uint8_t> roles;
  };
  for (auto w : {Want{signer::PkiRole::CallManager, {2}}, Want{signer::PkiRole::ItlRecovery, {0}},
                 Want{signer::PkiRole::Capf, {4}}, Want{signer::PkiRole::Tvs, {21}},
                 Want{signer::PkiRole::Https, {3}}}) {
    auto found = look_up(*db_, sha(*pki_->identity(w.role).cert));
    ASSERT_TRUE(found && *found) << signer::pki_role_name(w.role);
    EXPECT_EQ((*found)->roles, w.roles) << signer::pki_role_name(w.role);
    EXPECT_EQ((*found)->ttl, kDefaultTtl);
  }
}

TEST_F(TrustTest, ARotatedIdentityLeavesAndItsSuccessorComes) {
  ASSERT_TRUE(mirror_cluster_identities(*db_, *pki_));
  std::string old_sha = sha(*pki_->identity(signer::PkiRole::Tvs).cert);
  // A new TVS key and certificate, as an import or a rotation makes.
  auto key = signer::generate_key({});
  signer::CertRequest r;
  r.subject = {{"CN", "TVS-new"}};
  auto c = signer::make_self_signed(**key, r);
  ASSERT_TRUE(pki_->import(signer::PkiRole::Tvs, signer::cert_pem(**c), *signer::private_key_pem(**key), {}));
  auto changed = mirror_cluster_identities(*db_, *pki_);
  ASSERT_TRUE(changed && *changed);
  EXPECT_FALSE(*look_up(*db_, old_sha));
  auto now = look_up(*db_, sha(**c));
  ASSERT_TRUE(now && *now);
  EXPECT_EQ((*now)->roles, std::vector<std::uint8_t>{21});
}

TEST_F(TrustTest, AnAdminRowStaysAndAnswersWithItsRolesAndTtl) {
  auto c = cert("directory.lab");
  auto row = trust_row(*c, {signer::Role::AppServer, signer::Role::Tftp, signer::Role::AppServer}, 3600, "admin");
  ASSERT_TRUE(row) << row.error().message;
  EXPECT_EQ(row->roles, "TFTP,APP-SERVER");  // code order, no repeats
  db::TrustStore store(*db_);
  ASSERT_TRUE(store.put(*row));
  ASSERT_TRUE(mirror_cluster_identities(*db_, *pki_));
  auto found = look_up(*db_, sha(*c));
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->roles, (std::vector<std::uint8_t>{3, 7}));
  EXPECT_EQ((*found)->ttl, 3600u);
  auto gone = store.remove(row->sha256.substr(0, 12));
  ASSERT_TRUE(gone) << gone.error().message;
  EXPECT_EQ(gone->subject, "CN=directory.lab");
  EXPECT_FALSE(*look_up(*db_, sha(*c)));
  EXPECT_EQ(store.remove(row->sha256).error().code, Errc::NotFound);
  EXPECT_EQ(store.remove("abc").error().code, Errc::InvalidArgument);
}

TEST_F(TrustTest, BadRowsAreRefused) {
  auto c = cert("x");
  EXPECT_FALSE(trust_row(*c, {signer::Role::Ccm}, 0, "admin"));
  EXPECT_FALSE(trust_row(*c, {signer::Role::Ccm}, kMaxTtl + 1, "admin"));
  EXPECT_FALSE(trust_row(*c, {}, 60, "admin"));
  EXPECT_FALSE(parse_roles("CCM,NOPE"));
  EXPECT_FALSE(parse_roles(""));
  auto roles = parse_roles("app-server,ccm+tftp");
  ASSERT_TRUE(roles);
  EXPECT_EQ(roles_text(*roles), "CCM+TFTP,APP-SERVER");
}

}  // namespace
}  // namespace cucm::tvs
