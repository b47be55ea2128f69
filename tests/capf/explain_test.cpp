// The teaching view of CAPF messages (phone boot --explain): every element named with its tag,
// length and value, certificates as subject and MD5, and a clear line where the bytes go wrong.
#include "capf/proto/explain.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capf/proto/message.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::capf {
namespace {

TEST(CapfExplain, AnAuthResponseElementByElement) {
  auto key = signer::generate_key({});
  ASSERT_TRUE(key);
  signer::CertRequest req;
  req.subject = {{"CN", "SEPA45630BBFA40"}};
  auto cert = signer::make_self_signed(**key, req);
  ASSERT_TRUE(cert);
  Message m;
  m.command = Command::AuthResponse;
  m.sid = 7;
  m.reason = 1;
  m.version = 3;
  m.device_name = "SEPA45630BBFA40";
  m.password = "";
  m.certificate_type = 2;
  m.certificate = signer::cert_der(**cert);
  auto wire = build_message(m);
  ASSERT_TRUE(wire);
  auto lines = explain_message(*wire);
  std::string md5 = signer::cert_md5_hex(**cert);
  std::vector<std::string> want = {
      "header: protocol 0x55, command 2 (AuthResponse), SID 7, body " + std::to_string(wire->size() - 8) + " bytes",
      "Reason (tag 1, 1 bytes): 1 (update certificate: success)",
      "CertificateType (tag 3, 1 bytes): 2 (MIC)",
      "Certificate (tag 4, " + std::to_string(m.certificate->size() + 5) + " bytes): CN=SEPA45630BBFA40, MD5 " + md5 + " (" +
          std::to_string(m.certificate->size()) + " bytes)",
      "Version (tag 7, 1 bytes): 3",
      "Password (tag 11, 1 bytes): (empty: null string)",
      "DeviceName (tag 13, 16 bytes): \"SEPA45630BBFA40\""};
  EXPECT_EQ(lines, want);
}

TEST(CapfExplain, AKeyGenResponseShowsTheKey) {
  auto key = signer::generate_key({signer::KeyKind::Ec, 0, "prime256v1"});
  ASSERT_TRUE(key);
  Message m;
  m.command = Command::KeyGenResponse;
  m.reason = 1;
  m.public_key = *signer::public_key_spki_der(**key);
  auto lines = explain_message(*build_message(m));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2], "PublicKey (tag 9, 91 bytes): EC prime256v1 (SubjectPublicKeyInfo)");
}

TEST(CapfExplain, BadBytesAreSaidNotThrown) {
  EXPECT_EQ(explain_message(Bytes{0x55, 1}), std::vector<std::string>{"malformed: 2 bytes, shorter than the 8-byte header"});
  // A Reason that claims 5 bytes of a 1-byte body.
  auto lines = explain_message(Bytes{0x55, 15, 0, 0, 0, 1, 0, 4, 1, 0, 5, 7});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "malformed: Reason (tag 1) says 5 bytes, 1 are left");
  // A Reason of the wrong size, then an unknown tag.
  lines = explain_message(Bytes{0x55, 15, 0, 0, 0, 1, 0, 9, 1, 0, 2, 7, 7, 99, 0, 1, 0});
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], "Reason (tag 1, 2 bytes): malformed: 2 bytes, 1 expected");
  EXPECT_EQ(lines[2], "unknown (tag 99, 1 bytes): 1 bytes");
}

}  // namespace
}  // namespace cucm::capf
