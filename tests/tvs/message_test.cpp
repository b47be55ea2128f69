// The TVS codec and engine against PROTOCOLS §4's bytes and the bad inputs the issue lists.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "tvs/proto/engine.hpp"

namespace cucm::tvs {
namespace {

Bytes hex(std::string_view h) { return *from_hex(h); }

constexpr std::string_view kName = "CP-7975-SEP001122334455";

TEST(TvsMessage, ResponseBytesMatchTheReference) {
  // PROTOCOLS §4: VerifyResponse 57 01 02 00 00000001 000f 07 0001 00 08 0001 01 09 0004 00015180
  VerifyResponse r{1, TrustStatus::Valid, {1}, 86400};
  EXPECT_EQ(to_hex(encode_verify_response(r)), "5701020000000001000f0700010008000101090004" "00015180");
  VerifyResponse unknown{7, TrustStatus::Invalid, {}, 0};
  EXPECT_EQ(to_hex(encode_verify_response(unknown)), "570102000000000700040700" "0101");
}

TEST(TvsMessage, RequestRoundTripsThroughTheEngine) {
  VerifyRequest req{0x01020304, std::string(kName), Bytes{0x30, 0x03, 0x02, 0x01, 0x00}};
  Bytes wire = encode_verify_request(req);
  // Header, then DeviceName 01 0018 01 "CP-…", then Certificate 02 0005 …
  EXPECT_EQ(to_hex(ByteView(wire).first(10)), "57010100010203040023");
  EXPECT_EQ(to_hex(ByteView(wire).subspan(10, 4)), "01001801");
  Engine e;
  auto len = e.on_header(ByteView(wire).first(kHeaderSize));
  ASSERT_TRUE(len) << len.error().message;
  ASSERT_EQ(*len, wire.size() - kHeaderSize);
  auto q = e.on_body(ByteView(wire).subspan(kHeaderSize));
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->request.device_name, kName);
  EXPECT_EQ(q->device(), "SEP001122334455");
  EXPECT_EQ(q->request.sid, 0x01020304u);
  EXPECT_EQ(q->subject, "(not a DER certificate)");
  auto reply = Engine::answer(*q, Trusted{{2, 21}, 600});
  auto parsed = parse_verify_response(reply.message);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->sid, 0x01020304u);  // the client's SID, echoed
  EXPECT_EQ(parsed->status, TrustStatus::Valid);
  EXPECT_EQ(parsed->roles, (std::vector<std::uint8_t>{2, 21}));
  EXPECT_EQ(parsed->ttl, 600u);
  EXPECT_EQ(reply.result, "ok");
  EXPECT_NE(reply.what.find("valid CCM+TFTP,TVS, ttl 600 s"), std::string::npos) << reply.what;
  auto no = Engine::answer(*q, std::nullopt);
  EXPECT_EQ(to_hex(ByteView(no.message).subspan(kHeaderSize)), "07000101");
  EXPECT_EQ(no.result.rfind("invalid", 0), 0u);
}

TEST(TvsMessage, TheHashIsOverTheDerSent) {
  auto key = signer::generate_key({});
  signer::CertRequest cr;
  cr.subject = {{"CN", "dir.lab"}};
  auto cert = signer::make_self_signed(**key, cr);
  Bytes der = signer::cert_der(**cert);
  Engine e;
  Bytes wire = encode_verify_request({1, std::string(kName), der});
  ASSERT_TRUE(e.on_header(ByteView(wire).first(kHeaderSize)));
  auto q = e.on_body(ByteView(wire).subspan(kHeaderSize));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->sha256, to_hex(signer::digest(signer::HashAlg::Sha256, der)));
  EXPECT_EQ(q->subject, "CN=dir.lab");
}

// The subject is read from the DER without decoding the key: the same text as from a parsed
// certificate, and none from bytes that are not a whole certificate.
TEST(TvsMessage, TheSubjectIsReadFromTheDer) {
  auto key = signer::generate_key({});
  signer::CertRequest cr;
  cr.subject = {{"CN", "CUCM-pub.lab"}, {"OU", "Phone Security"}, {"O", "Lab, Inc."}, {"C", "NZ"}};
  auto cert = signer::make_self_signed(**key, cr);
  Bytes der = signer::cert_der(**cert);
  auto subject_of = [](const Bytes& cert_der) {
    Engine e;
    Bytes wire = encode_verify_request({1, std::string(kName), cert_der});
    EXPECT_TRUE(e.on_header(ByteView(wire).first(kHeaderSize)));
    auto q = e.on_body(ByteView(wire).subspan(kHeaderSize));
    EXPECT_TRUE(q);
    return q ? q->subject : "";
  };
  EXPECT_EQ(subject_of(der), signer::subject_name(**cert));
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(subject_of(trailing), "(not a DER certificate)");
  Bytes truncated(der.begin(), der.begin() + 40);  // ends inside the issuer
  EXPECT_EQ(subject_of(truncated), "(not a DER certificate)");
  EXPECT_EQ(subject_of(Bytes{0x30, 0x84, 0, 0, 0, 1, 0}), "(not a DER certificate)");  // 4 length bytes
}

