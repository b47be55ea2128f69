// The trust-list faults, checked in their bytes as a phone would read them: sgn-expired-signer's
// ITL holds an expired copy of the CallManager certificate that verifies the device's configs, and
// ctl-in-non-mixed-mode serves the CTL mixed mode would. Neither reaches another device's files or
// the cache.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/cached_catalog.hpp"
#include "db/device_store.hpp"
#include "db/schema.hpp"
#include "db/settings_store.hpp"
#include "fault/board.hpp"
#include "fault/store.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"
#include "signer/trust_list.hpp"

namespace cucm::catalog {
namespace {
namespace fs = std::filesystem;

constexpr const char* kArmed = "SEPA45630BBFA41";  // the fault is armed for this one
constexpr const char* kOther = "SEPA45630BBFA42";

class FaultedTrustTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cucm-faulted-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto pki = signer::ClusterPki::load_or_create(dir_, {});
    ASSERT_TRUE(pki) << pki.error().message;
    pki_ = new signer::ClusterPki(std::move(*pki));
  }
  static void TearDownTestSuite() {
    delete pki_;
    fs::remove_all(dir_);
  }
  void SetUp() override {
    db_dir_ = dir_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto open = [this] { return db::open_cluster_db(db_dir_, false, commits_); };
    auto d = open();
    ASSERT_TRUE(d) << d.error().message;
    db_.emplace(std::move(*d));
    for (const char* name : {kArmed, kOther}) add_device(name);
    auto board = fault::Board::start(open);
    ASSERT_TRUE(board) << board.error().message;
    board_ = std::shared_ptr<fault::Board>(std::move(*board));
    CacheOptions o;
    o.catalog = CatalogOptions{{}, signer::HashAlg::Sha1};
    o.commits = commits_;
    o.faults = board_;
    auto c = CachedCatalog::start(open, *pki_, std::move(o));
    ASSERT_TRUE(c) << c.error().message;
    cache_ = std::move(*c);
  }
  void TearDown() override {
    cache_.reset();
    board_.reset();
  }
  // An encrypted-config device with an RSA key on record, so that it has an .enc.sgn too.
  void add_device(const std::string& name) {
    db::Device dev;
    dev.name = name;
    dev.product = "Cisco 7942";
    dev.protocol = "SCCP";
    dev.profile = "Cisco 7942 - Standard SCCP Encrypted Config";
    ASSERT_TRUE(db::DeviceStore(*db_).add(dev));
    auto key = signer::generate_key({});
    ASSERT_TRUE(key);
    signer::CertRequest req;
    req.subject = {{"CN", name}};
    req.is_ca = false;
    auto cert = signer::make_self_signed(**key, req);
    ASSERT_TRUE(cert);
    db::RecordedCert c;
    c.type = "LSC";
    c.der = signer::cert_der(**cert);
    c.public_key = *signer::public_key_spki_der(**key);
    c.md5hash = signer::cert_md5_hex(**cert);
    ASSERT_TRUE(db::DeviceStore(*db_).record_certificate(name, c));
  }
  void arm(const std::string& fault, std::optional<std::int64_t> count) {
    fault::ArmRequest r;
    r.fault = fault;
    r.device = kArmed;
    r.count = count;
    ASSERT_TRUE(fault::FaultStore(*db_).arm(r, std::chrono::system_clock::now()));
    board_->refresh();
  }
  CachedFile fetch(const std::string& name) {
    auto f = cache_->fetch(name);
    EXPECT_TRUE(f) << name << ": " << f.error().message;
    return f ? std::move(*f) : CachedFile{};
  }
  const X509& callmanager() const { return *pki_->identity(signer::PkiRole::CallManager).cert; }

  static inline fs::path dir_;
  static inline signer::ClusterPki* pki_ = nullptr;
  fs::path db_dir_;
  std::shared_ptr<db::CommitCounter> commits_ = std::make_shared<db::CommitCounter>();
  std::optional<db::Database> db_;
  std::shared_ptr<fault::Board> board_;
  std::unique_ptr<CachedCatalog> cache_;
};

// The list's records as (role, certificate DER), in order.
std::vector<std::pair<std::uint16_t, Bytes>> records_of(const Bytes& file) {
  auto list = signer::parse_trust_list(file);
  EXPECT_TRUE(list) << list.error().message;
  std::vector<std::pair<std::uint16_t, Bytes>> out;
  if (list) {
    for (const auto& r : list->records) out.emplace_back(r.role.value_or(0xffff), r.certificate);
  }
  return out;
}

const signer::TrustRecord* record_with_role(const signer::TrustList& list, signer::Role role) {
  for (const auto& r : list.records) {
    if (r.role == static_cast<std::uint16_t>(role)) return &r;
  }
  return nullptr;
}

