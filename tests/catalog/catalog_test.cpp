// The catalog over a real database and real keys: every kind of name, checked as a phone would.
#include "catalog/catalog.hpp"
#include "catalog/cached_catalog.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>

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
    auto d = db::open_cluster_db(db_dir_, false, commits_);
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
  // A cached catalog whose workers open their connections as the cluster does: counted by
  // commits_, like the test's own connection.
  std::unique_ptr<CachedCatalog> make_cache(std::size_t max_bytes, std::size_t workers = 1,
                                            std::function<void(const std::string&)> before_build = {}) {
    CacheOptions o;
    o.catalog = CatalogOptions{db_dir_ / "static", signer::HashAlg::Sha1};
    o.max_bytes = max_bytes;
    o.workers = workers;
    o.commits = commits_;
    o.before_build = std::move(before_build);
    auto c = CachedCatalog::start([this] { return db::open_cluster_db(db_dir_, false, commits_); }, *pki_, std::move(o));
    EXPECT_TRUE(c) << c.error().message;
    return c ? std::move(*c) : nullptr;
  }
  EVP_PKEY& tftp_key() const { return *X509_get0_pubkey(pki_->identity(signer::PkiRole::CallManager).cert.get()); }

  static inline fs::path dir_;
  static inline signer::ClusterPki* pki_ = nullptr;
  static inline EVP_PKEY* phone_key_ = nullptr;
  static inline X509* phone_cert_ = nullptr;
  fs::path db_dir_;
  std::shared_ptr<db::CommitCounter> commits_ = std::make_shared<db::CommitCounter>();
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
  EXPECT_EQ(list->records.size(), 5u);  // ITLRecovery, CallManager, CAPF, TVS, HTTPS
  EXPECT_TRUE(signer::verify_trust_list(itl->bytes, *list));
  EXPECT_FALSE(catalog_->fetch("CTLFile.tlv"));
  ASSERT_TRUE(db::SettingsStore(*db_).set("mixed_mode", "1"));
  auto ctl = catalog_->fetch("CTLSEPA45630BBFA40.tlv");
  ASSERT_TRUE(ctl) << ctl.error().message;
  EXPECT_EQ(signer::parse_trust_list(ctl->bytes)->records.size(), 4u);  // no TVS
  ASSERT_TRUE(db::SettingsStore(*db_).set("mixed_mode", "0"));
}

// `cluster set itl_version 1.1`: SignerVersion 1.1 (tag 28) and SHA-512 (hash code 3), checked in
// the bytes and by the signer's reader; the HTTPS certificate is in it as TFTP, EC. The cached
// ITL is rebuilt when the setting changes.
TEST_F(CatalogTest, ItlVersionOneOneIsShaFiveTwelveAndRebuilt) {
  auto owned = make_cache(1 << 20);
  CachedCatalog& cache = *owned;
  auto old = cache.fetch("ITLFile.tlv");
  ASSERT_TRUE(old) << old.error().message;
  auto old_list = signer::parse_trust_list(*old->bytes);
  ASSERT_TRUE(old_list);
  EXPECT_EQ(old_list->parsed.header.signer_version, (std::array<std::uint8_t, 2>{1, 0}));
  EXPECT_EQ(old_list->parsed.header.hash, signer::HashAlg::Sha1);

  ASSERT_TRUE(db::SettingsStore(*db_).set("itl_version", "1.1"));
  auto itl = cache.fetch("ITLFile.tlv");
  ASSERT_TRUE(itl) << itl.error().message;
  EXPECT_FALSE(itl->cache_hit);
  const Bytes& b = *itl->bytes;
  // Version 1.2, HeaderLength, then SignerVersion: 1C 0002 01 01 at offset 10 (PROTOCOLS §5.6).
  ASSERT_GT(b.size(), 15u);
  EXPECT_EQ(Bytes(b.begin() + 10, b.begin() + 15), (Bytes{0x1C, 0x00, 0x02, 0x01, 0x01}));
  auto list = signer::parse_trust_list(b);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->parsed.header.signer_version, (std::array<std::uint8_t, 2>{1, 1}));
  EXPECT_EQ(list->parsed.header.hash, signer::HashAlg::Sha512);
  const Bytes sha512_item{signer::tag::kHashAlgorithm, 0x00, 0x01, 0x03};  // HashAlgorithm = 3
  auto header_end = b.begin() + list->parsed.header_length;
  EXPECT_NE(std::search(b.begin(), header_end, sha512_item.begin(), sha512_item.end()), header_end);
  EXPECT_TRUE(signer::verify_trust_list(b, *list));
  const auto& https = pki_->identity(signer::PkiRole::Https);
  bool listed = false;
  for (const auto& r : list->records) {
    listed |= r.certificate == signer::cert_der(*https.cert) && r.role == static_cast<std::uint16_t>(signer::Role::Tftp);
  }
  EXPECT_TRUE(listed);
  EXPECT_EQ(signer::describe_key(*https.key), "EC prime256v1");
  // The CTL keeps 1.0: the setting names the ITL.
  ASSERT_TRUE(db::SettingsStore(*db_).set("mixed_mode", "1"));
  auto ctl_file = cache.fetch("CTLFile.tlv");
  ASSERT_TRUE(ctl_file) << ctl_file.error().message;
  auto ctl = signer::parse_trust_list(*ctl_file->bytes);
  ASSERT_TRUE(ctl);
  EXPECT_EQ(ctl->parsed.header.signer_version, (std::array<std::uint8_t, 2>{1, 0}));
  ASSERT_TRUE(db::SettingsStore(*db_).set("mixed_mode", "0"));
  ASSERT_TRUE(db::SettingsStore(*db_).set("itl_version", "1.0"));
  auto back = signer::parse_trust_list(*cache.fetch("ITLFile.tlv")->bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->parsed.header.hash, signer::HashAlg::Sha1);
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

