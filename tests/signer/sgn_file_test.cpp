// .sgn: round trips for every digest and RSA size, tamper detection, and refused signers.
#include <gtest/gtest.h>

#include "signer/sgn_file.hpp"
#include "signer/keys.hpp"
#include "test_support.hpp"

namespace cucm::signer {
namespace {

using test::rsa_identity;

struct SizeAndHash {
  int bits;
  HashAlg hash;
};

void PrintTo(const SizeAndHash& p, std::ostream* os) { *os << "rsa" << p.bits << "_" << hash_name(p.hash); }

class SgnRoundTrip : public ::testing::TestWithParam<SizeAndHash> {};

TEST_P(SgnRoundTrip, BuildParseVerifyStrip) {
  const auto& id = rsa_identity(GetParam().bits);
  Bytes payload = to_bytes("<device><fullConfig>true</fullConfig></device>\n");
  SgnOptions o{"SEP001122334455.cnf.xml.sgn", GetParam().hash, 1767115542};
  auto file = build_sgn(payload, o, *id.key, *id.cert);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(((*file)[8] << 8 | (*file)[9]) % 4, 0);  // header is 4-aligned
  auto parsed = parse_sgn(*file);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->header.version, (std::array<std::uint8_t, 2>{1, 0}));
  EXPECT_EQ(parsed->header.filename, o.filename);
  EXPECT_EQ(parsed->header.hash, GetParam().hash);
  EXPECT_EQ(parsed->header.timestamp, o.timestamp);
  EXPECT_EQ(parsed->header.signature.size(), static_cast<std::size_t>(GetParam().bits / 8));
  EXPECT_EQ(parsed->header.signer_name, "CN=rsa" + std::to_string(GetParam().bits) + ",OU=Test,O=cucm-emu");
  auto body = sgn_payload(*file, *parsed);
  EXPECT_EQ(Bytes(body.begin(), body.end()), payload);
  EXPECT_TRUE(verify_signature(*file, *parsed, *id.key));
}

INSTANTIATE_TEST_SUITE_P(AllSizes, SgnRoundTrip,
                         ::testing::Values(SizeAndHash{1024, HashAlg::Sha1}, SizeAndHash{1024, HashAlg::Sha512},
                                           SizeAndHash{2048, HashAlg::Sha1}, SizeAndHash{2048, HashAlg::Sha512},
                                           SizeAndHash{4096, HashAlg::Sha1}, SizeAndHash{4096, HashAlg::Sha512}),
                         [](const auto& param_info) {
                           return "rsa" + std::to_string(param_info.param.bits) + "_" +
                                  std::string(hash_name(param_info.param.hash));
                         });

TEST(Sgn, FlippingAnyByteBreaksParseOrSignature) {
  const auto& id = rsa_identity(1024);
  Bytes payload = to_bytes("<device>payload under test</device>");
  auto file = build_sgn(payload, {"t.sgn", HashAlg::Sha1, 42}, *id.key, *id.cert);
  ASSERT_TRUE(file);
  for (std::size_t i = 0; i < file->size(); ++i) {
    Bytes bad = test::flipped(*file, i);
    auto parsed = parse_sgn(bad);
    if (!parsed) continue;  // framing broke: also a rejection
    EXPECT_FALSE(verify_signature(bad, *parsed, *id.key)) << "flip at " << i << " still verifies";
  }
}

TEST(Sgn, WrongKeyIsUnauthenticated) {
  auto file = build_sgn(to_bytes("x"), {"t.sgn", HashAlg::Sha1, 1}, *rsa_identity(2048).key, *rsa_identity(2048).cert);
  ASSERT_TRUE(file);
  auto parsed = parse_sgn(*file);
  ASSERT_TRUE(parsed);
  // Another 2048-bit key: same size, wrong key.
  auto other = generate_key(KeySpec{});
  ASSERT_TRUE(other);
  auto st = verify_signature(*file, *parsed, **other);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::Unauthenticated);
  // A key of another size: the signature size is named.
  auto st2 = verify_signature(*file, *parsed, *rsa_identity(1024).key);
  ASSERT_FALSE(st2);
  EXPECT_NE(st2.error().message.find("256 bytes vs 128"), std::string::npos) << st2.error().message;
}

TEST(Sgn, RefusesSha256Rsa3072AndEcSigners) {
  Bytes p = to_bytes("x");
  auto sha256 = build_sgn(p, {"t.sgn", HashAlg::Sha256, 1}, *rsa_identity(2048).key, *rsa_identity(2048).cert);
  ASSERT_FALSE(sha256);
  EXPECT_NE(sha256.error().message.find("sha1 or sha512"), std::string::npos);
  auto r3072 = build_sgn(p, {"t.sgn", HashAlg::Sha1, 1}, *rsa_identity(3072).key, *rsa_identity(3072).cert);
  ASSERT_FALSE(r3072);
  EXPECT_NE(r3072.error().message.find("384-byte"), std::string::npos);
  const auto& ec = test::ec_identity("prime256v1");
  auto e = build_sgn(p, {"t.sgn", HashAlg::Sha1, 1}, *ec.key, *ec.cert);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("RSA signer"), std::string::npos);
}

TEST(Sgn, EmptyPayloadAndLargePayload) {
  const auto& id = rsa_identity(2048);
  for (std::size_t n : {std::size_t{0}, std::size_t{1} << 20}) {
    Bytes payload(n, 'z');
    auto file = build_sgn(payload, {"big.sgn", HashAlg::Sha512, 1}, *id.key, *id.cert);
    ASSERT_TRUE(file);
    auto parsed = parse_sgn(*file);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(sgn_payload(*file, *parsed).size(), n);
    EXPECT_TRUE(verify_signature(*file, *parsed, *id.key));
  }
}

TEST(Sgn, ParseNamesTheRightCommandForOtherFormats) {
  Header h;
  h.version = {1, 2};
  h.signer_version = std::array<std::uint8_t, 2>{1, 0};
  h.signature = Bytes(64, 1);
  auto itl = build_header(h);
  ASSERT_TRUE(itl);
  auto p = parse_sgn(itl->bytes);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("tlv parse"), std::string::npos);
  h = Header{};
  h.version = {2, 0};
  h.signature = Bytes(64, 1);
  h.encryption = EncryptionInfo{};
  h.encryption->iv = Bytes(16, 0);
  auto enc = build_header(h);
  ASSERT_TRUE(enc);
  p = parse_sgn(enc->bytes);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("enc parse"), std::string::npos);
}

}  // namespace
}  // namespace cucm::signer
