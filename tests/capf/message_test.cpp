// CAPF message codec: the PROTOCOLS §3.6 examples both ways, a full round trip, the write order,
// and one named error per malformation.
#include "capf/proto/message.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/encoding.hpp"

namespace cucm::capf {
namespace {

// Hex with spaces allowed, so the examples read as in PROTOCOLS §3.6.
Bytes hex(std::string_view spaced) {
  std::string plain;
  for (char c : spaced) {
    if (c != ' ') plain.push_back(c);
  }
  auto b = from_hex(plain);
  EXPECT_TRUE(b) << spaced;
  return b ? *b : Bytes{};
}

Message make(Command c) {
  Message m;
  m.command = c;
  m.sid = 1;
  return m;
}

// A 5-byte stand-in for a certificate: DER INTEGER 5 wrapped in a SEQUENCE.
const char* const kFakeDer = "3003020105";

struct Golden {
  const char* name;
  const char* hex;
  Message message;
};

std::vector<Golden> goldens() {
  Message auth_req = make(Command::AuthRequest);
  auth_req.version = 3;
  auth_req.auth_type = 0;
  Message auth_resp = make(Command::AuthResponse);
  auth_resp.reason = 1;
  auth_resp.version = 3;
  auth_resp.password = "";
  auth_resp.device_name = "SEP001122334455";
  Message keygen_rsa = make(Command::KeyGenRequest);
  keygen_rsa.key_size = 2048;
  keygen_rsa.key_type = static_cast<std::uint8_t>(KeyType::Rsa);
  Message keygen_ec = make(Command::KeyGenRequest);
  keygen_ec.key_type = static_cast<std::uint8_t>(KeyType::Ec);
  keygen_ec.curve = static_cast<std::uint8_t>(Curve::P256);
  Message end = make(Command::End);
  end.reason = static_cast<std::uint8_t>(Reason::UpdateCertificate);
  Message store = make(Command::StoreCertRequest);
  store.certificate_type = static_cast<std::uint8_t>(CertificateType::Lsc);
  store.certificate = hex(kFakeDer);
  return {
      {"AuthRequest", "55 01 00000001 0008  07 0001 03  08 0001 00", auth_req},
      {"AuthResponse",
       "55 02 00000001 001f  01 0001 01  07 0001 03  0b 0001 00  "
       "0d 0010 53455030303131323233333434353500",
       auth_resp},
      {"KeyGen RSA-2048", "55 03 00000001 0009  0a 0002 0800  11 0001 00", keygen_rsa},
      {"KeyGen P-256", "55 03 00000001 0008  11 0001 01  12 0001 00", keygen_ec},
      {"End success", "55 0f 00000001 0004  01 0001 01", end},
      // n = 5: body n+12, element n+5, inner n+2.
      {"StoreCert", "55 09 00000001 0011  03 0001 01  04 000a 01 0007 00 01 3003020105", store},
  };
}

TEST(CapfMessage, GoldenExamplesParse) {
  for (const auto& g : goldens()) {
    auto m = parse_message(hex(g.hex));
    ASSERT_TRUE(m) << g.name << ": " << m.error().message;
    EXPECT_EQ(*m, g.message) << g.name;
  }
}

TEST(CapfMessage, GoldenExamplesBuild) {
  for (const auto& g : goldens()) {
    auto b = build_message(g.message);
    ASSERT_TRUE(b) << g.name << ": " << b.error().message;
    EXPECT_EQ(to_hex(*b), to_hex(hex(g.hex))) << g.name;
  }
}

Message full_message() {
  Message m = make(Command::AuthResponse);
  m.sid = 0xdeadbeef;
  m.reason = 1;
  m.reason_info = "x";
  m.certificate_type = static_cast<std::uint8_t>(CertificateType::Mic);
  m.certificate = hex(kFakeDer);
  m.certificate_tt = 2;
  m.signed_data = hex("0102030405");
  m.version = 3;
  m.auth_type = static_cast<std::uint8_t>(AuthType::Mic);
  m.public_key = hex("3059301306");
  m.key_size = 4096;
  m.password = "123456";
  m.device_name = "SEP001122334455";
  m.sudi = SudiData{hex("308201"), hex("aa"), hex("bbcc"), 3, 0, 1};
  m.key_type = static_cast<std::uint8_t>(KeyType::Ec);
  m.curve = static_cast<std::uint8_t>(Curve::P521);
  m.sha2_hash_code = 3;
  m.sha2_signed_data = hex("ddeeff");
  return m;
}

struct Item {
  std::uint8_t tag;
  std::size_t offset;
  std::size_t size;  // tag + length + value
};

// The elements of a message we built ourselves (trusted bytes, so no bounds checks).
std::vector<Item> items_of(const Bytes& msg) {
  std::vector<Item> out;
  for (std::size_t i = kHeaderSize; i + 3 <= msg.size();) {
    std::size_t len = (std::size_t{msg[i + 1]} << 8) | msg[i + 2];
    out.push_back({msg[i], i, 3 + len});
    i += 3 + len;
  }
  return out;
}

TEST(CapfMessage, EveryElementRoundTripsInTheCombinedUcmOrder) {
  Message m = full_message();
  auto b = build_message(m);
  ASSERT_TRUE(b) << b.error().message;
  auto back = parse_message(*b);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, m);
  auto again = build_message(*back);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *b);

