// The catalog over a real database and real keys: every kind of name, checked as a phone would.
#include "tftp/catalog/catalog.hpp"

#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <thread>

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "cnf/partial_config.hpp"
#include "core/file_io.hpp"
#include "db/device_store.hpp"
#include "db/schema.hpp"
#include "db/settings_store.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"
#include "signer/trust_list.hpp"

namespace cucm::catalog {
namespace {
namespace fs = std::filesystem;

class CatalogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cucm-catalog-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto pki = signer::ClusterPki::load_or_create(dir_, {});
    ASSERT_TRUE(pki) << pki.error().message;
    pki_ = new signer::ClusterPki(std::move(*pki));
    auto key = signer::generate_key({});
    ASSERT_TRUE(key);
    phone_key_ = key->release();
    signer::CertRequest req;
    req.subject = {{"CN", "SEPA45630BBFA40"}};
    req.is_ca = false;
    auto cert = signer::make_self_signed(*phone_key_, req);
    ASSERT_TRUE(cert);
    phone_cert_ = cert->release();
  }
  static void TearDownTestSuite() {
    delete pki_;
    EVP_PKEY_free(phone_key_);
    X509_free(phone_cert_);
    fs::remove_all(dir_);
  }
  void SetUp() override {
    db_dir_ = dir_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto d = db::open_cluster_db(db_dir_);
    ASSERT_TRUE(d) << d.error().message;
    db_.emplace(std::move(*d));
    db::Device dev;
    dev.name = "SEPA45630BBFA40";
    dev.product = "Cisco 7942";
    dev.protocol = "SCCP";
    dev.profile = "Cisco 7942 - Standard SCCP Encrypted Config";
    ASSERT_TRUE(db::DeviceStore(*db_).add(dev));
    fs::create_directories(db_dir_ / "static");
    ASSERT_TRUE(write_file_atomic(db_dir_ / "static" / "SCCP42.9-4-2SR3-1S.loads", to_bytes("firmware")));
    catalog_.emplace(*db_, *pki_, CatalogOptions{db_dir_ / "static", signer::HashAlg::Sha1});
  }
  void record_phone_key() {
    db::RecordedCert c;
    c.type = "MIC";
    c.der = signer::cert_der(*phone_cert_);
    c.public_key = *signer::public_key_spki_der(*phone_key_);
    c.md5hash = signer::cert_md5_hex(*phone_cert_);
    ASSERT_TRUE(db::DeviceStore(*db_).record_certificate("SEPA45630BBFA40", c));
  }
  EVP_PKEY& tftp_key() const { return *X509_get0_pubkey(pki_->identity(signer::PkiRole::CallManager).cert.get()); }

  static inline fs::path dir_;
  static inline signer::ClusterPki* pki_ = nullptr;
  static inline EVP_PKEY* phone_key_ = nullptr;
  static inline X509* phone_cert_ = nullptr;
  fs::path db_dir_;
  std::optional<db::Database> db_;
  std::optional<Catalog> catalog_;
};

TEST_F(CatalogTest, SeedFlowBeforeAndAfterTheKeyIsRecorded) {
  auto cleartext = catalog_->fetch("SEPA45630BBFA40.cnf.xml");
  ASSERT_FALSE(cleartext);
  EXPECT_EQ(cleartext.error().code, Errc::NotFound);
  EXPECT_FALSE(catalog_->fetch("SEPA45630BBFA40.cnf.xml.enc.sgn"));

  auto partial = catalog_->fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(partial->variant, Variant::PartialConfigSigned);
  auto p = signer::parse_sgn(partial->bytes);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.filename, "SEPA45630BBFA40.cnf.xml.sgn");
  EXPECT_TRUE(signer::verify_signature(partial->bytes, *p, tftp_key()));
  auto fields = cnf::read_decision_fields(as_chars(signer::sgn_payload(partial->bytes, *p)));
  ASSERT_TRUE(fields);
  EXPECT_FALSE(fields->full_config);
  EXPECT_TRUE(fields->encr_config);
  EXPECT_EQ(fields->cert_hash, "");
  EXPECT_EQ(fields->capf_port, 3804);

  record_phone_key();
  partial = catalog_->fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(partial);
  p = signer::parse_sgn(partial->bytes);
  fields = cnf::read_decision_fields(as_chars(signer::sgn_payload(partial->bytes, *p)));
  EXPECT_EQ(fields->cert_hash, signer::cert_md5_hex(*phone_cert_));

  auto enc = catalog_->fetch("SEPA45630BBFA40.cnf.xml.enc.sgn");
  ASSERT_TRUE(enc) << enc.error().message;
  auto e = signer::parse_enc_sgn(enc->bytes);
  ASSERT_TRUE(e);
  EXPECT_TRUE(signer::verify_signature(enc->bytes, *e, tftp_key()));
  auto plain = signer::decrypt_enc_sgn(enc->bytes, *e, *phone_key_);
  ASSERT_TRUE(plain) << plain.error().message;
  auto full = cnf::read_decision_fields(as_chars(*plain));
  ASSERT_TRUE(full);
  EXPECT_TRUE(full->full_config);
  EXPECT_EQ(std::string(as_chars(*plain)), *catalog_->full_config("SEPA45630BBFA40"));
}

