// Certificates: names in the tools' form, serial bytes, the mkcert profile, hashes.
#include <ctime>

#include <gtest/gtest.h>

#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "test_support.hpp"

namespace cucm::signer {
namespace {

TEST(Cert, ToolNameKeepsOrderShortNamesAndEscapes) {
  auto key = generate_key(KeySpec{KeyKind::Ec, 0, "prime256v1"});
  ASSERT_TRUE(key);
  CertRequest req;
  req.subject = {{"C", "US"}, {"O", "Lab, Inc"}, {"OU", "a+b;c"}, {"CN", "SEP001122334455"},
                 {"emailAddress", "x@y"}};
  auto cert = make_self_signed(**key, req);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_EQ(subject_name(**cert),
            "C=US,O=Lab\\, Inc,OU=a\\+b\\;c,CN=SEP001122334455,1.2.840.113549.1.9.1=x@y");
  EXPECT_EQ(issuer_name(**cert), subject_name(**cert));
  EXPECT_TRUE(is_self_signed(**cert));
}

TEST(Cert, RandomSerialIs16BytesWithoutSignByte) {
  const auto& id = test::rsa_identity(1024);
  auto serial = serial_bytes(*id.cert);
  EXPECT_EQ(serial.size(), 16u);
  EXPECT_LT(serial[0], 0x80);
}

TEST(Cert, MkcertProfileForCapf) {
  // PROTOCOLS §7.1: from 14SU2 the CAPF certificate must be CA:TRUE, pathlen:0 with
  // digitalSignature + keyCertSign, or TLS fails.
  for (const auto* id : {&test::rsa_identity(2048), &test::ec_identity("prime256v1")}) {
    X509& c = *id->cert;
    EXPECT_TRUE(X509_get_extension_flags(&c) & EXFLAG_CA);
    EXPECT_EQ(X509_get_pathlen(&c), 0);
    std::uint32_t ku = X509_get_key_usage(&c);
    EXPECT_TRUE(ku & KU_DIGITAL_SIGNATURE);
    EXPECT_TRUE(ku & KU_KEY_CERT_SIGN);
    EXPECT_TRUE(X509_get_extended_key_usage(&c) & XKU_SSL_SERVER);
    EXPECT_TRUE(X509_get_extended_key_usage(&c) & XKU_SSL_CLIENT);
  }
}

TEST(Cert, IssuedCertificateChainsToCa) {
  const auto& ca = test::rsa_identity(2048);
  auto phone_key = generate_key(KeySpec{});
  ASSERT_TRUE(phone_key);
  CertRequest req;
  req.subject = {{"CN", "SEP001122334455"}, {"O", "cucm-emu"}};
  req.is_ca = false;
  req.key_usage = "critical,digitalSignature,keyEncipherment";
  req.subject_alt_name = "URI:SEP001122334455";
  auto leaf = issue_cert(**phone_key, req, *ca.cert, *ca.key);
  ASSERT_TRUE(leaf) << leaf.error().message;
  EXPECT_EQ(issuer_name(**leaf), subject_name(*ca.cert));
  EXPECT_EQ(X509_verify(leaf->get(), X509_get0_pubkey(ca.cert.get())), 1);
  EXPECT_FALSE(X509_get_extension_flags(leaf->get()) & EXFLAG_CA);
  // The wrong CA key is refused before anything is signed.
  auto bad = issue_cert(**phone_key, req, *ca.cert, *test::rsa_identity(1024).key);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("does not match"), std::string::npos);
}

// sgn-expired-signer's copy: everything the original has but its dates, signed as the original is
// (self-signed with its own key); a copy of a CA-issued certificate becomes self-signed.
TEST(Cert, SelfSignedCopyKeepsAllButTheDates) {
  const auto& id = test::rsa_identity(2048);
  std::time_t now = std::time(nullptr);
  auto copy = self_signed_copy(*id.cert, *id.key, now - 3 * 86400, now - 86400);
  ASSERT_TRUE(copy) << copy.error().message;
  EXPECT_EQ(subject_name(**copy), subject_name(*id.cert));
  EXPECT_EQ(issuer_name(**copy), issuer_name(*id.cert));
  EXPECT_EQ(serial_bytes(**copy), serial_bytes(*id.cert));
  EXPECT_TRUE(same_public_key(*X509_get0_pubkey(copy->get()), *id.key));
  EXPECT_EQ(signature_digest(**copy), signature_digest(*id.cert));
  EXPECT_EQ(X509_get_ext_count(copy->get()), X509_get_ext_count(id.cert.get()));
  EXPECT_EQ(not_after(**copy), now - 86400);
  EXPECT_EQ(not_before(**copy), now - 3 * 86400);
  EXPECT_TRUE(is_self_signed(**copy));
  EXPECT_EQ(X509_verify(copy->get(), id.key.get()), 1);
  EXPECT_NE(cert_der(**copy), cert_der(*id.cert));

  const auto& ca = test::rsa_identity(1024);
  auto leaf_key = generate_key(KeySpec{});
  ASSERT_TRUE(leaf_key);
  CertRequest req;
  req.subject = {{"CN", "cucm-emu"}, {"O", "Lab"}};
  auto leaf = issue_cert(**leaf_key, req, *ca.cert, *ca.key);
  ASSERT_TRUE(leaf);
  auto leaf_copy = self_signed_copy(**leaf, **leaf_key, now - 3 * 86400, now - 86400);
  ASSERT_TRUE(leaf_copy) << leaf_copy.error().message;
  EXPECT_EQ(issuer_name(**leaf_copy), subject_name(**leaf));
  EXPECT_EQ(X509_get_ext_by_NID(leaf_copy->get(), NID_authority_key_identifier, -1), -1);
  EXPECT_TRUE(is_self_signed(**leaf_copy));
  EXPECT_EQ(X509_verify(leaf_copy->get(), leaf_key->get()), 1);
  // Only the certificate's own key signs its copy.
  auto wrong = self_signed_copy(*id.cert, *ca.key, now - 3 * 86400, now - 86400);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::InvalidArgument);
}

