// The shared header codec: golden bytes, round trips, and one clear error per malformation.
#include <gtest/gtest.h>

#include "core/encoding.hpp"
#include "signer/tlv_header.hpp"

namespace cucm::signer {
namespace {

// A minimal .sgn header assembled by hand from PROTOCOLS §5.1, with a 64-byte signature;
// the byte range of each item is in its comment.
Bytes golden_header() {
  std::string hex =
      "01" "0002" "0100"                    // Version 1.0                       (0..4)
      "02" "0002" "0084"                    // HeaderLength 132                  (5..9)
      "03" "000f"                           // SignerInfo, 15 bytes              (10..12)
      "04" "0002" "4100"                    //   SignerName "A"
      "06" "0002" "4200"                    //   IssuerName "B"
      "05" "0002" "0102"                    //   SerialNumber 0102
      "07" "000f"                           // SignatureInfo, 15 bytes           (28..30)
      "08" "0001" "01"                      //   HashAlgorithm SHA-1
      "09" "0008"                           //   SignatureAlgorithmInfo
      "0a" "0001" "00"                      //     SignatureAlgorithm RSA
      "0b" "0001" "00"                      //     SignatureModulus 0 (64 bytes)
      "0c" "0040" + std::string(128, 'a') + // Signature, 64 bytes              (46..112)
      "0e" "0006" "782e73676e00"            // Filename "x.sgn"
      "0f" "0004" "00000001"                // Timestamp 1                       (122..128)
      "0d0d0d";                             // Padding to a multiple of 4        (129..131)
  auto b = from_hex(hex);
  return *b;
}

TEST(TlvHeader, GoldenBytesParse) {
  Bytes file = golden_header();
  ASSERT_EQ(file.size(), 132u);
  auto p = parse_header(file, "sgn");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->header.signer_name, "A");
  EXPECT_EQ(p->header.issuer_name, "B");
  EXPECT_EQ(to_hex(p->header.serial), "0102");
  EXPECT_EQ(p->header.hash, HashAlg::Sha1);
  EXPECT_EQ(p->header.signature.size(), 64u);
  EXPECT_EQ(p->header.filename, "x.sgn");
  EXPECT_EQ(p->header.timestamp, 1u);
  EXPECT_EQ(p->signature_item_offset, 46u);
  EXPECT_EQ(p->signature_item_size, 67u);
  // build(parse(golden)) == golden
  auto built = build_header(p->header);
  ASSERT_TRUE(built);
  EXPECT_EQ(built->bytes, file);
  EXPECT_EQ(built->signature_item_offset, 46u);
}

Header sample_header() {
  Header h;
  h.version = {2, 0};
  h.signer_name = "CN=cucm,O=Lab\\, Inc";
  h.issuer_name = "CN=cucm";
  h.serial = {0x80, 0x01, 0x02};
  h.hash = HashAlg::Sha512;
  h.signature_modulus = 1;
  h.signature = Bytes(128, 0x5a);
  h.filename = "SEP001122334455.cnf.xml.enc.sgn";
  h.timestamp = 0x69540B16;
  EncryptionInfo e;
  e.iv = Bytes(16, 0x11);
  e.pad_count = 7;
  e.key_bits = 1024;
  e.wrapped_key = Bytes(128, 0x22);
  h.encryption = e;
  h.digest_algorithm = 3;
  h.digest = Bytes(64, 0x33);
  return h;
}

TEST(TlvHeader, RoundTripWithEncryptionAndAlignment) {
  for (std::size_t name_len = 0; name_len < 8; ++name_len) {  // every alignment remainder
    Header h = sample_header();
    h.filename = std::string(name_len + 1, 'f');
    auto built = build_header(h);
    ASSERT_TRUE(built) << built.error().message;
    EXPECT_EQ(built->bytes.size() % 4, 0u);
    auto p = parse_header(built->bytes, "enc");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->header, h);
    EXPECT_EQ(p->header_length, built->bytes.size());
    // EncryptionInfo sizes for a 1024-bit key: IvInfo 28, KeyInfo 144 bytes of children.
  }
}

TEST(TlvHeader, EveryTruncationFailsCleanly) {
  auto built = build_header(sample_header());
  ASSERT_TRUE(built);
  for (std::size_t n = 0; n < built->bytes.size(); ++n) {
    Bytes cut(built->bytes.begin(), built->bytes.begin() + static_cast<std::ptrdiff_t>(n));
    auto p = parse_header(cut, "sgn");
    ASSERT_FALSE(p) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(p.error().code, Errc::InvalidArgument);
    EXPECT_EQ(p.error().message.rfind("sgn: ", 0), 0u) << p.error().message;
  }
}

