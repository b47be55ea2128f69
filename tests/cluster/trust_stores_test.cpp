// Trust stores and CA-signed identities at the library level: rows in one transaction, the lab
// CA kept current, CAPF's old folder moved, and every refusal of an import changing nothing.
#include "cluster/trust_stores.hpp"

#include <unistd.h>

#include <ctime>
#include <filesystem>

#include <gtest/gtest.h>

#include "cluster/identity_import.hpp"
#include "core/file_io.hpp"
#include "db/schema.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/identity_request.hpp"
#include "signer/keys.hpp"

namespace cucm::cluster {
namespace {
namespace fs = std::filesystem;

struct Ca {
  signer::PkeyPtr key;
  signer::X509Ptr cert;
};

Ca make_ca(const std::string& cn) {
  Ca ca;
  ca.key = std::move(*signer::generate_key({}));
  auto req = signer::mkcert_profile(*ca.key, {{"CN", cn}, {"O", "Enterprise"}}, 365, signer::HashAlg::Sha256);
  req.path_len = -1;
  ca.cert = std::move(*signer::make_self_signed(*ca.key, req));
  return ca;
}

// What a CA does with our CSR: the CSR's key, the role's usage (or `usage`), signed by `ca`.
signer::X509Ptr sign_for(const Ca& ca, EVP_PKEY& key, const std::string& cn, const signer::RoleUsage& usage) {
  signer::CertRequest req;
  req.subject = {{"CN", cn}};
  req.days = 365;
  req.is_ca = usage.ca;
  req.key_usage = usage.key_usage;
  req.extended_key_usage = usage.ext_key_usage;
  auto cert = signer::issue_cert(key, req, *ca.cert, *ca.key);
  EXPECT_TRUE(cert) << cert.error().message;
  return std::move(*cert);
}

class TrustStores : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cucm-stores-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto pki = signer::ClusterPki::load_or_create(dir_, {});
    ASSERT_TRUE(pki) << pki.error().message;
    pki_.emplace(std::move(*pki));
    auto db = db::open_cluster_db(dir_);
    ASSERT_TRUE(db) << db.error().message;
    db_.emplace(std::move(*db));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A pending request for `role` and the certificate `ca` gives it.
  signer::X509Ptr pending_signed(signer::PkiRole role, const Ca& ca, const std::string& cn,
                                 std::optional<signer::RoleUsage> usage = {}) {
    auto req = signer::make_identity_request(*pki_, role, {});
    EXPECT_TRUE(req) << req.error().message;
    EXPECT_TRUE(signer::save_pending(pki_->dir(), role, *req));
    return sign_for(ca, *req->key, cn, usage.value_or(signer::role_usage(role, signer::key_kind(*req->key))));
  }

  fs::path dir_;
  std::optional<signer::ClusterPki> pki_;
  std::optional<db::Database> db_;
};

TEST_F(TrustStores, NamesInAnyCaseAndEachRoleItsStore) {
  EXPECT_EQ(*parse_trust_store("callmanager-TRUST"), TrustStore::CallManager);
  EXPECT_EQ(trust_store_name(*parse_trust_store("phone-vpn-trust")), "Phone-VPN-trust");
  auto bad = parse_trust_store("ipsec-trust");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("CAPF-trust"), std::string::npos);
  EXPECT_EQ(trust_store_for(signer::PkiRole::CallManager), TrustStore::CallManager);
  EXPECT_EQ(trust_store_for(signer::PkiRole::Tvs), TrustStore::CallManager);
  EXPECT_EQ(trust_store_for(signer::PkiRole::Capf), TrustStore::Capf);
  EXPECT_EQ(trust_store_for(signer::PkiRole::Https), TrustStore::Tomcat);
}

