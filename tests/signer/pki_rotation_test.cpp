// Rotating a cluster identity: a new key like the old one, the same subject and names, the old
// files kept, and an imported CA-signed identity refused.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "signer/pki_rotation.hpp"

namespace cucm::signer {
namespace {
namespace fs = std::filesystem;

class Rotation : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cucm-rotate-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto pki = ClusterPki::load_or_create(dir_, {});
    ASSERT_TRUE(pki) << pki.error().message;
    pki_.emplace(std::move(*pki));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::size_t backups() const {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_ / "pki")) n += e.path().string().find(".bak-") != std::string::npos;
    return n;
  }
  fs::path dir_;
  std::optional<ClusterPki> pki_;
};

TEST_F(Rotation, ANewKeyLikeTheOldOneWithTheSameSubjectAndNames) {
  for (auto role : {PkiRole::CallManager, PkiRole::Https}) {
    const X509& before = *pki_->identity(role).cert;
    std::string subject = subject_name(before), key = describe_key(*pki_->identity(role).key);
    Bytes old_der = cert_der(before);
    std::string old_sans;
    if (auto* ext = X509_get_ext(&before, X509_get_ext_by_NID(&before, NID_subject_alt_name, -1))) {
      old_sans.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(X509_EXTENSION_get_data(ext))),
                      static_cast<std::size_t>(ASN1_STRING_length(X509_EXTENSION_get_data(ext))));
    }
    ASSERT_TRUE(rotate_identity(*pki_, role)) << pki_role_name(role);
    const X509& after = *pki_->identity(role).cert;
    EXPECT_NE(cert_der(after), old_der);
    EXPECT_EQ(subject_name(after), subject);
    EXPECT_EQ(describe_key(*pki_->identity(role).key), key);
    std::string new_sans;
    if (auto* ext = X509_get_ext(&after, X509_get_ext_by_NID(&after, NID_subject_alt_name, -1))) {
      new_sans.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(X509_EXTENSION_get_data(ext))),
                      static_cast<std::size_t>(ASN1_STRING_length(X509_EXTENSION_get_data(ext))));
    }
    EXPECT_EQ(new_sans, old_sans) << pki_role_name(role);  // the https names survive
  }
  EXPECT_EQ(backups(), 4u);
  auto reloaded = ClusterPki::load(dir_);  // what is on disk is what is in memory
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_EQ(cert_der(*reloaded->identity(PkiRole::CallManager).cert), cert_der(*pki_->identity(PkiRole::CallManager).cert));
}

TEST_F(Rotation, ACaSignedIdentityIsNotReplacedBySelfSigned) {
  auto ca_key = generate_key({});
  auto ca = make_self_signed(**ca_key, mkcert_profile(**ca_key, {{"CN", "Enterprise CA"}}, 365, HashAlg::Sha256));
  auto key = generate_key({});
  auto req = mkcert_profile(**key, {{"CN", "cucm-emu"}}, 365, HashAlg::Sha256);
  req.is_ca = false;
  auto leaf = issue_cert(**key, req, **ca, **ca_key);
  ASSERT_TRUE(leaf) << leaf.error().message;
  ASSERT_TRUE(pki_->import(PkiRole::CallManager, cert_pem(**leaf), *private_key_pem(**key), cert_pem(**ca)));
  auto r = rotate_identity(*pki_, PkiRole::CallManager);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("pki import"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace cucm::signer