// Exactly the ITL's CCM+TFTP record changes: an expired copy of the CallManager certificate with
// its key, subject, issuer and serial, which verifies the device's .sgn and .enc.sgn as they are
// served (they name their signer by issuer and serial, and those are the copy's).
TEST_F(FaultedTrustTest, ExpiredSignerItlHoldsAnExpiredCopyThatVerifiesTheConfigs) {
  std::string itl_name = std::string("ITL") + kArmed + ".tlv";
  CachedFile normal = fetch(itl_name);
  CachedFile other_before = fetch(std::string("ITL") + kOther + ".tlv");
  arm("sgn-expired-signer", 1);
  CachedFile faulted = fetch(itl_name);
  EXPECT_EQ(faulted.injected, "sgn-expired-signer");
  EXPECT_FALSE(faulted.cache_hit);
  auto list = signer::parse_trust_list(*faulted.bytes);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_TRUE(signer::verify_trust_list(*faulted.bytes, *list));  // still signed by the SAST phones trust
  EXPECT_EQ(list->parsed.header.filename, itl_name);

  auto before = records_of(*normal.bytes), after = records_of(*faulted.bytes);
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].first, after[i].first);
    bool ccm_tftp = before[i].first == static_cast<std::uint16_t>(signer::Role::CcmTftp);
    EXPECT_EQ(before[i].second == after[i].second, !ccm_tftp) << "record " << i;
  }
  const auto* rec = record_with_role(*list, signer::Role::CcmTftp);
  ASSERT_NE(rec, nullptr);
  auto copy = signer::load_cert(rec->certificate);
  ASSERT_TRUE(copy) << copy.error().message;
  const X509& cm = callmanager();
  auto cm_key = signer::cert_public_key(cm);
  ASSERT_TRUE(cm_key);
  EXPECT_TRUE(signer::same_public_key(*X509_get0_pubkey(copy->get()), **cm_key));
  EXPECT_EQ(signer::subject_name(**copy), signer::subject_name(cm));
  EXPECT_EQ(signer::issuer_name(**copy), signer::issuer_name(cm));
  EXPECT_EQ(signer::serial_bytes(**copy), signer::serial_bytes(cm));
  EXPECT_LT(signer::not_after(**copy), std::time(nullptr));
  EXPECT_LT(signer::not_before(**copy), signer::not_after(**copy));
  EXPECT_TRUE(signer::is_self_signed(**copy));
  EXPECT_EQ(X509_verify(copy->get(), cm_key->get()), 1);  // signed as the original: by its own key

  auto copy_key = signer::cert_public_key(**copy);
  ASSERT_TRUE(copy_key);
  for (std::string name : {std::string(kArmed) + ".cnf.xml.sgn", std::string(kArmed) + ".cnf.xml.enc.sgn"}) {
    CachedFile file = fetch(name);
    auto parsed = name.ends_with(".enc.sgn") ? signer::parse_enc_sgn(*file.bytes) : signer::parse_sgn(*file.bytes);
    ASSERT_TRUE(parsed) << name;
    EXPECT_EQ(parsed->header.issuer_name, rec->issuer) << name;
    EXPECT_EQ(parsed->header.serial, rec->serial) << name;
    EXPECT_TRUE(signer::verify_signature(*file.bytes, *parsed, **copy_key)) << name;
  }

  // --count 1 is one boot: the next ITL is the normal one, from the cache, untouched.
  CachedFile next = fetch(itl_name);
  EXPECT_TRUE(next.injected.empty());
  EXPECT_TRUE(next.cache_hit);
  EXPECT_EQ(*next.bytes, *normal.bytes);
  CachedFile other = fetch(std::string("ITL") + kOther + ".tlv");
  EXPECT_TRUE(other.injected.empty());
  EXPECT_EQ(*other.bytes, *other_before.bytes);
}

// Not in mixed mode the CTL is "not found"; with the fault the device gets the CTL mixed mode
// serves (the same records, signed as it is), and no other device does.
TEST_F(FaultedTrustTest, CtlInNonMixedModeServesTheMixedModeCtlToThatDeviceOnly) {
  std::string ctl_name = std::string("CTL") + kArmed + ".tlv";
  std::string other_ctl = std::string("CTL") + kOther + ".tlv";
  auto refused = cache_->fetch(ctl_name);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::NotFound);
  auto entries = cache_->stats().entries;
  arm("ctl-in-non-mixed-mode", std::nullopt);
  CachedFile faulted = fetch(ctl_name);
  EXPECT_EQ(faulted.injected, "ctl-in-non-mixed-mode");
  EXPECT_EQ(faulted.variant, Variant::Ctl);
  auto list = signer::parse_trust_list(*faulted.bytes);
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_TRUE(signer::verify_trust_list(*faulted.bytes, *list));
  EXPECT_EQ(list->parsed.header.filename, ctl_name);
  EXPECT_EQ(cache_->stats().entries, entries) << "a faulted build went into the cache";
  auto other = cache_->fetch(other_ctl);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::NotFound);

  // What mixed mode serves: the same records. There the fault changes nothing, and is not used up.
  ASSERT_TRUE(db::SettingsStore(*db_).set("mixed_mode", "1"));
  CachedFile mixed = fetch(ctl_name);
  EXPECT_TRUE(mixed.injected.empty());
  EXPECT_EQ(records_of(*faulted.bytes), records_of(*mixed.bytes));
  std::vector<std::uint16_t> roles;
  for (const auto& [role, der] : records_of(*mixed.bytes)) roles.push_back(role);
  std::vector<std::uint16_t> wanted;
  for (auto r : {signer::Role::Sast, signer::Role::CcmTftp, signer::Role::Tftp, signer::Role::Capf}) {
    wanted.push_back(static_cast<std::uint16_t>(r));
  }
  std::sort(roles.begin(), roles.end());
  EXPECT_EQ(roles, wanted);  // SAST, CCM+TFTP, CAPF, and HTTPS as TFTP; no TVS (PROTOCOLS §5.5)
  ASSERT_TRUE(db::SettingsStore(*db_).set("mixed_mode", "0"));
  EXPECT_EQ(fetch(ctl_name).injected, "ctl-in-non-mixed-mode");
  // The device's other files are its normal ones.
  EXPECT_TRUE(fetch(std::string("ITL") + kArmed + ".tlv").injected.empty());
  EXPECT_TRUE(fetch(std::string(kArmed) + ".cnf.xml.sgn").injected.empty());
}

}  // namespace
}  // namespace cucm::catalog