TEST_F(CatalogTest, EncryptionOffServesTheFullConfigSignedAndPlain) {
  db::Device d = *db::DeviceStore(*db_).get("SEPA45630BBFA40");
  d.profile = "Cisco 7942 - Standard SCCP Non-Secure Profile";
  ASSERT_TRUE(db::DeviceStore(*db_).update(d));
  auto plain = catalog_->fetch("SEPA45630BBFA40.cnf.xml");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->variant, Variant::FullConfig);
  auto sgn = catalog_->fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(sgn);
  EXPECT_EQ(sgn->variant, Variant::FullConfigSigned);
  auto p = signer::parse_sgn(sgn->bytes);
  auto body = signer::sgn_payload(sgn->bytes, *p);
  EXPECT_EQ(Bytes(body.begin(), body.end()), plain->bytes);
  EXPECT_FALSE(catalog_->fetch("SEPA45630BBFA40.cnf.xml.enc.sgn"));
}

TEST_F(CatalogTest, TrustListsCarryTheirOwnNameAndCtlOnlyInMixedMode) {
  auto itl = catalog_->fetch("ITLSEPA45630BBFA40.tlv");
  ASSERT_TRUE(itl);
  auto list = signer::parse_trust_list(itl->bytes);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->parsed.header.filename, "ITLSEPA45630BBFA40.tlv");
  EXPECT_EQ(list->records.size(), 4u);
  EXPECT_TRUE(signer::verify_trust_list(itl->bytes, *list));
  EXPECT_FALSE(catalog_->fetch("CTLFile.tlv"));
  ASSERT_TRUE(db::SettingsStore(*db_).set("mixed_mode", "1"));
  auto ctl = catalog_->fetch("CTLSEPA45630BBFA40.tlv");
  ASSERT_TRUE(ctl) << ctl.error().message;
  EXPECT_EQ(signer::parse_trust_list(ctl->bytes)->records.size(), 3u);
}

TEST_F(CatalogTest, UnknownDevicesDefaultsAndStaticFiles) {
  auto unknown = catalog_->fetch("SEP000000000000.cnf.xml.sgn");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("XMLDefault"), std::string::npos);
  auto def = catalog_->fetch("XMLDefault.cnf.xml");
  ASSERT_TRUE(def);
  EXPECT_NE(std::string(as_chars(def->bytes)).find("<processNodeName>127.0.0.1</processNodeName>"), std::string::npos);
  auto load = catalog_->fetch("SCCP42.9-4-2SR3-1S.loads");
  ASSERT_TRUE(load);
  EXPECT_EQ(load->bytes, to_bytes("firmware"));
  for (const char* bad : {"../cucm.db", "/etc/passwd", "static/../../cucm.db", "a\\b", "..", "nope.bin"}) {
    auto r = catalog_->fetch(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::NotFound) << bad;
  }
}

}  // namespace
}  // namespace cucm::catalog

#include "tftp/catalog/cached_catalog.hpp"

namespace cucm::catalog {
namespace {

TEST_F(CatalogTest, CacheServesTheSameBytesUntilTheVersionMoves) {
  CachedCatalog cache(*db_, *pki_, CatalogOptions{db_dir_ / "static", signer::HashAlg::Sha1}, 1 << 20);
  auto a = cache.fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_FALSE(a->cache_hit);
  auto b = cache.fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->cache_hit);
  EXPECT_EQ(a->bytes, b->bytes);  // the very same buffer: nothing re-signed
  record_phone_key();             // bumps config_version
  auto c = cache.fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->cache_hit);
  EXPECT_NE(*c->bytes, *a->bytes);
  // A cluster setting moves every file, ITL included.
  auto itl = cache.fetch("ITLFile.tlv");
  ASSERT_TRUE(itl);
  EXPECT_TRUE(cache.fetch("ITLFile.tlv")->cache_hit);
  ASSERT_TRUE(db::SettingsStore(*db_).set("node_address", "10.1.2.3"));
  EXPECT_FALSE(cache.fetch("ITLFile.tlv")->cache_hit);
  auto moved = cache.fetch("SEPA45630BBFA40.cnf.xml.sgn");
  EXPECT_FALSE(moved->cache_hit);
  auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_GE(stats.misses, 4u);
}