TEST_F(TrustStores, ABundleIsAddedWholeOrNotAtAll) {
  Ca a = make_ca("A"), b = make_ca("B");
  Bytes bundle = signer::cert_pem(*a.cert);
  Bytes pem_b = signer::cert_pem(*b.cert);
  bundle.insert(bundle.end(), pem_b.begin(), pem_b.end());
  auto rows = add_trusted(*db_, TrustStore::CallManager, bundle);
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->size(), 2u);
  auto certs = trusted_certificates(*db_, TrustStore::CallManager);
  ASSERT_TRUE(certs);
  EXPECT_EQ(certs->size(), 2u);
  EXPECT_TRUE(trusted_certificates(*db_, TrustStore::Capf)->empty());  // stores are separate

  Bytes too_many;
  for (std::size_t i = 0; i <= kMaxCertificatesPerFile; ++i) too_many.insert(too_many.end(), pem_b.begin(), pem_b.end());
  auto refused = add_trusted(*db_, TrustStore::Tomcat, too_many);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("65 certificates"), std::string::npos) << refused.error().message;
  EXPECT_TRUE(trusted_certificates(*db_, TrustStore::Tomcat)->empty());
  EXPECT_FALSE(add_trusted(*db_, TrustStore::Tomcat, as_bytes("-----BEGIN CERTIFICATE-----\nAAAA\n")));
}

TEST_F(TrustStores, TheLabCaIsKeptCurrentBesideTheAdminsCas) {
  Ca admin = make_ca("Cisco Manufacturing CA"), lab1 = make_ca("Lab 1"), lab2 = make_ca("Lab 2");
  ASSERT_TRUE(add_trusted(*db_, TrustStore::Capf, signer::cert_pem(*admin.cert)));
  ASSERT_TRUE(trust_lab_manufacturer(*db_, *lab1.cert));
  ASSERT_TRUE(trust_lab_manufacturer(*db_, *lab2.cert));
  auto rows = db::TrustCertificates(*db_).list("CAPF-trust");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  for (const auto& r : *rows) {
    EXPECT_TRUE(r.subject.find("Lab 2") != std::string::npos || r.source == "admin") << r.subject;
  }
}

TEST_F(TrustStores, TheOldCapfFolderIsMovedOnceAndNothingIsLost) {
  Ca mfg = make_ca("MIC CA");
  fs::create_directories(dir_ / "capf" / "trust");
  ASSERT_TRUE(write_file_atomic(dir_ / "capf" / "trust" / "mfg.pem", signer::cert_pem(*mfg.cert)));
  ASSERT_TRUE(write_file_atomic(dir_ / "capf" / "trust" / "notes.txt", as_bytes("hello")));
  auto moved = move_capf_trust_folder(*db_, dir_);
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->certificates, 1u);
  ASSERT_EQ(moved->skipped.size(), 1u);
  EXPECT_NE(moved->skipped[0].find("notes.txt"), std::string::npos);
  EXPECT_TRUE(fs::exists(moved->renamed_to / "notes.txt"));
  EXPECT_EQ(trusted_certificates(*db_, TrustStore::Capf)->size(), 1u);
  auto again = move_capf_trust_folder(*db_, dir_);  // nothing left to move
  ASSERT_TRUE(again);
  EXPECT_EQ(again->certificates, 0u);
  EXPECT_TRUE(again->renamed_to.empty());
}

