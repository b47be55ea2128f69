// ITL/CTL: build, parse and verify with RSA and EC certificates, every role, and tampering.
#include <gtest/gtest.h>

#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/trust_list.hpp"
#include "test_support.hpp"

namespace cucm::signer {
namespace {

using test::ec_identity;
using test::rsa_identity;

std::vector<TrustEntry> all_roles() {
  return {{rsa_identity(2048).cert.get(), Role::Sast},
          {rsa_identity(1024).cert.get(), Role::CcmTftp},
          {rsa_identity(4096).cert.get(), Role::Ccm},
          {rsa_identity(1024).cert.get(), Role::Tftp},
          {ec_identity("prime256v1").cert.get(), Role::Capf},
          {ec_identity("secp384r1").cert.get(), Role::AppServer},
          {ec_identity("secp521r1").cert.get(), Role::Tvs}};
}

TEST(TrustList, BuildParseVerifyEveryRoleRsaAndEc) {
  auto entries = all_roles();
  const auto& sast = rsa_identity(2048);
  for (HashAlg h : {HashAlg::Sha1, HashAlg::Sha512}) {
    TrustListOptions o;
    o.hash = h;
    o.timestamp = 1767115542;
    auto file = build_trust_list(entries, o, *sast.key, *sast.cert);
    ASSERT_TRUE(file) << file.error().message;
    auto list = parse_trust_list(*file);
    ASSERT_TRUE(list) << list.error().message;
    EXPECT_EQ(list->parsed.header.version, (std::array<std::uint8_t, 2>{1, 2}));
    ASSERT_TRUE(list->parsed.header.signer_version);
    ASSERT_EQ(list->records.size(), entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& rec = list->records[i];
      const X509& cert = *entries[i].cert;
      EXPECT_EQ(rec.role, static_cast<std::uint16_t>(entries[i].role));
      EXPECT_EQ(rec.subject, subject_name(cert));
      EXPECT_EQ(rec.issuer, issuer_name(cert));
      EXPECT_EQ(rec.serial, serial_bytes(cert));
      EXPECT_EQ(rec.certificate, cert_der(cert));
      EXPECT_EQ(rec.signature, signature_value(cert));
      auto pub = cert_public_key(cert);
      ASSERT_TRUE(pub);
      EXPECT_EQ(rec.public_key, *public_key_raw(**pub));
    }
    // EC records carry an uncompressed point.
    EXPECT_EQ(list->records[4].public_key.size(), 65u);
    EXPECT_EQ(list->records[4].public_key[0], 0x04);
    auto signer = find_signer(*list);
    ASSERT_TRUE(signer);
    EXPECT_EQ((*signer)->offset, list->parsed.header_length);
    EXPECT_TRUE(verify_trust_list(*file, *list));
  }
}

TEST(TrustList, TamperingAnyByteIsDetected) {
  std::vector<TrustEntry> entries{{rsa_identity(1024).cert.get(), Role::Sast},
                                  {ec_identity("prime256v1").cert.get(), Role::Capf}};
  const auto& sast = rsa_identity(1024);
  auto file = build_trust_list(entries, {}, *sast.key, *sast.cert);
  ASSERT_TRUE(file);
  for (std::size_t i = 0; i < file->size(); ++i) {
    Bytes bad = test::flipped(*file, i);
    auto list = parse_trust_list(bad);
    if (!list) continue;
    EXPECT_FALSE(verify_trust_list(bad, *list)) << "flip at " << i << " still verifies";
  }
}

TEST(TrustList, NoSastRecordIsNotFound) {
  std::vector<TrustEntry> entries{{rsa_identity(1024).cert.get(), Role::CcmTftp}};
  auto file = build_trust_list(entries, {}, *rsa_identity(1024).key, *rsa_identity(1024).cert);
  ASSERT_TRUE(file);
  auto list = parse_trust_list(*file);
  ASSERT_TRUE(list);
  auto st = verify_trust_list(*file, *list);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::NotFound);
  EXPECT_NE(st.error().message.find("no SAST record"), std::string::npos);
}

TEST(TrustList, RecordFramingErrors) {
  std::vector<TrustEntry> entries{{rsa_identity(1024).cert.get(), Role::Sast}};
  auto file = build_trust_list(entries, {}, *rsa_identity(1024).key, *rsa_identity(1024).cert);
  ASSERT_TRUE(file);
  auto list = parse_trust_list(*file);
  ASSERT_TRUE(list);
  std::size_t rec = list->parsed.header_length;

  Bytes wrong_tag = *file;
  wrong_tag[rec] = 3;
  auto a = parse_trust_list(wrong_tag);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("first tag 3 vs expected 1 (RecordLength)"), std::string::npos) << a.error().message;

  Bytes too_long = *file;
  too_long[rec + 3] = 0xff;  // record length high byte
  auto b = parse_trust_list(too_long);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("record body"), std::string::npos) << b.error().message;

  Bytes too_short = *file;
  too_short[rec + 3] = 0;
  too_short[rec + 4] = 4;
  auto c = parse_trust_list(too_short);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("smaller than its own length item"), std::string::npos);

  Bytes cut(file->begin(), file->end() - 1);
  auto d = parse_trust_list(cut);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Errc::InvalidArgument);

  // A garbled certificate inside a well-framed record.
  const auto& r0 = list->records[0];
  Bytes garbled = *file;
  std::size_t cert_at = file->size() - r0.certificate.size();
  garbled[cert_at] = 0x00;
  auto e = parse_trust_list(garbled);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("Certificate does not parse"), std::string::npos);
}

TEST(TrustList, RoleNames) {
  EXPECT_EQ(role_name(2), "CCM+TFTP");
  EXPECT_EQ(role_name(21), "TVS");
  EXPECT_EQ(role_name(9), "ROLE-9");
  EXPECT_EQ(*parse_role("app-server"), Role::AppServer);
  EXPECT_FALSE(parse_role("bogus"));
}

}  // namespace
}  // namespace cucm::signer