  std::vector<std::uint8_t> tags;
  for (const auto& it : items_of(*b)) tags.push_back(it.tag);
  EXPECT_EQ(tags, (std::vector<std::uint8_t>{1, 2, 3, 4, 6, 7, 8, 10, 17, 18, 11, 13, 16, 9, 20}));
  // The nested forms, spelled out.
  std::string h = to_hex(*b);
  EXPECT_NE(h.find("04000a" "010007" "0002" "3003020105"), std::string::npos);
  EXPECT_NE(h.find("10000f" "000003308201" "010001aa" "030002bbcc"), std::string::npos);
  EXPECT_NE(h.find("140006" "03" "0003" "ddeeff"), std::string::npos);
  EXPECT_NE(h.find("0b0007" "31323334353600"), std::string::npos);
}

TEST(CapfMessage, SudiTypesAreKeptForTheServerToCheck) {
  Message m = make(Command::AuthResponse);
  m.sudi = SudiData{{}, {}, {}, 2, 0, 1};
  auto b = build_message(m);
  ASSERT_TRUE(b);
  EXPECT_EQ(to_hex(*b), "55020000000100" "0c" "100009" "000000" "010000" "020000");
  auto back = parse_message(*b);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->sudi->third_type, 2);
  // UCM does not check the first two type bytes (PROTOCOLS §3.5), so neither does the parser.
  auto odd = parse_message(hex("55020000000100" "0c" "100009" "050000" "070000" "030000"));
  ASSERT_TRUE(odd) << odd.error().message;
  EXPECT_EQ(odd->sudi->first_type, 5);
  EXPECT_EQ(odd->sudi->second_type, 7);
  EXPECT_EQ(to_hex(*build_message(*odd)), "55020000000100" "0c" "100009" "050000" "070000" "030000");
}