TEST_F(TrustStores, ACaSignedCallManagerIsImportedWithItsChain) {
  Ca root = make_ca("Enterprise Root");
  // An intermediate under the root; the store holds only the root, the intermediate comes with --chain.
  auto inter_key = signer::generate_key({});
  signer::CertRequest ireq;
  ireq.subject = {{"CN", "Enterprise Issuing CA"}};
  ireq.key_usage = "critical,keyCertSign,cRLSign,digitalSignature";
  ireq.extended_key_usage = "";
  auto inter_cert = signer::issue_cert(**inter_key, ireq, *root.cert, *root.key);
  ASSERT_TRUE(inter_cert);
  Ca inter{std::move(*inter_key), std::move(*inter_cert)};
  ASSERT_TRUE(add_trusted(*db_, TrustStore::CallManager, signer::cert_pem(*root.cert)));
  auto leaf = pending_signed(signer::PkiRole::CallManager, inter, "cucm-a.lab");
  Bytes before = *read_file(dir_ / "pki" / "callmanager.pem");

  auto no_chain = import_signed_identity(*db_, *pki_, signer::PkiRole::CallManager, signer::cert_pem(*leaf), {},
                                         std::time(nullptr));
  ASSERT_FALSE(no_chain);
  EXPECT_NE(no_chain.error().message.find("not signed by a CA in CallManager-trust"), std::string::npos)
      << no_chain.error().message;
  EXPECT_EQ(*read_file(dir_ / "pki" / "callmanager.pem"), before);

  auto done = import_signed_identity(*db_, *pki_, signer::PkiRole::CallManager, signer::cert_pem(*leaf),
                                     signer::cert_pem(*inter.cert), std::time(nullptr));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->store, "CallManager-trust");
  EXPECT_TRUE(done->warnings.empty());
  EXPECT_EQ(signer::cert_der(*pki_->identity(signer::PkiRole::CallManager).cert), signer::cert_der(*leaf));
  EXPECT_EQ(pki_->identity(signer::PkiRole::CallManager).chain.size(), 1u);
  EXPECT_FALSE(fs::exists(signer::pending_key_path(pki_->dir(), signer::PkiRole::CallManager)));
  auto reloaded = signer::ClusterPki::load(dir_);  // what serve loads next
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_EQ(signer::cert_der(*reloaded->identity(signer::PkiRole::CallManager).cert), signer::cert_der(*leaf));
}

TEST_F(TrustStores, ImportRefusesWhatCannotServeTheRole) {
  Ca root = make_ca("Root");
  ASSERT_TRUE(add_trusted(*db_, TrustStore::Capf, signer::cert_pem(*root.cert)));
  ASSERT_TRUE(add_trusted(*db_, TrustStore::CallManager, signer::cert_pem(*root.cert)));
  auto import = [&](signer::PkiRole role, const X509& cert, std::time_t at = std::time(nullptr)) {
    return import_signed_identity(*db_, *pki_, role, signer::cert_pem(cert), {}, at);
  };
  // CAPF as an end entity: it could not issue LSCs.
  auto capf_leaf = pending_signed(signer::PkiRole::Capf, root, "capf",
                                  signer::RoleUsage{.ca = false, .key_usage = "digitalSignature", .ext_key_usage = "serverAuth"});
  auto not_ca = import(signer::PkiRole::Capf, *capf_leaf);
  ASSERT_FALSE(not_ca);
  EXPECT_NE(not_ca.error().message.find("keyCertSign"), std::string::npos) << not_ca.error().message;
  // TVS without serverAuth.
  auto tvs_leaf = pending_signed(signer::PkiRole::Tvs, root, "tvs",
                                 signer::RoleUsage{.ca = false, .key_usage = "digitalSignature", .ext_key_usage = "clientAuth"});
  auto no_server = import(signer::PkiRole::Tvs, *tvs_leaf);
  ASSERT_FALSE(no_server);
  EXPECT_NE(no_server.error().message.find("TLS Web Server Authentication"), std::string::npos);
  // Expired at the time of the import.
  auto later = import(signer::PkiRole::Tvs, *tvs_leaf, std::time(nullptr) + 400 * 86'400);
  ASSERT_FALSE(later);
  EXPECT_NE(later.error().message.find("expired"), std::string::npos) << later.error().message;
  // CallManager without clientAuth: taken, with a warning (seed 002).
  auto cm_leaf = pending_signed(signer::PkiRole::CallManager, root, "cucm",
                                signer::RoleUsage{.ca = false, .key_usage = "digitalSignature,keyEncipherment",
                                                  .ext_key_usage = "serverAuth"});
  auto warned = import(signer::PkiRole::CallManager, *cm_leaf);
  ASSERT_TRUE(warned) << warned.error().message;
  ASSERT_EQ(warned->warnings.size(), 1u);
  EXPECT_NE(warned->warnings[0].find("clientAuth"), std::string::npos);
  // Nothing was left pending but the refused roles' requests.
  EXPECT_TRUE(fs::exists(signer::pending_key_path(pki_->dir(), signer::PkiRole::Capf)));
  EXPECT_FALSE(fs::exists(signer::pending_key_path(pki_->dir(), signer::PkiRole::CallManager)));
}

}  // namespace
}  // namespace cucm::cluster
