// cert check: CA hierarchies built here (root -> intermediate -> leaf) judged against the
// trusted-list rules of seed 002 and the certificate rules of seeds 002 and 003, every problem
// with its code, certificate and words.
#include "signer/cert_check.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "test_support.hpp"

namespace cucm::signer {
namespace {

constexpr std::time_t kNow = 1'767'225'600;  // 2026-01-01 00:00:00 UTC
constexpr std::time_t kDay = 86'400;

struct Issued {
  X509Ptr cert;
  PkeyPtr key;
};

struct Spec {
  std::string cn{};
  bool ca = false;
  std::string eku = "serverAuth,clientAuth";
  std::string san{};
  HashAlg digest = HashAlg::Sha256;
  std::time_t from = kNow - kDay;
  int days = 365;
  std::string key = "ec:P-256";
};

PkeyPtr new_key(const std::string& spec) {
  if (spec.starts_with("ec:secp224r1")) {  // below what parse_key_spec offers, on purpose
    KeySpec k;
    k.kind = KeyKind::Ec;
    k.curve = "secp224r1";
    return std::move(*generate_key(k));
  }
  return std::move(*generate_key(*parse_key_spec(spec)));
}

Issued make(const Spec& s, const Issued* issuer, PkeyPtr key = nullptr) {
  Issued out;
  out.key = key ? std::move(key) : new_key(s.key);
  CertRequest req;
  req.subject = {{"CN", s.cn}, {"O", "cucm-emu lab"}};
  req.is_ca = s.ca;
  req.path_len = s.ca && !issuer ? -1 : 0;
  req.extended_key_usage = s.ca ? "" : s.eku;
  req.subject_alt_name = s.san;
  req.digest = s.digest;
  req.not_before = s.from;
  req.days = s.days;
  auto cert = issuer ? issue_cert(*out.key, req, *issuer->cert, *issuer->key) : make_self_signed(*out.key, req);
  EXPECT_TRUE(cert) << cert.error().message;
  out.cert = std::move(*cert);
  return out;
}

PkeyPtr shared(EVP_PKEY& key) {
  EVP_PKEY_up_ref(&key);
  return PkeyPtr(&key);
}

// Signs `cert` again with `key` and `md`, after the edits a CertRequest cannot express.
void resign(X509& cert, EVP_PKEY& key, const EVP_MD* md) { ASSERT_GT(X509_sign(&cert, &key, md), 0); }

// A CN set as a raw UTF8String: OpenSSL's own string table refuses a CN over 64 characters.
void set_cn(X509& cert, const std::string& cn) {
  X509NamePtr name(X509_NAME_new());
  ASSERT_EQ(X509_NAME_add_entry_by_NID(name.get(), NID_commonName, V_ASN1_UTF8STRING,
                                       reinterpret_cast<const unsigned char*>(cn.data()),  // NOLINT
                                       static_cast<int>(cn.size()), -1, 0),
            1);
  ASSERT_EQ(X509_set_subject_name(&cert, name.get()), 1);
}

CertCheckReport check(std::vector<const X509*> chain, std::vector<const X509*> trusted,
                      CertPurpose purpose = CertPurpose::Both, std::optional<std::string> host = std::nullopt,
                      std::time_t at = kNow) {
  CertCheckInput in{std::move(chain), std::move(trusted), purpose, std::move(host), at};
  auto r = check_cert_chain(in);
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(*r) : CertCheckReport{};
}

std::vector<std::string> codes(const CertCheckReport& r) {
  std::vector<std::string> out;
  for (const auto& p : r.problems) out.push_back(p.code);
  return out;
}

std::string dump(const CertCheckReport& r) {
  std::string out;
  for (const auto& p : r.problems) {
    out += std::string(severity_name(p.severity)) + " [" + p.code + "] " + p.subject + ": " + p.message + "\n";
  }
  return out;
}

const CertProblem* find(const CertCheckReport& r, const std::string& code, const std::string& subject = "") {
  for (const auto& p : r.problems) {
    if (p.code == code && (subject.empty() || p.subject == subject)) return &p;
  }
  return nullptr;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

using Codes = std::vector<std::string>;

// Seed 002's hierarchy: a root, an intermediate, and Expressway-E's certificate.
class CertCheckTest : public ::testing::Test {
 protected:
  Issued root = make({.cn = "Lab Root CA", .ca = true}, nullptr);
  Issued inter = make({.cn = "Lab Intermediate CA", .ca = true}, &root);
  Issued leaf = make({.cn = "expressway-e.lab", .san = "DNS:expressway-e.lab,DNS:collab-edge.lab,IP:192.0.2.10"},
                     &inter);
  const std::string kRoot = "CN=Lab Root CA,O=cucm-emu lab";
  const std::string kInter = "CN=Lab Intermediate CA,O=cucm-emu lab";
  const std::string kLeaf = "CN=expressway-e.lab,O=cucm-emu lab";
};

TEST_F(CertCheckTest, AChainToTheIntermediateAndTheRootOfTheTrustedListIsValid) {
  auto r = check({leaf.cert.get()}, {inter.cert.get(), root.cert.get()});
  EXPECT_TRUE(r.valid()) << dump(r);
  EXPECT_TRUE(r.problems.empty()) << dump(r);
  EXPECT_EQ(r.chain, (std::vector<std::string>{kLeaf, kInter, kRoot}));
  EXPECT_EQ(r.anchor, kRoot);
  // The intermediate may come with the leaf instead (a server sending its chain).
  auto sent = check({leaf.cert.get(), inter.cert.get()}, {root.cert.get()});
  EXPECT_TRUE(sent.valid()) << dump(sent);
  EXPECT_EQ(sent.chain.size(), 3u);
}

TEST_F(CertCheckTest, WithTheRootAloneTheIntermediateIsMissing) {
  auto r = check({leaf.cert.get()}, {root.cert.get()});
  EXPECT_FALSE(r.valid());
  ASSERT_EQ(codes(r), Codes{"intermediate-missing"}) << dump(r);
  EXPECT_EQ(r.problems[0].subject, kLeaf);
  EXPECT_EQ(r.problems[0].severity, Severity::Error);
  EXPECT_TRUE(has(r.problems[0].message, "intermediate certificate missing: its issuer " + kInter +
                                             " is neither in the chain nor in the trusted CA list"))
      << r.problems[0].message;
  EXPECT_EQ(r.anchor, "");
}

TEST_F(CertCheckTest, WithTheIntermediateAloneItsIssuerIsUntrusted) {
  // Without X509_V_FLAG_PARTIAL_CHAIN: a trusted intermediate does not end the chain.
  auto r = check({leaf.cert.get()}, {inter.cert.get()});
  EXPECT_FALSE(r.valid());
  ASSERT_EQ(codes(r), Codes{"untrusted"}) << dump(r);
  EXPECT_EQ(r.problems[0].subject, kInter);
  EXPECT_TRUE(has(r.problems[0].message, "not signed by a CA in the trusted CA list"));
  EXPECT_TRUE(has(r.problems[0].message, "not its issuer " + kRoot)) << r.problems[0].message;
  // Even when the root comes with the chain: the list must hold it.
  auto sent = check({leaf.cert.get(), inter.cert.get(), root.cert.get()}, {inter.cert.get()});
  EXPECT_FALSE(sent.valid());
  EXPECT_NE(find(sent, "untrusted"), nullptr) << dump(sent);
}

TEST_F(CertCheckTest, AnUnrelatedTrustedRootLeavesTheChainUntrusted) {
  Issued other = make({.cn = "Other Root CA", .ca = true}, nullptr);
  auto whole = check({leaf.cert.get(), inter.cert.get(), root.cert.get()}, {other.cert.get()});
  ASSERT_EQ(codes(whole), Codes{"untrusted"}) << dump(whole);
  EXPECT_EQ(whole.problems[0].subject, kRoot);
  EXPECT_TRUE(has(whole.problems[0].message, "ends at this self-signed root, which the list does not hold"));
  // Without the root in the file, the root is what cannot be found.
  auto part = check({leaf.cert.get(), inter.cert.get()}, {other.cert.get()});
  ASSERT_EQ(codes(part), Codes{"intermediate-missing"}) << dump(part);
  EXPECT_EQ(part.problems[0].subject, kInter);
  EXPECT_TRUE(has(part.problems[0].message, kRoot));
  // A self-signed leaf, and an empty list.
  Issued self = make({.cn = "cucma"}, nullptr);
  auto alone = check({self.cert.get()}, {});
  ASSERT_EQ(codes(alone), Codes{"untrusted"}) << dump(alone);
  EXPECT_TRUE(has(alone.problems[0].message, "it is self-signed and the list does not hold it; the trusted CA list "
                                             "is empty"))
      << alone.problems[0].message;
  // Seed 002's self-signed CUCM certificates, uploaded to the trusted list themselves.
  EXPECT_TRUE(check({self.cert.get()}, {self.cert.get()}).valid());
}

TEST_F(CertCheckTest, SameNameAnotherKeyIsNotTheIssuer) {
  Issued impostor = make({.cn = "Lab Intermediate CA", .ca = true}, &root);
  Issued other_leaf = make({.cn = "expressway-c.lab", .san = "DNS:expressway-c.lab"}, &impostor);
  auto in_chain = check({other_leaf.cert.get(), inter.cert.get()}, {root.cert.get()});
  ASSERT_EQ(codes(in_chain), (Codes{"intermediate-missing", "not-on-chain"})) << dump(in_chain);
  EXPECT_TRUE(
      has(in_chain.problems[0].message, "the " + kInter + " in the chain did not sign it (same name, another key)"))
      << in_chain.problems[0].message;
  auto in_list = check({other_leaf.cert.get()}, {inter.cert.get(), root.cert.get()});
  ASSERT_EQ(codes(in_list), Codes{"untrusted"}) << dump(in_list);
  EXPECT_TRUE(has(in_list.problems[0].message, "the list's " + kInter + " did not sign it"));
}

TEST_F(CertCheckTest, ABadSignatureIsReportedByTheVerifier) {
  // Named after the intermediate, no key identifier to tell them apart, signed by another key.
  Issued forger = make({.cn = "Lab Intermediate CA", .ca = true}, &root);
  Issued forged = make({.cn = "expressway-e.lab", .san = "DNS:expressway-e.lab"}, &forger);
  // X509_delete_ext hands the extension back: it is ours to free.
  X509_EXTENSION_free(
      X509_delete_ext(forged.cert.get(), X509_get_ext_by_NID(forged.cert.get(), NID_authority_key_identifier, -1)));
  resign(*forged.cert, *forger.key, EVP_sha256());
  auto r = check({forged.cert.get(), inter.cert.get()}, {root.cert.get()});
  EXPECT_FALSE(r.valid());
  auto* p = find(r, "bad-signature");
  ASSERT_NE(p, nullptr) << dump(r);
  EXPECT_EQ(p->subject, kLeaf);
}

TEST_F(CertCheckTest, AnIntermediateThatIsNotACaIsReported) {
  Issued not_ca = make({.cn = "Not A CA", .eku = ""}, &root);
  Issued below = make({.cn = "below.lab", .san = "DNS:below.lab"}, &not_ca);
  auto r = check({below.cert.get(), not_ca.cert.get()}, {root.cert.get()});
  auto* p = find(r, "not-a-ca");
  ASSERT_NE(p, nullptr) << dump(r);
  EXPECT_EQ(p->subject, "CN=Not A CA,O=cucm-emu lab");
}

TEST_F(CertCheckTest, EkuAccordingToPurpose) {
  Issued server_only = make({.cn = "e.lab", .eku = "serverAuth", .san = "DNS:e.lab"}, &inter);
  std::vector<const X509*> trusted{inter.cert.get(), root.cert.get()};
  EXPECT_TRUE(check({server_only.cert.get()}, trusted, CertPurpose::Server).valid());
  auto both = check({server_only.cert.get()}, trusted, CertPurpose::Both);
  ASSERT_EQ(codes(both), Codes{"eku-client"}) << dump(both);
  EXPECT_EQ(both.problems[0].message,
            "EKU lacks TLS Web Client Authentication (1.3.6.1.5.5.7.3.2); it has TLS Web Server Authentication");
  EXPECT_EQ(codes(check({server_only.cert.get()}, trusted, CertPurpose::Client)), Codes{"eku-client"});

  Issued client_only = make({.cn = "c.lab", .eku = "clientAuth", .san = "DNS:c.lab"}, &inter);
  EXPECT_EQ(codes(check({client_only.cert.get()}, trusted, CertPurpose::Server)), Codes{"eku-server"});
  EXPECT_TRUE(check({client_only.cert.get()}, trusted, CertPurpose::Client).valid());

  // Seed 003's certificates also carried ipsecEndSystem; alone it allows neither: both reported.
  Issued ipsec = make({.cn = "i.lab", .eku = "ipsecEndSystem", .san = "DNS:i.lab"}, &inter);
  EXPECT_EQ(codes(check({ipsec.cert.get()}, trusted)), (Codes{"eku-server", "eku-client"}));

  // No EKU at all: any purpose (RFC 5280), with a warning; anyExtendedKeyUsage: any purpose.
  Issued none = make({.cn = "n.lab", .eku = "", .san = "DNS:n.lab"}, &inter);
  auto r = check({none.cert.get()}, trusted);
  EXPECT_TRUE(r.valid()) << dump(r);
  ASSERT_EQ(codes(r), Codes{"eku-absent"});
  EXPECT_EQ(r.problems[0].severity, Severity::Warning);
  Issued any = make({.cn = "a.lab", .eku = "anyExtendedKeyUsage", .san = "DNS:a.lab"}, &inter);
  EXPECT_TRUE(check({any.cert.get()}, trusted).problems.empty());
}

TEST_F(CertCheckTest, HostMustBeInTheSan) {
  std::vector<const X509*> chain{leaf.cert.get()};
  std::vector<const X509*> trusted{inter.cert.get(), root.cert.get()};
  for (const char* ok : {"expressway-e.lab", "COLLAB-EDGE.lab", "192.0.2.10"}) {
    auto r = check(chain, trusted, CertPurpose::Both, ok);
    EXPECT_TRUE(r.valid()) << ok << "\n" << dump(r);
  }
  auto name = check(chain, trusted, CertPurpose::Both, "expressway-c.lab");
  ASSERT_EQ(codes(name), Codes{"host"}) << dump(name);
  EXPECT_EQ(name.problems[0].subject, kLeaf);
  EXPECT_EQ(name.problems[0].message, "host name not in the SAN: expressway-c.lab is not among DNS:expressway-e.lab, "
                                      "DNS:collab-edge.lab, IP Address:192.0.2.10");
  EXPECT_EQ(codes(check(chain, trusted, CertPurpose::Both, "192.0.2.11")), Codes{"host"});
  // The CN is not a SAN.
  Issued cn_only = make({.cn = "cucm.lab"}, &inter);
  auto cn = check({cn_only.cert.get()}, trusted, CertPurpose::Both, "cucm.lab");
  ASSERT_EQ(codes(cn), Codes{"host"}) << dump(cn);
  EXPECT_TRUE(has(cn.problems[0].message, "(the certificate has no DNS or IP SAN); it is the CN, which is not checked"))
      << cn.problems[0].message;
}

TEST_F(CertCheckTest, ValidityOfEveryCertificateAtTheGivenTime) {
  std::vector<const X509*> chain{leaf.cert.get()};
  std::vector<const X509*> trusted{inter.cert.get(), root.cert.get()};
  auto later = check(chain, trusted, CertPurpose::Both, std::nullopt, kNow + 400 * kDay);
  ASSERT_EQ(codes(later), (Codes{"expired", "expired", "expired"})) << dump(later);
  EXPECT_EQ(later.problems[0].subject, kLeaf);
  EXPECT_EQ(later.problems[1].subject, kInter);
  EXPECT_EQ(later.problems[2].subject, kRoot);
  EXPECT_EQ(later.problems[0].message, "expired on 2026-12-31 00:00:00 UTC (checked at 2027-02-05 00:00:00 UTC)");
  auto before = check(chain, trusted, CertPurpose::Both, std::nullopt, kNow - 2 * kDay);
  ASSERT_EQ(codes(before), (Codes{"not-yet-valid", "not-yet-valid", "not-yet-valid"})) << dump(before);
  EXPECT_EQ(before.problems[0].message,
            "not yet valid: valid from 2025-12-31 00:00:00 UTC (checked at 2025-12-30 00:00:00 UTC)");
  Issued old = make({.cn = "old.lab", .san = "DNS:old.lab", .from = kNow - 400 * kDay}, &inter);
  auto one = check({old.cert.get()}, trusted);
  ASSERT_EQ(codes(one), Codes{"expired"}) << dump(one);
  EXPECT_EQ(one.problems[0].subject, "CN=old.lab,O=cucm-emu lab");
}

TEST_F(CertCheckTest, SanOver999CharactersAndCnOver64) {
  std::vector<const X509*> trusted{inter.cert.get(), root.cert.get()};
  // "DNS:" + 995 characters is 999: at the limit. One more is over it.
  Issued at_limit = make({.cn = "a.lab", .san = "DNS:" + std::string(995, 'a')}, &inter);
  EXPECT_TRUE(check({at_limit.cert.get()}, trusted).valid());
  std::string many;
  for (int i = 0; i < 60; ++i) many += (i ? "," : "") + fmt::format("DNS:node{:02}.cluster.lab", i);
  Issued long_san = make({.cn = "cluster.lab", .san = many}, &inter);
  auto r = check({long_san.cert.get()}, trusted);
  ASSERT_EQ(codes(r), Codes{"san-too-long"}) << dump(r);
  // 60 entries of 22 characters and 59 separators of 2: 1438; node41 is the first to end past 999.
  EXPECT_EQ(r.problems[0].message,
            "subject or SAN field too long: the SAN is 1438 characters, over Expressway's 999, which ignores the names "
            "past it (seed 002): DNS:node41.cluster.lab, DNS:node42.cluster.lab, DNS:node43.cluster.lab, "
            "DNS:node44.cluster.lab, DNS:node45.cluster.lab (and 14 more)");

  Issued cn64 = make({.cn = "x", .san = "DNS:x.lab"}, &inter);
  set_cn(*cn64.cert, std::string(64, 'c'));
  resign(*cn64.cert, *inter.key, EVP_sha256());
  EXPECT_TRUE(check({cn64.cert.get()}, trusted).valid());
  Issued cn65 = make({.cn = "x", .san = "DNS:x.lab"}, &inter);
  set_cn(*cn65.cert, std::string(65, 'c'));
  resign(*cn65.cert, *inter.key, EVP_sha256());
  auto long_cn = check({cn65.cert.get()}, trusted);
  ASSERT_EQ(codes(long_cn), Codes{"subject-too-long"}) << dump(long_cn);
  EXPECT_EQ(long_cn.problems[0].message, "subject or SAN field too long: the CN is 65 characters, over RFC 5280's 64");
}

TEST_F(CertCheckTest, WildcardsAreNotSupported) {
  std::vector<const X509*> trusted{inter.cert.get(), root.cert.get()};
  Issued san = make({.cn = "lab", .san = "DNS:lab,DNS:*.lab"}, &inter);
  auto r = check({san.cert.get()}, trusted);
  ASSERT_EQ(codes(r), Codes{"wildcard"}) << dump(r);
  EXPECT_EQ(r.problems[0].message, "wildcard certificates are not supported (Expressway, seed 002): DNS:*.lab");
  Issued cn = make({.cn = "*.lab"}, &inter);
  auto c = check({cn.cert.get()}, trusted);
  ASSERT_EQ(codes(c), Codes{"wildcard"}) << dump(c);
  EXPECT_TRUE(has(c.problems[0].message, "CN=*.lab"));
}

TEST_F(CertCheckTest, SmallKeys) {
  std::vector<const X509*> trusted{inter.cert.get(), root.cert.get()};
  Issued rsa1024 = make({.cn = "cucma", .san = "DNS:cucma", .key = "rsa:1024"}, &inter);
  auto r = check({rsa1024.cert.get()}, trusted);
  ASSERT_EQ(codes(r), Codes{"key-too-small"}) << dump(r);
  EXPECT_EQ(r.problems[0].message, "key too small: RSA 1024 bits, under 2048 (seed 003's example used RSA 1024)");
  Issued rsa2048 = make({.cn = "cucm10", .san = "DNS:cucm10"}, &inter, shared(*test::rsa_identity(2048).key));
  EXPECT_TRUE(check({rsa2048.cert.get()}, trusted).valid());
  Issued p224 = make({.cn = "small", .san = "DNS:small", .key = "ec:secp224r1"}, &inter);
  auto ec = check({p224.cert.get()}, trusted);
  ASSERT_EQ(codes(ec), Codes{"key-too-small"}) << dump(ec);
  EXPECT_TRUE(has(ec.problems[0].message, "EC 224 bits, under 256"));
}

TEST_F(CertCheckTest, Sha1AndMd5SignaturesOnTheLeafAndIntermediates) {
  // Seed 003: SHA1withRSA, self-signed before and CA-signed after.
  Issued sha1_root = make({.cn = "CA", .ca = true, .digest = HashAlg::Sha1}, nullptr);
  Issued sha1_inter = make({.cn = "Issuing CA", .ca = true, .digest = HashAlg::Sha1}, &sha1_root);
  Issued sha1_leaf = make({.cn = "CUCM10", .san = "DNS:cucm10", .digest = HashAlg::Sha1}, &sha1_inter);
  auto r = check({sha1_leaf.cert.get(), sha1_inter.cert.get()}, {sha1_root.cert.get()});
  ASSERT_EQ(codes(r), (Codes{"sha1-signature", "sha1-signature"})) << dump(r);  // not the root's own
  EXPECT_EQ(r.problems[0].subject, "CN=CUCM10,O=cucm-emu lab");
  EXPECT_EQ(r.problems[1].subject, "CN=Issuing CA,O=cucm-emu lab");
  EXPECT_TRUE(has(r.problems[0].message, "SHA-1 signature (ecdsa-with-SHA1)")) << r.problems[0].message;
  Issued self = make({.cn = "CUCMA", .digest = HashAlg::Sha1}, nullptr);
  EXPECT_EQ(codes(check({self.cert.get()}, {self.cert.get()})), Codes{"sha1-signature"});

  Issued rsa_inter = make({.cn = "RSA CA", .ca = true, .key = "rsa:2048"}, &root);
  Issued md5_leaf = make({.cn = "md5.lab", .san = "DNS:md5.lab"}, &rsa_inter);
  resign(*md5_leaf.cert, *rsa_inter.key, EVP_md5());
  auto m = check({md5_leaf.cert.get(), rsa_inter.cert.get()}, {root.cert.get()});
  ASSERT_EQ(codes(m), Codes{"md5-signature"}) << dump(m);
  EXPECT_TRUE(has(m.problems[0].message, "MD5 signature (md5WithRSAEncryption)"));
}

TEST_F(CertCheckTest, ALoopGivesAVerdict) {
  // A issued by B and B issued by A: B is made first under its own name, then again by A.
  PkeyPtr b_key = new_key("ec:P-256");
  Issued b_first = make({.cn = "Loop B", .ca = true}, nullptr, shared(*b_key));
  Issued a = make({.cn = "Loop A", .ca = true}, &b_first);
  Issued b = make({.cn = "Loop B", .ca = true}, &a, std::move(b_key));
  Issued in_loop = make({.cn = "loop.lab", .san = "DNS:loop.lab"}, &a);
  auto presented = check({in_loop.cert.get(), a.cert.get(), b.cert.get()}, {root.cert.get()});
  EXPECT_FALSE(presented.valid());
  auto* p = find(presented, "loop");
  ASSERT_NE(p, nullptr) << dump(presented);
  EXPECT_TRUE(has(p->message, "the chain loops")) << p->message;
  // Both in the trusted list: OpenSSL would go round until its depth limit.
  auto trusted = check({in_loop.cert.get()}, {a.cert.get(), b.cert.get()});
  EXPECT_FALSE(trusted.valid());
  ASSERT_NE(find(trusted, "loop"), nullptr) << dump(trusted);
  EXPECT_EQ(find(trusted, "chain-too-long"), nullptr) << dump(trusted);
  EXPECT_EQ(trusted.chain.size(), 3u);
}

TEST_F(CertCheckTest, EveryProblemIsReportedNotTheFirst) {
  Issued bad = make({.cn = "*.lab", .eku = "clientAuth", .digest = HashAlg::Sha1, .from = kNow - 400 * kDay,
                     .key = "rsa:1024"},
                    &inter);
  auto r = check({bad.cert.get()}, {root.cert.get()}, CertPurpose::Both, "cucm.lab");
  EXPECT_FALSE(r.valid());
  EXPECT_EQ(codes(r), (Codes{"intermediate-missing", "expired", "eku-server", "host", "wildcard", "key-too-small",
                             "sha1-signature"}))
      << dump(r);
  EXPECT_EQ(r.errors(), 7u);
}

TEST_F(CertCheckTest, ASameSubjectInTheTrustedListIsAWarning) {
  Issued twin = make({.cn = "Lab Root CA", .ca = true}, nullptr);  // same subject, another key
  auto r = check({leaf.cert.get(), inter.cert.get()}, {twin.cert.get(), root.cert.get()});
  EXPECT_TRUE(r.valid()) << dump(r);
  ASSERT_EQ(codes(r), Codes{"shadowed"});
  EXPECT_EQ(r.problems[0].severity, Severity::Warning);
  EXPECT_EQ(r.problems[0].subject, kRoot);
  EXPECT_TRUE(has(r.problems[0].message, "trusted CA 2 has the subject of trusted CA 1"));
  EXPECT_TRUE(has(r.problems[0].message, "and this is the one the chain needs"));
  // The same certificate twice is no shadow.
  EXPECT_TRUE(check({leaf.cert.get(), inter.cert.get()}, {root.cert.get(), root.cert.get()}).problems.empty());
}

TEST_F(CertCheckTest, ACertificateOffTheChainIsAWarning) {
  Issued stray = make({.cn = "Stray CA", .ca = true}, nullptr);
  auto r = check({leaf.cert.get(), stray.cert.get(), inter.cert.get()}, {root.cert.get()});
  EXPECT_TRUE(r.valid()) << dump(r);
  ASSERT_EQ(codes(r), Codes{"not-on-chain"});
  EXPECT_EQ(r.problems[0].subject, "CN=Stray CA,O=cucm-emu lab");
}

TEST_F(CertCheckTest, AtMost64CertificatesInAChainOrATrustedList) {
  std::vector<const X509*> thousand(1000, leaf.cert.get());
  auto r = check_cert_chain({thousand, {}, CertPurpose::Both, std::nullopt, kNow});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::ResourceExhausted);
  EXPECT_TRUE(has(r.error().message, "more than 64 certificates")) << r.error().message;
  auto t = check_cert_chain({{leaf.cert.get()}, thousand, CertPurpose::Both, std::nullopt, kNow});
  ASSERT_FALSE(t);
  EXPECT_TRUE(has(t.error().message, "the trusted CA list")) << t.error().message;
  std::vector<const X509*> sixty_four(64, root.cert.get());
  EXPECT_TRUE(check(sixty_four, sixty_four).valid());
  auto none = check_cert_chain({{}, {}, CertPurpose::Both, std::nullopt, kNow});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::InvalidArgument);
}

TEST_F(CertCheckTest, BundlesArePemOrDerWithALimit) {
  Bytes pem = cert_pem(*leaf.cert);
  Bytes inter_pem = cert_pem(*inter.cert);
  pem.insert(pem.end(), inter_pem.begin(), inter_pem.end());
  auto two = load_cert_bundle(pem, "chain.pem");
  ASSERT_TRUE(two) << two.error().message;
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ(X509_cmp((*two)[1].get(), inter.cert.get()), 0);

  Bytes der = cert_der(*leaf.cert);
  Bytes inter_der = cert_der(*inter.cert);
  der.insert(der.end(), inter_der.begin(), inter_der.end());
  auto ders = load_cert_bundle(der, "chain.der");
  ASSERT_TRUE(ders) << ders.error().message;
  EXPECT_EQ(ders->size(), 2u);
  der.push_back(0);
  auto trailing = load_cert_bundle(der, "chain.der");
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error().message,
            fmt::format("signer: chain.der: the bytes at offset {}, after certificate 2, are not a DER certificate",
                        der.size() - 1));