TEST(CapfMessage, UnknownAndUnusedTagsAreSkippedAndRecorded) {
  // Reason 1, unknown tag 0x63 with 3 bytes, CertificateId (5) empty, DigestType (19) 1 byte.
  auto m = parse_message(
      hex("55 0f 00000001 0011  01 0001 01  63 0003 aabbcc  05 0000  13 0001 00"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->reason, 1);
  EXPECT_EQ(m->unknown_tags, (std::vector<std::uint8_t>{0x63, 5, 19}));
  // They are not written back.
  auto b = build_message(*m);
  ASSERT_TRUE(b);
  EXPECT_EQ(to_hex(*b), "550f000000010004010001" "01");
}

TEST(CapfMessage, RepeatedTagLastOneWins) {
  auto m = parse_message(hex("55 0f 00000001 0008  01 0001 00  01 0001 07"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->reason, 7);
}

TEST(CapfMessage, EmptyBodyAndEmptyCertificate) {
  auto m = parse_message(hex("55 11 00000007 0000"));
  ASSERT_TRUE(m) << m.error().message;
  Message empty = make(Command::RequestInProgress);
  empty.sid = 7;
  EXPECT_EQ(*m, empty);
  Message c = make(Command::FetchCertResponse);
  c.certificate = Bytes{};
  auto b = build_message(c);
  ASSERT_TRUE(b);
  EXPECT_EQ(to_hex(*b), "550c000000010008" "040005" "010002" "0001");
  auto back = parse_message(*b);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, c);
}

struct Bad {
  const char* name;
  const char* hex;
  Errc code;
  const char* message;
};

TEST(CapfMessage, MalformedGetsANamedError) {
  constexpr Errc kInvalid = Errc::InvalidArgument;
  const Bad cases[] = {
      {"empty", "", kInvalid, "capf: protocol id at offset 0: needs 1 bytes but only 0 remain"},
      {"truncated header", "55 01 000000", kInvalid,
       "capf: SID at offset 2: needs 4 bytes but only 3 remain"},
      {"header cut in body length", "55 01 00000001 00", kInvalid,
       "capf: body length at offset 6: needs 2 bytes"},
      {"wrong id", "17 01 00000001 0000", kInvalid,
       "capf: protocol id at offset 0: 0x17 vs expected 0x55"},
      {"command 0", "55 00 00000001 0000", kInvalid,
       "capf: command at offset 1: unknown value 0 (1..23)"},
      {"command 24", "55 18 00000001 0000", kInvalid, "command at offset 1: unknown value 24"},
      {"body length too long", "55 0f 00000001 0010  01 0001 01", kInvalid,
       "capf: body length at offset 6: 16 vs 4 bytes after the header"},
      {"body length too short", "55 0f 00000001 0004  01 0001 01 00", kInvalid,
       "capf: body length at offset 6: 4 vs 5 bytes after the header"},
      {"element past end", "55 02 00000001 0007  0d 0010 53455000", kInvalid,
       "capf: element DeviceName (tag 13) at offset 8: length 16 exceeds remaining 4"},
      {"body ends in length", "55 0f 00000001 0002  01 00", kInvalid,
       "capf: element Reason (tag 1) at offset 8: length field needs 2 bytes but only 1 remain"},
      {"body ends after tag", "55 0f 00000001 0005  01 0001 01  07", kInvalid,
       "element Version (tag 7) at offset 12: length field needs 2 bytes but only 0 remain"},
      {"unknown tag past end", "55 0f 00000001 0004  63 0002 aa", kInvalid,
       "element unknown (tag 99) at offset 8: length 2 exceeds remaining 1"},
      {"Version of 2 bytes", "55 01 00000001 0005  07 0002 0003", kInvalid,
       "capf: element Version (tag 7) at offset 8: length 2 vs expected 1"},
      {"Reason of 0 bytes", "55 0f 00000001 0003  01 0000", kInvalid,
       "element Reason (tag 1) at offset 8: length 0 vs expected 1"},
      {"KeySize of 1 byte", "55 03 00000001 0004  0a 0001 08", kInvalid,
       "element KeySize (tag 10) at offset 8: length 1 vs expected 2"},
      {"Curve of 2 bytes", "55 03 00000001 0009  11 0001 01  12 0002 0000", kInvalid,
       "element Curve (tag 18) at offset 12: length 2 vs expected 1"},
      {"cert inner length lies", "55 09 00000001 000d  04 000a 01 0009 0001 3003020105", kInvalid,
       "element Certificate (tag 4) at offset 8: inner length at offset 12: 9 vs expected 7 "
       "(element length 10 - 3)"},
      {"cert outer length lies", "55 09 00000001 000d  04 0009 01 0007 0001 3003020105", kInvalid,
       "element Certificate (tag 4) at offset 8: inner length at offset 12: 7 vs expected 6"},
      {"cert inner tag", "55 09 00000001 000d  04 000a 02 0007 0001 3003020105", kInvalid,
       "element Certificate (tag 4) at offset 8: inner tag at offset 11: 0x02 vs expected 0x01"},
      {"cert too short", "55 09 00000001 0007  04 0004 01 0001 00", kInvalid,
       "element Certificate (tag 4) at offset 8: length 4 is shorter than the 5-byte nested "
       "header"},
      {"cert type high byte", "55 09 00000001 000d  04 000a 01 0007 0101 3003020105", kInvalid,
       "certificate type at offset 14: first byte 0x01 vs expected 0x00"},
      {"DeviceName without NUL", "55 02 00000001 0006  0d 0003 534550", kInvalid,
       "capf: element DeviceName (tag 13) at offset 8: no terminating NUL in its 3 bytes"},
      {"empty Password without NUL", "55 02 00000001 0003  0b 0000", kInvalid,
       "element Password (tag 11) at offset 8: no terminating NUL in its 0 bytes"},
      {"Sha2 length lies", "55 02 00000001 0008  14 0005 03 0003 aabb", kInvalid,
       "element Sha2SignedData (tag 20) at offset 8: signature length at offset 12: 3 vs 2 bytes "
       "remaining"},
      {"Sha2 too short", "55 02 00000001 0005  14 0002 0300", kInvalid,
       "element Sha2SignedData (tag 20) at offset 8: length 2 is shorter than the 3-byte"},
      {"Sudi third missing", "55 02 00000001 0009  10 0006 000000 010000", kInvalid,
       "sub-item 3 at offset 17: missing (SudiData has 3 sub-items)"},
      {"Sudi sub-item past end", "55 02 00000001 000c  10 0009 000010 010000 030000", kInvalid,
       "sub-item 1 at offset 11: length 16 exceeds remaining 6"},
      {"Sudi sub-item header cut", "55 02 00000001 0007  10 0004 000000 01", kInvalid,
       "sub-item 2 at offset 14: type and length need 3 bytes but only 1 remain"},
      {"Sudi trailing bytes", "55 02 00000001 000d  10 000a 000000 010000 030000 ff", kInvalid,
       "trailing data at offset 20 after the 3 sub-items (1 bytes)"},
  };
  for (const auto& c : cases) {
    auto m = parse_message(hex(c.hex));
    ASSERT_FALSE(m) << c.name;
    EXPECT_EQ(m.error().code, c.code) << c.name;
    EXPECT_NE(m.error().message.find(c.message), std::string::npos)
        << c.name << ": " << m.error().message;
  }
}

TEST(CapfMessage, EveryPrefixFailsCleanly) {
  auto b = build_message(full_message());
  ASSERT_TRUE(b);
  for (std::size_t n = 0; n < b->size(); ++n) {
    auto m = parse_message(ByteView(*b).first(n));
    ASSERT_FALSE(m) << n;
    EXPECT_EQ(m.error().code, Errc::InvalidArgument) << n;
    EXPECT_EQ(m.error().message.rfind("capf: ", 0), 0u) << n << ": " << m.error().message;
  }
}

TEST(CapfMessage, CutBodyWithMatchingLengthParsesOnlyAtElementBoundaries) {
  auto b = build_message(full_message());
  ASSERT_TRUE(b);
  std::vector<std::size_t> ends;
  for (const auto& it : items_of(*b)) ends.push_back(it.offset + it.size - kHeaderSize);
  std::size_t body = b->size() - kHeaderSize;
  for (std::size_t k = 0; k <= body; ++k) {
    Bytes cut(b->begin(), b->begin() + static_cast<std::ptrdiff_t>(kHeaderSize + k));
    cut[6] = static_cast<std::uint8_t>(k >> 8);
    cut[7] = static_cast<std::uint8_t>(k);
    bool boundary = k == 0 || std::find(ends.begin(), ends.end(), k) != ends.end();
    auto m = parse_message(cut);
    EXPECT_EQ(m.has_value(), boundary) << k << ": " << (m ? "" : m.error().message);
  }
}

TEST(CapfMessage, ParseHeaderTakesExactlyEightBytes) {
  auto len = parse_header(hex("55 02 00000001 001f"));
  ASSERT_TRUE(len) << len.error().message;
  EXPECT_EQ(*len, 0x1f);
  auto max = parse_header(hex("55 0f ffffffff ffff"));
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, kMaxBody);

  auto short_header = parse_header(hex("55 02 00000001 00"));
  ASSERT_FALSE(short_header);
  EXPECT_NE(short_header.error().message.find("body length at offset 6: needs 2 bytes"),
            std::string::npos);
  auto long_header = parse_header(hex("55 02 00000001 0004 01"));
  ASSERT_FALSE(long_header);
  EXPECT_NE(long_header.error().message.find("capf: header: 9 bytes vs expected 8"),
            std::string::npos);
  auto wrong_id = parse_header(hex("57 02 00000001 0004"));
  ASSERT_FALSE(wrong_id);
  EXPECT_EQ(wrong_id.error().code, Errc::InvalidArgument);
  EXPECT_NE(wrong_id.error().message.find("0x57 vs expected 0x55"), std::string::npos);
}