namespace cucm::catalog {
namespace {

TEST_F(CatalogTest, CacheServesTheSameBytesUntilTheVersionMoves) {
  auto owned = make_cache(1 << 20);
  CachedCatalog& cache = *owned;
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
  EXPECT_GE(stats.builds, 4u);
}

TEST_F(CatalogTest, CacheSeesAnotherProcessesChangeWithinAMillisecond) {
  auto owned = make_cache(1 << 20);
  CachedCatalog& cache = *owned;
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
  auto second = db::open_cluster_db(db_dir_, false, commits_);
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
  // Room for the ITL (~7.5 KB with its five certificates) and 300 bytes: the ~0.9 KB config does
  // not fit beside it.
  auto itl_size = catalog_->fetch("ITLFile.tlv")->bytes.size();
  const std::size_t room = itl_size + 300;
  auto owned = make_cache(room);
  CachedCatalog& cache = *owned;
  ASSERT_TRUE(cache.fetch("ITLFile.tlv"));
  ASSERT_TRUE(cache.fetch("SEPA45630BBFA40.cnf.xml.sgn"));
  auto s = cache.stats();
  EXPECT_LE(s.bytes, room);
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
  auto owned = make_cache(1 << 20);
  CachedCatalog& cache = *owned;
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

TEST_F(CatalogTest, DefaultLoadFollowsProductAndProtocol) {
  auto add = [&](const std::string& name, const std::string& product, const std::string& protocol) {
    db::Device d;
    d.name = name;
    d.product = product;
    d.protocol = protocol;
    d.profile = "Universal Device Template - Model-independent Security Profile";
    ASSERT_TRUE(db::DeviceStore(*db_).add(d));
  };
  add("SEP000000007965", "Cisco 7965", "SIP");
  add("SEP00000000796C", "Cisco 7965", "SCCP");
  add("SEP000000009971", "Cisco 9971", "SIP");
  ASSERT_TRUE(db::SettingsStore(*db_).set("load.Cisco 9971", "sip9971.9-4-2"));  // product-wide
  auto load_of = [&](const std::string& name) {
    auto xml = catalog_->full_config(name);
    EXPECT_TRUE(xml) << xml.error().message;
    auto open = xml->find("<loadInformation>"), close = xml->find("</loadInformation>");
    return open == std::string::npos ? std::string() : xml->substr(open + 17, close - open - 17);
  };
  EXPECT_EQ(load_of("SEP000000007965"), "SIP45.9-4-2SR3-1S");
  EXPECT_EQ(load_of("SEP00000000796C"), "SCCP45.9-4-2SR3-1S");
  EXPECT_EQ(load_of("SEP000000009971"), "sip9971.9-4-2");
}

// A symbolic link in the static folder that leads out of it (to the database, to /etc) is not
// served over TFTP or HTTP; one to a file beside it is.
TEST_F(CatalogTest, StaticLinksThatLeaveTheFolderAreNotServed) {
  auto dir = db_dir_ / "static";
  fs::create_symlink(db_dir_ / "cucm.db", dir / "leak.bin");
  fs::create_symlink("/etc/passwd", dir / "passwd.bin");
  fs::create_symlink(dir / "SCCP42.9-4-2SR3-1S.loads", dir / "alias.loads");
  for (const char* name : {"leak.bin", "passwd.bin"}) {
    auto opened = catalog_->open_static(name);
    ASSERT_FALSE(opened) << name;
    EXPECT_EQ(opened.error().code, Errc::NotFound) << name;
    auto fetched = catalog_->fetch(name);
    ASSERT_FALSE(fetched) << name;
    EXPECT_EQ(fetched.error().code, Errc::NotFound) << name;
  }
  auto alias = catalog_->fetch("alias.loads");
  ASSERT_TRUE(alias) << alias.error().message;
  EXPECT_EQ(alias->bytes, to_bytes("firmware"));
}

// A hook on the worker holds a build until the test lets it go.
class BuildGate {
 public:
  void operator()(const std::string&) {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  void wait_entered(int n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return entered_ >= n; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

TEST_F(CatalogTest, ConcurrentRequestsForOneUncachedFileShareOneBuild) {
  auto gate = std::make_shared<BuildGate>();
  auto owned = make_cache(1 << 20, 2, [gate](const std::string& name) { (*gate)(name); });
  CachedCatalog& cache = *owned;
  constexpr int kRequests = 50;
  std::mutex mutex;
  std::condition_variable all_done;
  std::vector<std::shared_ptr<const Bytes>> answers;
  cache.fetch_async("SEPA45630BBFA40.cnf.xml.sgn", [&](Result<CachedFile> f) {
    std::lock_guard lock(mutex);
    answers.push_back(f ? f->bytes : nullptr);
    all_done.notify_all();
  });
  gate->wait_entered(1);  // the first request's build is under way, held
  for (int i = 1; i < kRequests; ++i) {
    cache.fetch_async("SEPA45630BBFA40.cnf.xml.sgn", [&](Result<CachedFile> f) {
      std::lock_guard lock(mutex);
      answers.push_back(f ? f->bytes : nullptr);
      all_done.notify_all();
    });
  }
  EXPECT_FALSE(cache.lookup("SEPA45630BBFA40.cnf.xml.sgn"));  // nothing built yet
  gate->open();
  {
    std::unique_lock lock(mutex);
    all_done.wait(lock, [&] { return answers.size() == kRequests; });
  }
  for (const auto& a : answers) {
    ASSERT_TRUE(a);
    EXPECT_EQ(a, answers.front());  // one buffer, signed once
  }
  auto s = cache.stats();
  EXPECT_EQ(s.builds, 1u);
  EXPECT_EQ(s.joined, static_cast<std::uint64_t>(kRequests - 1));
  // Built now, and the version is fresh: lookup answers from memory without a worker.
  auto hit = cache.lookup("SEPA45630BBFA40.cnf.xml.sgn");
  if (hit) {
    EXPECT_EQ(hit->bytes, answers.front());  // unless a millisecond passed: then nullopt
  }
}

TEST_F(CatalogTest, LookupNeverBuildsAndABuildErrorReachesEveryWaiter) {
  auto owned = make_cache(1 << 20);
  CachedCatalog& cache = *owned;
  EXPECT_FALSE(cache.lookup("ITLFile.tlv"));
  EXPECT_EQ(cache.stats().builds, 0u);
  auto missing = cache.fetch("SEP000000000000.cnf.xml.sgn");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::NotFound);
  auto itl = cache.fetch("ITLFile.tlv");
  ASSERT_TRUE(itl) << itl.error().message;
  EXPECT_EQ(cache.stats().builds, 1u);
}

// A per-device trust list is the cluster's: deciding on it reads no device, and it stays built
// while the device changes, until a cluster setting moves the epoch.
TEST_F(CatalogTest, PerDeviceTrustListsDependOnTheEpochAlone) {
  auto owned = make_cache(1 << 20);
  CachedCatalog& cache = *owned;
  auto first = cache.fetch("ITLSEPA45630BBFA40.tlv");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->device, "SEPA45630BBFA40");  // still named in the event log
  record_phone_key();  // moves the device's config_version
  auto again = cache.fetch("ITLSEPA45630BBFA40.tlv");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->cache_hit);
  EXPECT_EQ(again->bytes, first->bytes);
  ASSERT_TRUE(db::SettingsStore(*db_).set("node_address", "10.1.2.3"));
  EXPECT_FALSE(cache.fetch("ITLSEPA45630BBFA40.tlv")->cache_hit);
  // A device the cluster does not know gets the cluster's trust list too; its CTL only in mixed mode.
  EXPECT_EQ(catalog_->decide_for("ITLSEP0000000000AA.tlv")->variant, Variant::Itl);
  EXPECT_EQ(catalog_->decide_for("CTLSEP0000000000AA.tlv")->variant, Variant::NotFound);
}

// Another connection with no commit counter shared with the catalog's: to SQLite and to every
// cache it is another process (the CLI's `cluster set`, the sqlite3 shell).
Status write_elsewhere(const fs::path& db_dir, const char* sql) {
  CUCM_TRY(auto other, db::Database::open(db_dir / "cucm.db"));
  return other.exec(sql);
}

// The decision fields of a served partial or full config, unwrapped from its .sgn.
cnf::ConfigDecisionFields served_fields(const Bytes& sgn) {
  auto p = signer::parse_sgn(sgn);
  EXPECT_TRUE(p) << p.error().message;
  if (!p) return {};
  auto f = cnf::read_decision_fields(as_chars(signer::sgn_payload(sgn, *p)));
  EXPECT_TRUE(f) << f.error().message;
  return f ? *f : cnf::ConfigDecisionFields{};
}

constexpr const char* kProfileOff =
    "UPDATE security_profile SET tftp_encrypted = 0 WHERE name = 'Cisco 7942 - Standard SCCP Encrypted Config'";

// The catalog keeps the settings between decisions (SettingsCache) and reads the profile with the
// device: neither may hide a change another connection committed, not even for a moment.
TEST_F(CatalogTest, SettingsAndProfilesChangedElsewhereAreSeenByTheNextDecision) {
  auto before = catalog_->fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(served_fields(before->bytes).capf_port, 3804);
  EXPECT_EQ(catalog_->decide_for("CTLFile.tlv")->variant, Variant::NotFound);

  ASSERT_TRUE(write_elsewhere(db_dir_, "UPDATE cluster_setting SET value = '4804' WHERE key = 'capf_port'"));
  auto moved = catalog_->fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->variant, Variant::PartialConfigSigned);
  EXPECT_EQ(served_fields(moved->bytes).capf_port, 4804);
  ASSERT_TRUE(write_elsewhere(db_dir_, "UPDATE cluster_setting SET value = '1' WHERE key = 'mixed_mode'"));
  EXPECT_EQ(catalog_->decide_for("CTLFile.tlv")->variant, Variant::Ctl);

  ASSERT_TRUE(write_elsewhere(db_dir_, kProfileOff));
  auto full = catalog_->fetch("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->variant, Variant::FullConfigSigned);
  EXPECT_TRUE(served_fields(full->bytes).full_config);
  EXPECT_EQ(served_fields(full->bytes).capf_port, 4804);
  EXPECT_EQ(catalog_->decide_for("SEPA45630BBFA40.cnf.xml.enc.sgn")->variant, Variant::NotFound);
}

// The same through the cache's workers, whose catalogs live as long as the server: a build after
// a change elsewhere uses the new settings and profile. fetch_async always asks the database for
// the version (lookup's memo may trust one for a millisecond: CacheSeesAnotherProcessesChange...).
TEST_F(CatalogTest, WorkersSeeSettingsAndProfilesChangedElsewhere) {
  auto owned = make_cache(1 << 20, 1);
  CachedCatalog& cache = *owned;
  auto fetch_now = [&cache](const std::string& name) {
    std::promise<Result<CachedFile>> promise;
    auto answer = promise.get_future();
    cache.fetch_async(name, [&promise](Result<CachedFile> f) { promise.set_value(std::move(f)); });
    return answer.get();
  };
  auto before = fetch_now("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(served_fields(*before->bytes).capf_port, 3804);
  ASSERT_TRUE(write_elsewhere(db_dir_, "UPDATE cluster_setting SET value = '4804' WHERE key = 'capf_port'"));
  auto moved = fetch_now("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_FALSE(moved->cache_hit);
  EXPECT_EQ(served_fields(*moved->bytes).capf_port, 4804);
  ASSERT_TRUE(write_elsewhere(db_dir_, kProfileOff));
  auto full = fetch_now("SEPA45630BBFA40.cnf.xml.sgn");
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->variant, Variant::FullConfigSigned);
  EXPECT_EQ(served_fields(*full->bytes).capf_port, 4804);
}

}  // namespace
}  // namespace cucm::catalog