// Every malformed request is an error: the server closes without a reply.
struct Bad {
  const char* what;
  std::string hex_header;  // the 10 header bytes; the body follows in body_hex
  std::string hex_body;
};

TEST(TvsMessage, MalformedRequestsAreRefused) {
  auto element = [](int tag, std::string_view value_hex) {
    return fmt::format("{:02x}{:04x}{}", tag, value_hex.size() / 2, value_hex);
  };
  std::string dev = element(1, "01" + to_hex(as_bytes(kName)));
  std::string cert = element(2, "3003020100");
  auto header = [](int id, int version, int command, std::size_t len) {
    return fmt::format("{:02x}{:02x}{:02x}0000000001{:04x}", id, version, command, len);
  };
  std::vector<Bad> cases = {
      {"wrong protocol id", header(0x55, 1, 1, (dev + cert).size() / 2), dev + cert},
      {"wrong version", header(0x57, 2, 1, (dev + cert).size() / 2), dev + cert},
      {"version 0", header(0x57, 0, 1, (dev + cert).size() / 2), dev + cert},
      {"QueryRequest", header(0x57, 1, 3, (dev + cert).size() / 2), dev + cert},
      {"no device name", header(0x57, 1, 1, cert.size() / 2), cert},
      {"no certificate", header(0x57, 1, 1, dev.size() / 2), dev},
      {"empty body", header(0x57, 1, 1, 0), ""},
      {"unknown tag", header(0x57, 1, 1, (dev + cert + element(9, "00")).size() / 2), dev + cert + element(9, "00")},
      {"bad name", header(0x57, 1, 1, (element(1, "01" + to_hex(as_bytes(std::string_view("SEP001122334455")))) + cert).size() / 2),
       element(1, "01" + to_hex(as_bytes(std::string_view("SEP001122334455")))) + cert},
      {"lower-case MAC", header(0x57, 1, 1, (element(1, "01" + to_hex(as_bytes(std::string_view("CP-7975-SEP00112233445a")))) + cert).size() / 2),
       element(1, "01" + to_hex(as_bytes(std::string_view("CP-7975-SEP00112233445a")))) + cert},
      {"length past the data", header(0x57, 1, 1, (dev + cert).size() / 2), dev + "02ffff3003"},
      {"empty certificate", header(0x57, 1, 1, (dev + element(2, "")).size() / 2), dev + element(2, "")},
  };
  for (const auto& c : cases) {
    Engine e;
    Bytes h = hex(c.hex_header);
    Bytes body = hex(c.hex_body);
    auto len = e.on_header(h);
    bool refused = !len || !e.on_body(body);  // at the header, or at the body
    EXPECT_TRUE(refused) << c.what;
  }
}

TEST(TvsMessage, ABodyLargerThanARequestIsRefusedAtTheHeader) {
  Engine e;
  auto len = e.on_header(hex("5701010000000001f000"));  // 61,440 bytes
  ASSERT_FALSE(len);
  EXPECT_NE(len.error().message.find("more than a request"), std::string::npos) << len.error().message;
}

TEST(TvsMessage, ACertificateOver16KbIsRefused) {
  VerifyRequest req{1, std::string(kName), Bytes(kMaxCertificate + 1, 0x30)};
  Bytes wire = encode_verify_request(req);
  Engine e;
  ASSERT_TRUE(e.on_header(ByteView(wire).first(kHeaderSize)));
  auto q = e.on_body(ByteView(wire).subspan(kHeaderSize));
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().message.find("16384"), std::string::npos) << q.error().message;
}

TEST(TvsMessage, ResponsesThatAreNotAnswersAreRefused) {
  EXPECT_FALSE(parse_verify_response(hex("5701020000000001000408000101")));      // Roles without Status
  EXPECT_FALSE(parse_verify_response(hex("570102000000000100040700010207")));     // Status 2, and short
  EXPECT_FALSE(parse_verify_response(hex("5701020000000001000407000100")));      // valid without roles or TTL
  EXPECT_FALSE(parse_verify_response(hex("57010100000000010004070001" "01")));    // a request's command
  EXPECT_FALSE(parse_verify_response(hex("5701020000000001000807000101070001" "01")));  // Status twice
  EXPECT_TRUE(parse_verify_response(hex("5701020000000001000407000101")));
}

TEST(TvsMessage, DeviceNames) {
  EXPECT_TRUE(valid_device_name("CP-8845-SEP0011223344AB"));
  EXPECT_FALSE(valid_device_name("CP-88450-SEP0011223344A"));
  EXPECT_FALSE(valid_device_name("CP-8845-SEP0011223344ab"));
  EXPECT_FALSE(valid_device_name(""));
  EXPECT_EQ(tvs_device_name("8845", "SEP0011223344AB"), "CP-8845-SEP0011223344AB");
}

}  // namespace
}  // namespace cucm::tvs