void expect_build_error(const Message& m, const char* substring) {
  auto b = build_message(m);
  ASSERT_FALSE(b) << substring;
  EXPECT_EQ(b.error().code, Errc::InvalidArgument);
  EXPECT_NE(b.error().message.find(substring), std::string::npos) << b.error().message;
}

TEST(CapfMessage, BuildRefusesWhatCannotBeFramed) {
  Message big = make(Command::KeyGenResponse);
  big.public_key = Bytes(70000, 0x30);
  expect_build_error(big, "capf: element PublicKey (tag 9): value of 70000 bytes exceeds 65535");

  Message two = make(Command::AuthResponse);
  two.public_key = Bytes(40000, 1);
  two.signed_data = Bytes(40000, 2);
  expect_build_error(two, "capf: body of 80006 bytes exceeds 65535");

  Message cert = make(Command::StoreCertRequest);
  cert.certificate = Bytes(65531, 0x30);
  expect_build_error(cert, "capf: element Certificate (tag 4): DER of 65531 bytes exceeds 65530");
  // 65530 fits its element but not the body; the largest certificate fills the body exactly.
  cert.certificate = Bytes(65530, 0x30);
  expect_build_error(cert, "capf: body of 65538 bytes exceeds 65535");
  cert.certificate = Bytes(kMaxBody - 3 - 5, 0x30);
  auto b = build_message(cert);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->size(), kHeaderSize + kMaxBody);
  auto back = parse_message(*b);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, cert);

  Message half = make(Command::AuthResponse);
  half.sha2_signed_data = Bytes{1};
  expect_build_error(half, "sha2_hash_code and sha2_signed_data go together");
  half.sha2_signed_data.reset();
  half.sha2_hash_code = 3;
  expect_build_error(half, "sha2_hash_code and sha2_signed_data go together");

  expect_build_error(make(static_cast<Command>(0)), "capf: command 0 is not a CAPF command");
}

