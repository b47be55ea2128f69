// Hex, base64 and base64url, with the certHash1 vector of seed 001.
#include <gtest/gtest.h>

#include "core/encoding.hpp"

namespace cucm {
namespace {

TEST(Hex, RoundTripAndErrors) {
  Bytes b{0x00, 0x7f, 0xff, 0xa5};
  EXPECT_EQ(to_hex(b), "007fffa5");
  EXPECT_EQ(to_hex_colon(b), "00:7F:FF:A5");
  EXPECT_EQ(*from_hex("007FffA5"), b);
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : cases) {
    EXPECT_EQ(to_base64(as_bytes(plain)), enc);
    EXPECT_EQ(*from_base64(enc), to_bytes(plain));
  }
  EXPECT_FALSE(from_base64("Zm9v!"));
  EXPECT_FALSE(from_base64("Zg==Zg"));
}

TEST(Base64Url, Rfc4648VectorsUnpaddedWithTheUrlAlphabet) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : cases) EXPECT_EQ(to_base64url(as_bytes(plain)), enc);
  // 0xfb 0xff: "+/8=" in base64, "-_8" here.
  EXPECT_EQ(to_base64(Bytes{0xfb, 0xff}), "+/8=");
  EXPECT_EQ(to_base64url(Bytes{0xfb, 0xff}), "-_8");
  // 32 bytes (a session or API token) are 43 characters.
  EXPECT_EQ(to_base64url(Bytes(32, 0xff)).size(), 43u);
}

TEST(Base64, SeedCertHash1Is20Bytes) {
  // Seed 001: certHash1 fZ2xQHMBcWj/fSoNs5IkPbA2Pt8= is a SHA-1 (20 bytes, 7d9db140…363edf).
  auto b = from_base64("fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=");
  ASSERT_TRUE(b);
  ASSERT_EQ(b->size(), 20u);
  EXPECT_EQ(to_hex(*b).substr(0, 8), "7d9db140");
  EXPECT_EQ(to_hex(*b).substr(34), "363edf");
  EXPECT_EQ(to_base64(*b), "fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=");
}

}  // namespace
}  // namespace cucm
