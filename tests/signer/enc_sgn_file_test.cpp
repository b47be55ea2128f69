// .enc.sgn: encryption round trips, the 0D padding rule, key wrap, digests and tampering.
#include <gtest/gtest.h>

#include "signer/enc_sgn_file.hpp"
#include "signer/keys.hpp"
#include "test_support.hpp"

namespace cucm::signer {
namespace {

using test::rsa_identity;

Bytes config_of(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>('a' + i % 26);
  return b;
}

TEST(EncSgn, RoundTripEveryPaddingLength) {
  const auto& signer = rsa_identity(2048);
  const auto& device = rsa_identity(1024);
  for (std::size_t n = 0; n <= 33; ++n) {
    Bytes plain = config_of(n);
    auto file = build_enc_sgn(plain, *device.key, {"SEPAABBCCDDEEFF.cnf.xml.enc.sgn", HashAlg::Sha1, 7},
                              *signer.key, *signer.cert);
    ASSERT_TRUE(file) << file.error().message;
    auto parsed = parse_enc_sgn(*file);
    ASSERT_TRUE(parsed) << parsed.error().message;
    const auto& e = *parsed->header.encryption;
    EXPECT_EQ(e.pad_count, 16 - n % 16) << n;  // 1..16 bytes, a full block when aligned
    EXPECT_EQ(file->size() - parsed->header_length, n + e.pad_count);
    EXPECT_TRUE(verify_signature(*file, *parsed, *signer.key));
    auto out = decrypt_enc_sgn(*file, *parsed, *device.key);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out, plain);
  }
}

TEST(EncSgn, FieldsAndSizesFor2048BitDevice) {
  const auto& signer = rsa_identity(2048);
  const auto& device = rsa_identity(2048);
  Bytes plain = config_of(8192);
  for (HashAlg h : {HashAlg::Sha1, HashAlg::Sha512}) {
    auto file = build_enc_sgn(plain, *device.key, {"SEP1.cnf.xml.enc.sgn", h, 7}, *signer.key, *signer.cert);
    ASSERT_TRUE(file);
    auto parsed = parse_enc_sgn(*file);
    ASSERT_TRUE(parsed);
    const auto& hd = parsed->header;
    EXPECT_EQ(hd.version, (std::array<std::uint8_t, 2>{2, 0}));
    EXPECT_EQ(hd.encryption->key_bits, 2048);  // 8 x wrapped-key length, as the tools write
    EXPECT_EQ(hd.encryption->wrapped_key.size(), 256u);
    EXPECT_EQ(hd.encryption->cipher, 1);
    EXPECT_EQ(*hd.digest_algorithm, static_cast<std::uint8_t>(h));
    EXPECT_EQ(hd.digest, digest(h, plain));
    // PROTOCOLS §5.3: IvInfo 28 bytes of children, KeyInfo 272, EncryptionInfo 306.
    for (const auto& f : parsed->trace) {
      if (f.name == "IvInfo") { EXPECT_EQ(f.length, 28u); }
      if (f.name == "KeyInfo") { EXPECT_EQ(f.length, 272u); }
      if (f.name == "EncryptionInfo") { EXPECT_EQ(f.length, 306u); }
    }
    auto out = decrypt_enc_sgn(*file, *parsed, *device.key);
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, plain);
  }
}

TEST(EncSgn, FreshKeyAndIvPerFile) {
  const auto& signer = rsa_identity(1024);
  const auto& device = rsa_identity(1024);
  Bytes plain = config_of(100);
  auto a = build_enc_sgn(plain, *device.key, {"x.enc.sgn", HashAlg::Sha1, 7}, *signer.key, *signer.cert);
  auto b = build_enc_sgn(plain, *device.key, {"x.enc.sgn", HashAlg::Sha1, 7}, *signer.key, *signer.cert);
  ASSERT_TRUE(a && b);
  auto pa = parse_enc_sgn(*a), pb = parse_enc_sgn(*b);
  ASSERT_TRUE(pa && pb);
  EXPECT_NE(pa->header.encryption->iv, pb->header.encryption->iv);
  auto ka = unwrap_key(pa->header.encryption->wrapped_key, *device.key);
  auto kb = unwrap_key(pb->header.encryption->wrapped_key, *device.key);
  ASSERT_TRUE(ka && kb);
  EXPECT_NE(*ka, *kb);
}