TEST(CapfMessage, Names) {
  EXPECT_STREQ(command_name(Command::AuthRequest), "AuthRequest");
  EXPECT_STREQ(command_name(Command::End), "End");
  EXPECT_STREQ(command_name(Command::SignCertResponse), "SignCertResponse");
  EXPECT_STREQ(command_name(static_cast<Command>(0)), "unknown");
  EXPECT_STREQ(command_name(static_cast<Command>(200)), "unknown");
  EXPECT_STREQ(element_name(13), "DeviceName");
  EXPECT_STREQ(element_name(20), "Sha2SignedData");
  EXPECT_STREQ(element_name(14), "unknown");
  EXPECT_STREQ(element_name(0), "unknown");
  EXPECT_STREQ(element_name(21), "unknown");
}

TEST(CapfSignedData, AuthAndSudiPayloadsAsPhonesSignThem) {
  // §3.5: device name, 00, certificate DER; and the SID little-endian (SID 1 -> 01 00 00 00), DER.
  EXPECT_EQ(to_hex(auth_signed_data("SEP001122334455", hex("3003020105"))),
            "534550303031313232333334343535" "00" "3003020105");
  EXPECT_EQ(to_hex(sudi_signed_data(1, hex("3003020105"))), "01000000" "3003020105");
  EXPECT_EQ(to_hex(sudi_signed_data(0x0A0B0C0D, {})), "0d0c0b0a");
}

}  // namespace
}  // namespace cucm::capf