TEST(Cert, PemDerRoundTripAndGarbage) {
  const auto& id = test::rsa_identity(1024);
  Bytes der = cert_der(*id.cert);
  Bytes pem = cert_pem(*id.cert);
  auto a = load_cert(der);
  auto b = load_cert(pem);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(cert_der(**a), der);
  EXPECT_EQ(cert_der(**b), der);
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_FALSE(load_cert(trailing));
  EXPECT_FALSE(load_cert(to_bytes("not a certificate")));
}

TEST(Cert, HashFormats) {
  const auto& id = test::rsa_identity(1024);
  Bytes der = cert_der(*id.cert);
  EXPECT_EQ(cert_md5_hex(*id.cert), to_hex(md5(der)));
  EXPECT_EQ(cert_md5_hex(*id.cert).size(), 32u);
  EXPECT_EQ(cert_hash_base64(*id.cert, HashAlg::Sha1).size(), 28u);
  EXPECT_EQ(cert_hash_base64(*id.cert, HashAlg::Sha512).size(), 88u);
}

TEST(Keys, SpecsAndEncodings) {
  EXPECT_EQ(parse_key_spec("rsa:4096")->rsa_bits, 4096);
  EXPECT_EQ(parse_key_spec("ec:P-384")->curve, "secp384r1");
  EXPECT_FALSE(parse_key_spec("rsa:512"));
  EXPECT_FALSE(parse_key_spec("rsa:abc"));
  EXPECT_FALSE(parse_key_spec("ec:P-192"));
  EXPECT_FALSE(parse_key_spec("dsa:1024"));
  const auto& id = test::rsa_identity(2048);
  EXPECT_EQ(describe_key(*id.key), "RSA 2048");
  EXPECT_EQ(describe_key(*test::ec_identity("secp521r1").key), "EC secp521r1");
  auto spki = public_key_spki_der(*id.key);
  ASSERT_TRUE(spki);
  auto back = load_public_key(*spki);
  ASSERT_TRUE(back);
  EXPECT_TRUE(same_public_key(**back, *id.key));
  auto pem = private_key_pem(*id.key);
  ASSERT_TRUE(pem);
  EXPECT_TRUE(load_private_key(*pem));
  EXPECT_FALSE(load_private_key(to_bytes("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")));
}

}  // namespace
}  // namespace cucm::signer