  // A key block beside the certificate is skipped.
  Bytes with_key = *private_key_pem(*leaf.key);
  Bytes leaf_pem = cert_pem(*leaf.cert);
  with_key.insert(with_key.end(), leaf_pem.begin(), leaf_pem.end());
  auto skipped = load_cert_bundle(with_key, "bundle.pem");
  ASSERT_TRUE(skipped) << skipped.error().message;
  EXPECT_EQ(skipped->size(), 1u);

  std::string text = "this is not a certificate\n";
  auto neither = load_cert_bundle(Bytes(text.begin(), text.end()), "notes.txt");
  ASSERT_FALSE(neither);
  EXPECT_EQ(neither.error().code, Errc::InvalidArgument);
  EXPECT_EQ(neither.error().message,
            "signer: notes.txt: no certificate in it: neither PEM (-----BEGIN CERTIFICATE-----) nor DER");

  // The second block damaged: said, not skipped.
  Bytes damaged = pem;
  std::string as_text(damaged.begin(), damaged.end());
  std::size_t second = as_text.find("-----BEGIN CERTIFICATE-----", 10);
  damaged[second + 40] = '*';
  auto broken = load_cert_bundle(damaged, "chain.pem");
  ASSERT_FALSE(broken);
  EXPECT_TRUE(has(broken.error().message, "signer: chain.pem: certificate 2 does not parse"))
      << broken.error().message;

  Bytes thousand;
  for (int i = 0; i < 1000; ++i) thousand.insert(thousand.end(), leaf_pem.begin(), leaf_pem.end());
  auto many = load_cert_bundle(thousand, "big.pem");
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, Errc::ResourceExhausted);
  EXPECT_EQ(many.error().message,
            "signer: big.pem: more than 64 certificates (a chain or a trusted CA list holds at most 64)");
}

TEST(CertPurpose, ParsesAndDescribes) {
  EXPECT_EQ(*parse_cert_purpose("server"), CertPurpose::Server);
  EXPECT_EQ(*parse_cert_purpose("client"), CertPurpose::Client);
  EXPECT_EQ(*parse_cert_purpose("both"), CertPurpose::Both);
  auto bad = parse_cert_purpose("email");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "purpose 'email': expected server, client or both");
  EXPECT_EQ(describe_purpose(CertPurpose::Both), "server and client");
}

}  // namespace
}  // namespace cucm::signer