TEST_F(CatalogTest, CacheSeesAnotherProcessesChangeWithinAMillisecond) {
  CachedCatalog cache(*db_, *pki_, CatalogOptions{db_dir_ / "static", signer::HashAlg::Sha1}, 1 << 20);
  auto a = cache.fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(a) << a.error().message;
  // A plain sqlite3 connection, as the sqlite3 shell or another process would write: its commit
  // does not pass through this process's commit counter.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((db_dir_ / "cucm.db").c_str(), &other), SQLITE_OK);
  sqlite3_busy_timeout(other, 5000);
  ASSERT_EQ(sqlite3_exec(other, "UPDATE device SET description = 'changed elsewhere' WHERE name = 'SEPA45630BBFA40'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(other);
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  auto b = cache.fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->cache_hit);  // config_version moved: built again
  // A commit made in this process, even on another connection, is seen by the very next request.
  auto second = db::open_cluster_db(db_dir_);
  ASSERT_TRUE(second);
  auto c = cache.fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->cache_hit);
  auto d = *db::DeviceStore(*second).get("SEPA45630BBFA40");
  d.description = "changed here";
  ASSERT_TRUE(db::DeviceStore(*second).update(d));
  auto e = cache.fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->cache_hit);
}

TEST_F(CatalogTest, CacheMemoryIsBounded) {
  CachedCatalog cache(*db_, *pki_, CatalogOptions{db_dir_ / "static", signer::HashAlg::Sha1}, 7200);
  ASSERT_TRUE(cache.fetch("ITLFile.tlv"));  // ~6.9 KB, then ~0.9 KB more does not fit
  ASSERT_TRUE(cache.fetch("SEPA45630BBFA40.cnf.xml.sgn"));
  auto s = cache.stats();
  EXPECT_LE(s.bytes, 7200u);
  EXPECT_GE(s.evictions, 1u);
  // Static files are keyed by size, inode and mtime as the descriptor cache sees them (checked at
  // most once a second): a rewritten file is served fresh after that.
  ASSERT_TRUE(cache.fetch("SCCP42.9-4-2SR3-1S.loads"));
  ASSERT_TRUE(write_file_atomic(db_dir_ / "static" / "SCCP42.9-4-2SR3-1S.loads", to_bytes("firmware v2")));
  std::this_thread::sleep_for(CachedCatalog::kStaticRecheck + std::chrono::milliseconds(50));
  EXPECT_EQ(*cache.fetch("SCCP42.9-4-2SR3-1S.loads")->bytes, to_bytes("firmware v2"));
}

// HTTP streams static files from descriptors kept open and checked against the path at most once
// a second: a replaced file is served from its new version after that, a removed one is gone.
TEST_F(CatalogTest, StaticFilesStayOpenAndAreRecheckedEverySecond) {
  CachedCatalog cache(*db_, *pki_, CatalogOptions{db_dir_ / "static", signer::HashAlg::Sha1}, 1 << 20);
  auto path = db_dir_ / "static" / "ring.raw";
  ASSERT_TRUE(write_file_atomic(path, to_bytes("ring v1")));
  auto a = cache.open_static("ring.raw");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->size, 7u);
  auto b = cache.open_static("ring.raw");
  ASSERT_TRUE(b);
  EXPECT_EQ(a->handle, b->handle);  // one descriptor for both requests
  ASSERT_TRUE(write_file_atomic(path, to_bytes("ring version 2")));  // a new inode under the name
  std::this_thread::sleep_for(std::chrono::milliseconds(1050));
  auto c = cache.open_static("ring.raw");
  ASSERT_TRUE(c);
  EXPECT_NE(c->handle, a->handle);
  EXPECT_EQ(c->size, 14u);
  std::array<char, 32> buf{};
  EXPECT_EQ(::pread(c->handle->get(), buf.data(), buf.size(), 0), 14);
  EXPECT_EQ(std::string(buf.data(), 14), "ring version 2");
  EXPECT_EQ(::pread(a->handle->get(), buf.data(), buf.size(), 0), 7);  // in-flight sends keep theirs
  fs::remove(path);
  std::this_thread::sleep_for(std::chrono::milliseconds(1050));
  auto gone = cache.open_static("ring.raw");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::NotFound);
  for (const char* bad : {"../cucm.db", "a/b", "ITLFile\\x", ".."}) {
    auto r = cache.open_static(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::NotFound) << bad;
  }
}

}  // namespace
}  // namespace cucm::catalog