struct BadCase {
  const char* name;
  std::string hex;
  const char* message;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class TlvHeaderBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(TlvHeaderBad, ClearErrorNamingOffsetAndField) {
  auto bytes = from_hex(GetParam().hex);
  ASSERT_TRUE(bytes);
  auto p = parse_header(*bytes, "sgn");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Errc::InvalidArgument);
  EXPECT_NE(p.error().message.find(GetParam().message), std::string::npos) << p.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, TlvHeaderBad,
    ::testing::Values(
        BadCase{"empty", "", "first item tag at offset 0: needs 1 bytes but only 0 remain"},
        BadCase{"not_version", "0200020100", "first item tag at offset 1: 2 vs expected 1 (Version)"},
        BadCase{"version_wrong_length", "010003010000", "Version length at offset 3: 3 vs expected 2"},
        BadCase{"no_header_length", "01000201000e000100", "second item tag at offset 5: 14 vs expected 2"},
        BadCase{"header_length_past_end", "0100020100020002ffff", "HeaderLength at offset 5: 65535 exceeds the file size 10"},
        BadCase{"header_length_smaller_than_fields", "01000201000200020004", "4 is smaller than the 10 bytes"},
        BadCase{"item_past_header_end", "0100020100020002000f" "0e0010414243", "value of Filename (tag 14) at offset 13: needs 16 bytes but only 2 remain"},
        BadCase{"container_past_end", "01000201000200020010" "0300084100" "000000", "value of SignerInfo (tag 3) at offset 13: needs 8 bytes"},
        BadCase{"child_past_container", "01000201000200020016" "030004" "04000541" "0d0d0d0d0d0d0d0d0d", "value of SignerName (tag 4) at offset 16"},
        BadCase{"timestamp_wrong_size", "0100020100020002000f" "0f000201020d", "Timestamp (tag 15) at offset 10: length 2 vs expected 4"},
        BadCase{"unknown_hash_code", "01000201000200020015" "07000408000109" "0d0d0d0d", "unknown hash code 9"},
        BadCase{"no_hash", "0100020100020002000e" "0c000100", "has no HashAlgorithm (tag 8)"},
        BadCase{"no_signature", "01000201000200020018" "07000708000101090000" "0d0d0d0d", "has no Signature (tag 12)"},
        BadCase{"empty_signature", "01000201000200020018" "07000708000101090000" "0c0000" "0d", "empty signature"},
        BadCase{"two_signatures", "0100020100020002001c" "07000708000101090000" "0c000100" "0c000100", "signature appears twice"},
        BadCase{"length_cut_in_half", "01000201000200020016" "07000708000101090000" "0e00",
                "length of Filename (tag 14) at offset 21: needs 2 bytes but only 1 remain"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(TlvHeader, UnknownTagsAreSkippedByLength) {
  // Tag 0x63 (unknown) with 3 bytes, between the SignatureInfo and the Signature.
  auto b = from_hex("01000201000200020020" "07000708000101090000" "63000378797a" "0c000100" "0d0d");
  ASSERT_TRUE(b);
  (*b)[9] = static_cast<std::uint8_t>(b->size());
  auto p = parse_header(*b, "sgn");
  ASSERT_TRUE(p) << p.error().message;
  bool seen = false;
  for (auto& f : p->trace) seen |= (f.tag == 0x63 && f.name == "unknown" && f.length == 3);
  EXPECT_TRUE(seen);
}

TEST(TlvHeader, ModulusCodes) {
  EXPECT_EQ(*modulus_code(64), 0);
  EXPECT_EQ(*modulus_code(128), 1);
  EXPECT_EQ(*modulus_code(256), 2);
  EXPECT_EQ(*modulus_code(512), 3);
  auto bad = modulus_code(384);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("384-byte"), std::string::npos);
}

}  // namespace
}  // namespace cucm::signer

namespace cucm::signer {
namespace {

// Found by fuzzing: containers nested thousands deep overflowed the stack.
TEST(TlvHeader, DeepNestingIsRefusedNotRecursed) {
  const std::size_t depth = 12000;
  Bytes b = *from_hex("0100020100" "020002ffff");
  for (std::size_t i = 0; i < depth; ++i) {
    std::size_t remaining = (depth - i - 1) * 3;
    b.push_back(tag::kSignerInfo);
    b.push_back(static_cast<std::uint8_t>(remaining >> 8));
    b.push_back(static_cast<std::uint8_t>(remaining));
  }
  b.resize(0xffff, 0);
  auto p = parse_header(b, "sgn");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("nested deeper than 2"), std::string::npos) << p.error().message;
}

// Found by fuzzing: a header with EncryptionInfo fields but no Iv was built with an empty Iv.
TEST(TlvHeader, BuildRefusesAnIvThatIsNot16Bytes) {
  Header h;
  h.signature = Bytes(64, 1);
  h.encryption = EncryptionInfo{};
  auto built = build_header(h);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, Errc::InvalidArgument);
}

}  // namespace
}  // namespace cucm::signer
