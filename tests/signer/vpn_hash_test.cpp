// The VPN headend check (seed 001): the hash the phone computes of the headend's certificate and
// its comparison with certHash1 ... certHashN, including the seed's own value.
#include "signer/vpn_hash.hpp"

#include <gtest/gtest.h>

#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/digest.hpp"
#include "test_support.hpp"

namespace cucm::signer {
namespace {

constexpr const char* kSeedCertHash1 = "fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=";

Bytes der_of(const test::TestIdentity& id) { return cert_der(*id.cert); }

TEST(VpnHash, TheSeedsCertHash1IsAWellFormedSha1Hash) {
  auto bytes = from_base64(kSeedCertHash1);
  ASSERT_TRUE(bytes);
  ASSERT_EQ(bytes->size(), 20u);
  std::string hex = to_hex(*bytes);
  EXPECT_EQ(hex.substr(0, 8), "7d9db140");
  EXPECT_EQ(hex.substr(hex.size() - 6), "363edf");
  EXPECT_EQ(vpn_hash_format_problem(kSeedCertHash1, VpnHashAlg::Sha1), "");
  // In a SHA-512 group the same value can never match, and the check says why.
  EXPECT_EQ(vpn_hash_format_problem(kSeedCertHash1, VpnHashAlg::Sha512), "20 bytes (a SHA-1 hash) vs 64 for SHA-512");
  // The seed's headend certificate is not ours: only the format check applies, and any
  // certificate we have is a mismatch against it.
  std::vector<std::string> group{kSeedCertHash1};
  auto c = compare_vpn_hashes(der_of(test::rsa_identity(2048)), VpnHashAlg::Sha1, group);
  EXPECT_FALSE(c.accepted());
  ASSERT_EQ(c.hashes.size(), 1u);
  EXPECT_EQ(c.hashes[0].index, 1);
  EXPECT_EQ(c.hashes[0].problem, "");
  EXPECT_FALSE(c.hashes[0].match);
}

TEST(VpnHash, TheHashIsTheDigestOfTheDerInBase64) {
  Bytes der = der_of(test::rsa_identity(2048));
  EXPECT_EQ(vpn_cert_hash(der, VpnHashAlg::Sha1), to_base64(digest(HashAlg::Sha1, der)));
  EXPECT_EQ(vpn_cert_hash(der, VpnHashAlg::Sha512), to_base64(digest(HashAlg::Sha512, der)));
  EXPECT_EQ(vpn_cert_hash(der, VpnHashAlg::Sha1).size(), 28u);    // PROTOCOLS §7.3
  EXPECT_EQ(vpn_cert_hash(der, VpnHashAlg::Sha512).size(), 88u);
  // The same as cert_hash_base64, which `certhash` prints.
  EXPECT_EQ(vpn_cert_hash(der, VpnHashAlg::Sha1), cert_hash_base64(*test::rsa_identity(2048).cert, HashAlg::Sha1));
  const X509* certs[] = {test::rsa_identity(2048).cert.get(), test::ec_identity("prime256v1").cert.get()};
  auto hashes = vpn_cert_hashes(certs, VpnHashAlg::Sha512);
  ASSERT_EQ(hashes.size(), 2u);
  EXPECT_EQ(hashes[0], vpn_cert_hash(der, VpnHashAlg::Sha512));
  EXPECT_EQ(hashes[1], vpn_cert_hash(der_of(test::ec_identity("prime256v1")), VpnHashAlg::Sha512));
}

TEST(VpnHash, TheFirstMatchingCertHashIsReportedAndEveryOtherIsListed) {
  Bytes headend = der_of(test::rsa_identity(2048));
  Bytes other = der_of(test::ec_identity("prime256v1"));
  for (auto alg : {VpnHashAlg::Sha1, VpnHashAlg::Sha512}) {
    std::vector<std::string> group{vpn_cert_hash(other, alg), "", vpn_cert_hash(headend, alg), vpn_cert_hash(headend, alg)};
    auto c = compare_vpn_hashes(headend, alg, group);
    EXPECT_EQ(c.presented, vpn_cert_hash(headend, alg));
    ASSERT_TRUE(c.accepted());
    EXPECT_EQ(*c.matched, 3);  // certHash2 is absent and skipped; numbering follows the config
    ASSERT_EQ(c.hashes.size(), 3u);
    EXPECT_EQ(c.hashes[0].index, 1);
    EXPECT_FALSE(c.hashes[0].match);
    EXPECT_EQ(c.hashes[1].index, 3);
    EXPECT_TRUE(c.hashes[1].match);
    EXPECT_TRUE(c.hashes[2].match);
  }
}

TEST(VpnHash, AMismatchIsBadCertificateWhateverTheFormat) {
  Bytes headend = der_of(test::rsa_identity(2048));
  std::string sha1 = vpn_cert_hash(headend, VpnHashAlg::Sha1);
  struct Case {
    const char* name;
    std::string value;
    VpnHashAlg alg;
    const char* problem;
  };
  const std::vector<Case> cases = {
      {"another certificate", vpn_cert_hash(der_of(test::ec_identity("prime256v1")), VpnHashAlg::Sha1), VpnHashAlg::Sha1, ""},
      {"the right hash under the other algorithm", sha1, VpnHashAlg::Sha512, "20 bytes (a SHA-1 hash) vs 64 for SHA-512"},
      {"a SHA-512 hash in a SHA-1 group", vpn_cert_hash(headend, VpnHashAlg::Sha512), VpnHashAlg::Sha1,
       "64 bytes (a SHA-512 hash) vs 20 for SHA-1"},
      {"hex instead of base64", to_hex(digest(HashAlg::Sha1, headend)), VpnHashAlg::Sha1, "30 bytes vs 20 for SHA-1"},
      {"not base64", "not*base64", VpnHashAlg::Sha1, "not base64"},
      {"padding missing", sha1.substr(0, sha1.size() - 1), VpnHashAlg::Sha1, "not base64"},
  };
  for (const auto& k : cases) {
    std::vector<std::string> group{k.value};
    auto c = compare_vpn_hashes(headend, k.alg, group);
    EXPECT_FALSE(c.accepted()) << k.name;
    ASSERT_EQ(c.hashes.size(), 1u) << k.name;
    EXPECT_EQ(c.hashes[0].problem, k.problem) << k.name;
  }
  // No hash at all: nothing to match.
  auto none = compare_vpn_hashes(headend, VpnHashAlg::Sha1, {});
  EXPECT_FALSE(none.accepted());
  EXPECT_TRUE(none.hashes.empty());
  // Whitespace around a value from a config is not a difference.
  std::vector<std::string> spaced{"\n  " + sha1 + "\n"};
  EXPECT_TRUE(compare_vpn_hashes(headend, VpnHashAlg::Sha1, spaced).accepted());
}

TEST(VpnHash, AlgorithmNames) {
  EXPECT_EQ(*parse_vpn_hash_alg("sha1"), VpnHashAlg::Sha1);
  EXPECT_EQ(*parse_vpn_hash_alg("sha512"), VpnHashAlg::Sha512);
  auto bad = parse_vpn_hash_alg("sha256");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "vpn hash algorithm 'sha256' vs sha1 or sha512");
  EXPECT_EQ(vpn_hash_alg_label(VpnHashAlg::Sha512), "SHA-512");
  EXPECT_EQ(vpn_hash_size(VpnHashAlg::Sha1), 20u);
  EXPECT_EQ(vpn_hash_size(VpnHashAlg::Sha512), 64u);
}

}  // namespace
}  // namespace cucm::signer
