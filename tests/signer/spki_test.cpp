// The direct SubjectPublicKeyInfo codec must agree byte for byte with OpenSSL's, and hand
// everything it does not handle back to OpenSSL.
#include <gtest/gtest.h>

#include <openssl/x509.h>

#include "signer/keys.hpp"
#include "signer/spki.hpp"

namespace cucm::signer {
namespace {

Bytes openssl_spki(EVP_PKEY& key) {
  int n = i2d_PUBKEY(&key, nullptr);
  Bytes out(static_cast<std::size_t>(n > 0 ? n : 0));
  unsigned char* p = out.data();
  i2d_PUBKEY(&key, &p);
  return out;
}

PkeyPtr keygen(const char* type, const char* param) {
  EVP_PKEY* raw = std::string_view(type) == "RSA"
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(std::atoi(param)))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, type, param);
  return PkeyPtr(raw);
}

class SpkiRoundTrip : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(SpkiRoundTrip, MatchesOpenSslBothWays) {
  auto key = keygen(GetParam().first, GetParam().second);
  ASSERT_TRUE(key);
  Bytes reference = openssl_spki(*key);
  ASSERT_FALSE(reference.empty());

  auto ours = encode_spki_fast(*key);
  ASSERT_TRUE(ours);
  EXPECT_EQ(*ours, reference);

  auto decoded = decode_spki_fast(reference);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(EVP_PKEY_eq(decoded.get(), key.get()), 1);
  EXPECT_EQ(openssl_spki(*decoded), reference);
  auto again = encode_spki_fast(*decoded);  // the fuzz target relies on this round trip
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, reference);

  EXPECT_EQ(public_copy_fast(*decoded), nullptr);  // already a legacy object
  auto copy = public_copy_fast(*key);
  ASSERT_TRUE(copy);
  EXPECT_EQ(EVP_PKEY_eq(copy.get(), key.get()), 1);
  EXPECT_EQ(openssl_spki(*copy), reference);
  // A certificate built on the copy carries the same SubjectPublicKeyInfo and hands the key back.
  X509Ptr cert(X509_new());
  ASSERT_EQ(X509_set_pubkey(cert.get(), copy.get()), 1);
  ASSERT_NE(X509_get0_pubkey(cert.get()), nullptr);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()), 1);
}

INSTANTIATE_TEST_SUITE_P(Keys, SpkiRoundTrip,
                         ::testing::Values(std::pair{"RSA", "1024"}, std::pair{"RSA", "2048"}, std::pair{"RSA", "3072"},
                                           std::pair{"EC", "prime256v1"}, std::pair{"EC", "secp384r1"},
                                           std::pair{"EC", "secp521r1"}),
                         [](const auto& p) { return std::string(p.param.first) + "_" + p.param.second; });

TEST(Spki, KeysItDoesNotHandleGoToOpenSsl) {
  auto ed = keygen("ED25519", nullptr);
  auto k1 = keygen("EC", "secp256k1");
  for (auto* key : {ed.get(), k1.get()}) {
    ASSERT_NE(key, nullptr);
    EXPECT_FALSE(encode_spki_fast(*key));
    EXPECT_EQ(public_copy_fast(*key), nullptr);
    Bytes der = openssl_spki(*key);
    EXPECT_EQ(decode_spki_fast(der), nullptr);
    auto loaded = load_public_key(der);  // the general path still reads them
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(EVP_PKEY_eq(loaded->get(), key), 1);
    auto spki = public_key_spki_der(**loaded);
    ASSERT_TRUE(spki);
    EXPECT_EQ(*spki, der);
  }
}

TEST(Spki, ExplicitCurveParametersStayWithOpenSsl) {
  auto key = keygen("EC", "prime256v1");
  ASSERT_TRUE(key);
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(key.get(), "encoding", "explicit"), 1);
  Bytes der = openssl_spki(*key);
  ASSERT_GT(der.size(), 91u);  // the curve's parameters instead of its OID
  EXPECT_FALSE(encode_spki_fast(*key));
  EXPECT_EQ(public_copy_fast(*key), nullptr);
  EXPECT_EQ(decode_spki_fast(der), nullptr);
  auto spki = public_key_spki_der(*key);
  ASSERT_TRUE(spki);
  EXPECT_EQ(*spki, der);
}

TEST(Spki, CompressedEcPointFallsBackToOpenSsl) {
  auto key = keygen("EC", "prime256v1");
  ASSERT_TRUE(key);
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(key.get(), "point-format", "compressed"), 1);
  Bytes der = openssl_spki(*key);
  ASSERT_EQ(der.size(), 59u);  // 33-byte point
  EXPECT_EQ(decode_spki_fast(der), nullptr);
  auto loaded = load_public_key(der);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(EVP_PKEY_eq(loaded->get(), key.get()), 1);
}

TEST(Spki, EveryTruncationAndTrailingByteIsRefused) {
  auto key = keygen("RSA", "1024");
  ASSERT_TRUE(key);
  Bytes der = openssl_spki(*key);
  for (std::size_t n = 0; n < der.size(); ++n) {
    EXPECT_EQ(decode_spki_fast(ByteView(der).first(n)), nullptr) << n;
  }
  Bytes longer = der;
  longer.push_back(0);
  EXPECT_EQ(decode_spki_fast(longer), nullptr);
}

TEST(Spki, NonCanonicalDerIsLeftToOpenSsl) {
  auto key = keygen("EC", "prime256v1");
  ASSERT_TRUE(key);
  Bytes der = openssl_spki(*key);
  ASSERT_EQ(der[1], 0x59);
  // The same SEQUENCE with its length in long form (0x81 0x59): valid BER, not DER.
  Bytes long_form{der[0], 0x81};
  long_form.insert(long_form.end(), der.begin() + 1, der.end());
  EXPECT_EQ(decode_spki_fast(long_form), nullptr);

  auto rsa = keygen("RSA", "1024");
  ASSERT_TRUE(rsa);
  Bytes r = openssl_spki(*rsa);
  // Unused-bits byte of the BIT STRING must be 0.
  Bytes bad_bits = r;
  // 30 81 9F | AlgorithmIdentifier (15 bytes) | 03 81 8D | unused-bits byte
  const std::size_t pos = 3 + 15 + 3;
  ASSERT_EQ(bad_bits[pos - 3], 0x03);
  ASSERT_EQ(bad_bits[pos], 0x00);
  bad_bits[pos] = 1;
  EXPECT_EQ(decode_spki_fast(bad_bits), nullptr);
}

TEST(Spki, EcPointOffTheCurveIsRefusedByBothPaths) {
  auto key = keygen("EC", "prime256v1");
  ASSERT_TRUE(key);
  Bytes der = openssl_spki(*key);
  der.back() ^= 0x01;
  EXPECT_EQ(decode_spki_fast(der), nullptr);
  EXPECT_FALSE(load_public_key(der));
}

TEST(Spki, RsaIntegerWithRedundantLeadingZeroIsRefused) {
  // SEQUENCE { SEQUENCE { rsaEncryption, NULL }, BIT STRING { 0, SEQUENCE { INTEGER 00 01, INTEGER 03 } } }
  Bytes der{0x30, 0x1B, 0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01,
            0x05, 0x00, 0x03, 0x0A, 0x00, 0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x03};
  ASSERT_EQ(der.size(), 2u + 0x1B);
  EXPECT_EQ(decode_spki_fast(der), nullptr);
}

}  // namespace
}  // namespace cucm::signer
