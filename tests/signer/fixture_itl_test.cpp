// The ITL made by another implementation (fixtures/third_party/ITLFile.tlv) parses, verifies, and
// our writer reproduces its bytes (PROTOCOLS §5.6).
#include <gtest/gtest.h>

#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/trust_list.hpp"

namespace cucm::signer {
namespace {

Bytes fixture() {
  auto b = read_file(std::string(CUCM_THIRD_PARTY_FIXTURES) + "/ITLFile.tlv");
  EXPECT_TRUE(b) << (b ? "" : b.error().message);
  return b ? *b : Bytes{};
}

TEST(FixtureItl, HeaderFieldsAsDocumented) {
  Bytes file = fixture();
  ASSERT_EQ(file.size(), 10370u);
  auto list = parse_trust_list(file);
  ASSERT_TRUE(list) << list.error().message;
  const auto& h = list->parsed.header;
  EXPECT_EQ(list->parsed.header_length, 388);
  EXPECT_EQ(h.version, (std::array<std::uint8_t, 2>{1, 2}));
  EXPECT_EQ(*h.signer_version, (std::array<std::uint8_t, 2>{1, 0}));
  EXPECT_EQ(h.signer_name, "CN=SAST,O=SAST,OU=SAST");
  EXPECT_EQ(h.issuer_name, "CN=SAST,O=SAST,OU=SAST");
  EXPECT_EQ(to_hex(h.serial), "6ba5de3a260b069337c75b38be3c2d74");
  EXPECT_EQ(h.hash, HashAlg::Sha1);
  EXPECT_EQ(h.signature_modulus, 2);
  EXPECT_EQ(list->parsed.signature_item_offset, 0x6bu);
  EXPECT_EQ(h.filename, "ITLFile.tlv");
  EXPECT_EQ(h.timestamp, 1767115542u);
}

TEST(FixtureItl, RecordsAsDocumented) {
  Bytes file = fixture();
  auto list = parse_trust_list(file);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->records.size(), 5u);
  const std::size_t offsets[] = {0x184, 0x750, 0xDDB, 0x1477, 0x1E90};
  const std::size_t lengths[] = {1484, 1675, 1692, 2585, 2546};
  const std::uint16_t roles[] = {0, 1, 1, 7, 7};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(list->records[i].offset, offsets[i]);
    EXPECT_EQ(list->records[i].length, lengths[i]);
    EXPECT_EQ(list->records[i].role, roles[i]);
  }
  EXPECT_EQ(list->records[3].subject, "C=US,O=Internet Security Research Group,CN=ISRG Root X1");
  // Serials carry no 00 sign byte: ISRG's 17-byte DER INTEGER is 16 bytes here.
  EXPECT_EQ(to_hex(list->records[3].serial), "8210cfb0d240e3594463e0bb63828b00");
  EXPECT_EQ(list->records[4].serial.size(), 13u);
  EXPECT_EQ(list->records[0].public_key.size(), 270u);
}

TEST(FixtureItl, SignatureVerifiesAndTamperingBreaksIt) {
  Bytes file = fixture();
  auto list = parse_trust_list(file);
  ASSERT_TRUE(list);
  auto signer = find_signer(*list);
  ASSERT_TRUE(signer);
  EXPECT_EQ((*signer)->offset, 0x184u);
  EXPECT_TRUE(verify_trust_list(file, *list));
  // The signed region is the file minus the 259-byte signature item; its SHA-1 is documented.
  Bytes region(file.begin(), file.begin() + 0x6b);
  region.insert(region.end(), file.begin() + 0x16e, file.end());
  EXPECT_EQ(region.size(), 10111u);
  EXPECT_EQ(to_hex(digest(HashAlg::Sha1, region)), "fef024dcb9386583eea1a6bcb0d7d5dc49762cb2");
  for (std::size_t at : {std::size_t{0x17d}, std::size_t{0x1000}, file.size() - 1}) {
    Bytes bad = file;
    bad[at] ^= 0x80;
    auto l = parse_trust_list(bad);
    if (l) { EXPECT_FALSE(verify_trust_list(bad, *l)) << at; }
  }
}

TEST(FixtureItl, CertificateHashVectors) {
  auto list = parse_trust_list(fixture());
  ASSERT_TRUE(list);
  auto sast = load_cert(list->records[0].certificate);
  ASSERT_TRUE(sast);
  EXPECT_EQ(cert_md5_hex(**sast), "78f037402e330aa0ca2054106eb948ef");
  EXPECT_EQ(cert_hash_base64(**sast, HashAlg::Sha1), "J3s2IVUqWTRWpj1ZVkX08JCjXZw=");
  EXPECT_EQ(subject_name(**sast), "CN=SAST,O=SAST,OU=SAST");
}

TEST(FixtureItl, OurWriterReproducesHeaderAndRecords) {
  Bytes file = fixture();
  auto list = parse_trust_list(file);
  ASSERT_TRUE(list);
  // build(parse(header)) == header, byte for byte.
  auto header = build_header(list->parsed.header);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->bytes, Bytes(file.begin(), file.begin() + 388));
  // Records rebuilt from the certificates alone equal the fixture's records.
  std::vector<X509Ptr> certs;
  std::vector<TrustEntry> entries;
  for (const auto& r : list->records) {
    auto c = load_cert(r.certificate);
    ASSERT_TRUE(c);
    certs.push_back(std::move(*c));
    entries.push_back({certs.back().get(), static_cast<Role>(*r.role)});
  }
  // Any RSA signer will do: only the records (the payload) are compared.
  auto key = cert_public_key(*certs[0]);
  ASSERT_TRUE(key);
  auto ours_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  ASSERT_NE(ours_key, nullptr);
  PkeyPtr owned(ours_key);
  auto ours = build_trust_list(entries, {}, *owned, *certs[0]);
  ASSERT_TRUE(ours) << ours.error().message;
  auto ours_list = parse_trust_list(*ours);
  ASSERT_TRUE(ours_list);
  EXPECT_EQ(Bytes(ours->begin() + ours_list->parsed.header_length, ours->end()),
            Bytes(file.begin() + 388, file.end()));
}

}  // namespace
}  // namespace cucm::signer