TEST(EncSgn, WrongDeviceKeyFailsToUnwrapOrDigest) {
  const auto& signer = rsa_identity(1024);
  auto file = build_enc_sgn(config_of(64), *rsa_identity(1024).key, {"x.enc.sgn", HashAlg::Sha1, 7},
                            *signer.key, *signer.cert);
  ASSERT_TRUE(file);
  auto parsed = parse_enc_sgn(*file);
  ASSERT_TRUE(parsed);
  auto out = decrypt_enc_sgn(*file, *parsed, *rsa_identity(2048).key);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::Unauthenticated);
}

TEST(EncSgn, TamperedCiphertextOrPadCountIsCaught) {
  const auto& signer = rsa_identity(1024);
  const auto& device = rsa_identity(1024);
  auto file = build_enc_sgn(config_of(40), *device.key, {"x.enc.sgn", HashAlg::Sha1, 7}, *signer.key, *signer.cert);
  ASSERT_TRUE(file);
  auto parsed = parse_enc_sgn(*file);
  ASSERT_TRUE(parsed);
  // Every byte flip: the signature fails, or the file no longer parses.
  for (std::size_t i = 0; i < file->size(); ++i) {
    Bytes bad = test::flipped(*file, i);
    auto p = parse_enc_sgn(bad);
    if (p) { EXPECT_FALSE(verify_signature(bad, *p, *signer.key)) << "flip at " << i; }
  }
  // Unsigned tampering of the last ciphertext byte: in CBC it changes the last byte of the
  // plaintext, a 0D of the padding, which the padding check catches on decrypt.
  Bytes bad = test::flipped(*file, file->size() - 1);
  auto p = parse_enc_sgn(bad);
  ASSERT_TRUE(p);
  auto out = decrypt_enc_sgn(bad, *p, *device.key);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("bad padding"), std::string::npos) << out.error().message;
  // A byte of the last block before the padding: the padding is intact, the digest is not.
  std::size_t pad = p->header.encryption->pad_count;
  if (pad < 16) {
    Bytes early = test::flipped(*file, file->size() - 32);  // the block before: flips the last block's first byte
    auto q = parse_enc_sgn(early);
    ASSERT_TRUE(q);
    auto out2 = decrypt_enc_sgn(early, *q, *device.key);
    ASSERT_FALSE(out2);
    EXPECT_NE(out2.error().message.find("digest"), std::string::npos) << out2.error().message;
  }
}

TEST(EncSgn, StructuralErrorsAreNamed) {
  const auto& signer = rsa_identity(1024);
  const auto& device = rsa_identity(1024);
  auto file = build_enc_sgn(config_of(40), *device.key, {"x.enc.sgn", HashAlg::Sha1, 7}, *signer.key, *signer.cert);
  ASSERT_TRUE(file);
  // Drop one ciphertext byte: no longer a multiple of 16.
  Bytes short_ct(file->begin(), file->end() - 1);
  auto p = parse_enc_sgn(short_ct);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("not a non-empty multiple of 16"), std::string::npos);
  // A pad count of 17 (tag 20 value lives inside IvInfo).
  auto parsed = parse_enc_sgn(*file);
  ASSERT_TRUE(parsed);
  for (const auto& f : parsed->trace) {
    if (f.tag != 20) continue;
    Bytes bad = *file;
    bad[f.offset + 4] = 17;
    auto q = parse_enc_sgn(bad);
    ASSERT_FALSE(q);
    EXPECT_NE(q.error().message.find("PadCount (tag 20) is 17"), std::string::npos) << q.error().message;
  }
}

TEST(EncSgn, EcDeviceKeyIsRefusedWithReason) {
  const auto& signer = rsa_identity(1024);
  auto file = build_enc_sgn(config_of(10), *test::ec_identity("prime256v1").key, {"x.enc.sgn", HashAlg::Sha1, 7},
                            *signer.key, *signer.cert);
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().message.find("only RSA device keys"), std::string::npos);
}

}  // namespace
}  // namespace cucm::signer
