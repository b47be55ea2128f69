// The cluster PKI: created once, reloaded as it was, never partly regenerated, imports checked.
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include <gtest/gtest.h>

#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/keys.hpp"
#include "test_support.hpp"

namespace cucm::signer {
namespace {
namespace fs = std::filesystem;

TEST(ClusterPki, CreatesAllRolesWithPrivateKeysMode0600) {
  auto dir = test::fresh_dir("pki-create");
  bool created = false;
  auto pki = ClusterPki::load_or_create(dir, PkiOptions{}, &created);
  ASSERT_TRUE(pki) << pki.error().message;
  EXPECT_TRUE(created);
  for (auto r : kAllPkiRoles) {
    auto name = std::string(pki_role_name(r));
    struct stat st {};
    ASSERT_EQ(::stat((dir / "pki" / (name + ".key")).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
    EXPECT_TRUE(fs::exists(dir / "pki" / (name + ".pem")));
    EXPECT_EQ(describe_key(*pki->identity(r).key), r == PkiRole::Https ? "EC prime256v1" : "RSA 2048");
  }
  EXPECT_EQ(subject_name(*pki->identity(PkiRole::CallManager).cert), "CN=cucm-emu,OU=Phone Security,O=cucm-emu Lab");
  EXPECT_EQ(pki->itl_entries().size(), 5u);
  EXPECT_EQ(pki->ctl_entries().size(), 4u);
  EXPECT_EQ(as_chars(*read_file(dir / "pki" / ClusterPki::kManifestName)), "callmanager\ncapf\nitlrecovery\ntvs\nhttps\n");
}

// HTTPS 6971: EC P-256, listed as TFTP, named for the node, with the loopback names a lab's curl
// checks (the SAN is what clients verify; phones pin the certificate from the ITL instead).
TEST(ClusterPki, HttpsIdentityIsEcWithTheNodeAndLoopbackNames) {
  auto dir = test::fresh_dir("pki-https");
  PkiOptions o;
  o.node_name = "CUCM-Lab";
  auto pki = ClusterPki::load_or_create(dir, o);
  ASSERT_TRUE(pki) << pki.error().message;
  const X509& cert = *pki->identity(PkiRole::Https).cert;
  EXPECT_EQ(subject_name(cert), "CN=CUCM-Lab-EC,OU=Phone Security,O=cucm-emu Lab");
  EXPECT_EQ(trust_role(PkiRole::Https), Role::Tftp);
  EXPECT_EQ(X509_check_host(const_cast<X509*>(&cert), "cucm-lab", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(const_cast<X509*>(&cert), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(const_cast<X509*>(&cert), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(const_cast<X509*>(&cert), "::1", 0), 1);
  EXPECT_EQ(*parse_pki_role("https"), PkiRole::Https);
  // Phones take only EC on 6971: an RSA certificate is refused, at creation and at import.
  auto rsa_dir = test::fresh_dir("pki-https-rsa");
  PkiOptions rsa;
  rsa.https_key = KeySpec{};
  auto refused = ClusterPki::load_or_create(rsa_dir, rsa);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("only an EC certificate"), std::string::npos) << refused.error().message;
  const auto& other = test::rsa_identity(2048);
  auto st = pki->import(PkiRole::Https, cert_pem(*other.cert), *private_key_pem(*other.key), {});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("only an EC certificate"), std::string::npos) << st.error().message;
}

// A data folder made before HTTPS existed holds four identities and no manifest: the fifth is
// made on first use, from the cluster's own subject, and nothing else changes. Lost afterwards,
// it is refused like any other.
TEST(ClusterPki, FolderFromBeforeHttpsGetsItOnceAndALossIsStillRefused) {
  auto dir = test::fresh_dir("pki-upgrade");
  PkiOptions o;
  o.node_name = "cucm85";
  o.organisation = "Cisco";
  ASSERT_TRUE(ClusterPki::load_or_create(dir, o));
  fs::remove(dir / "pki" / "https.pem");
  fs::remove(dir / "pki" / "https.key");
  fs::remove(dir / "pki" / ClusterPki::kManifestName);
  std::map<std::string, Bytes> before;
  for (auto& e : fs::directory_iterator(dir / "pki")) before[e.path().filename().string()] = *read_file(e.path());
  ASSERT_EQ(before.size(), 8u);

  bool created = true;
  auto pki = ClusterPki::load_or_create(dir, PkiOptions{}, &created);
  ASSERT_TRUE(pki) << pki.error().message;
  EXPECT_FALSE(created);
  ASSERT_EQ(pki->added(), std::vector<PkiRole>{PkiRole::Https});
  EXPECT_EQ(subject_name(*pki->identity(PkiRole::Https).cert), "CN=cucm85-EC,OU=Phone Security,O=Cisco");
  for (auto& [name, bytes] : before) EXPECT_EQ(*read_file(dir / "pki" / name), bytes) << name;
  EXPECT_TRUE(fs::exists(dir / "pki" / ClusterPki::kManifestName));
  auto again = ClusterPki::load(dir);  // made once: loaded, not made again
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->added().empty());
  EXPECT_EQ(cert_der(*again->identity(PkiRole::Https).cert), cert_der(*pki->identity(PkiRole::Https).cert));

  fs::remove(dir / "pki" / "https.key");
  fs::remove(dir / "pki" / "https.pem");
  auto lost = ClusterPki::load_or_create(dir, PkiOptions{});
  ASSERT_FALSE(lost);
  EXPECT_NE(lost.error().message.find("missing https.pem, https.key"), std::string::npos) << lost.error().message;
  EXPECT_FALSE(fs::exists(dir / "pki" / "https.pem"));
}

// An old folder that also lost an identity it had is refused, and gets nothing new meanwhile.
TEST(ClusterPki, FolderFromBeforeHttpsMissingCallManagerIsRefused) {
  auto dir = test::fresh_dir("pki-upgrade-lost");
  ASSERT_TRUE(ClusterPki::load_or_create(dir, PkiOptions{}));
  for (const char* f : {"https.pem", "https.key", ClusterPki::kManifestName, "callmanager.key"}) fs::remove(dir / "pki" / f);
  auto refused = ClusterPki::load(dir);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("missing callmanager.key"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(fs::exists(dir / "pki" / "https.pem"));
}

TEST(ClusterPki, SecondRunLoadsTheSameIdentities) {
  auto dir = test::fresh_dir("pki-reload");
  auto first = ClusterPki::load_or_create(dir, PkiOptions{});
  ASSERT_TRUE(first);
  bool created = true;
  PkiOptions other;
  other.node_name = "different";  // options do not matter once identities exist
  auto second = ClusterPki::load_or_create(dir, other, &created);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(created);
  for (auto r : kAllPkiRoles) {
    EXPECT_EQ(cert_der(*first->identity(r).cert), cert_der(*second->identity(r).cert));
  }
}

TEST(ClusterPki, MissingFileIsAnErrorNotARegeneration) {
  auto dir = test::fresh_dir("pki-partial");
  ASSERT_TRUE(ClusterPki::load_or_create(dir, PkiOptions{}));
  Bytes before = *read_file(dir / "pki" / "callmanager.pem");
  fs::remove(dir / "pki" / "itlrecovery.key");
  auto again = ClusterPki::load_or_create(dir, PkiOptions{});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("missing itlrecovery.key"), std::string::npos) << again.error().message;
  EXPECT_NE(again.error().message.find("refusing to regenerate"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "pki" / "itlrecovery.key"));
  EXPECT_EQ(*read_file(dir / "pki" / "callmanager.pem"), before);
}

TEST(ClusterPki, SwappedKeyIsDetected) {
  auto dir = test::fresh_dir("pki-swap");
  ASSERT_TRUE(ClusterPki::load_or_create(dir, PkiOptions{}));
  fs::copy_file(dir / "pki" / "tvs.key", dir / "pki" / "capf.key", fs::copy_options::overwrite_existing);
  auto again = ClusterPki::load(dir);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("capf.key does not match"), std::string::npos) << again.error().message;
}

TEST(ClusterPki, LoadWithoutInitNamesTheCommand) {
  auto dir = test::fresh_dir("pki-none");
  auto pki = ClusterPki::load(dir);
  ASSERT_FALSE(pki);
  EXPECT_EQ(pki.error().code, Errc::NotFound);
  EXPECT_NE(pki.error().message.find("cucm-emu pki init"), std::string::npos);
}

TEST(ClusterPki, EcCapfAndRefusedEcFileSigner) {
  auto dir = test::fresh_dir("pki-ec");
  PkiOptions o;
  o.capf_key = *parse_key_spec("ec:P-256");
  auto pki = ClusterPki::load_or_create(dir, o);
  ASSERT_TRUE(pki) << pki.error().message;
  EXPECT_EQ(describe_key(*pki->identity(PkiRole::Capf).key), "EC prime256v1");

  auto dir2 = test::fresh_dir("pki-ec-bad");
  PkiOptions bad;
  bad.key = *parse_key_spec("ec:P-256");
  auto refused = ClusterPki::load_or_create(dir2, bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("needs an RSA key"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir2 / "pki" / "capf.pem"));  // nothing half-made
}

TEST(ClusterPki, ImportEnterpriseSignedCallManager) {
  auto dir = test::fresh_dir("pki-import");
  auto pki = ClusterPki::load_or_create(dir, PkiOptions{});
  ASSERT_TRUE(pki);
  // An enterprise CA signs a CSR made from a new key (seed 003's flow).
  const auto& ca = test::rsa_identity(2048);
  auto key = generate_key(KeySpec{});
  ASSERT_TRUE(key);
  CertRequest req;
  req.subject = {{"C", "IN"}, {"ST", "cisco"}, {"L", "cisco"}, {"O", "cisco"}, {"OU", "cisco"}, {"CN", "CUCMA"}};
  req.is_ca = false;
  req.key_usage = "critical,digitalSignature,keyEncipherment";
  auto cert = issue_cert(**key, req, *ca.cert, *ca.key);
  ASSERT_TRUE(cert);
  auto key_pem = private_key_pem(**key);
  ASSERT_TRUE(key_pem);

  // The wrong key is refused with both keys described, and nothing changes on disk.
  Bytes before = *read_file(dir / "pki" / "callmanager.pem");
  auto wrong = private_key_pem(*test::rsa_identity(1024).key);
  auto st = pki->import(PkiRole::CallManager, cert_pem(**cert), *wrong, {});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("does not match the certificate"), std::string::npos) << st.error().message;
  EXPECT_EQ(*read_file(dir / "pki" / "callmanager.pem"), before);

  ASSERT_TRUE(pki->import(PkiRole::CallManager, cert_pem(**cert), *key_pem, cert_pem(*ca.cert)));
  auto reloaded = ClusterPki::load(dir);
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  const auto& cm = reloaded->identity(PkiRole::CallManager);
  EXPECT_EQ(subject_name(*cm.cert), "C=IN,ST=cisco,L=cisco,O=cisco,OU=cisco,CN=CUCMA");
  EXPECT_EQ(cm.chain.size(), 1u);
  bool backup = false;
  for (auto& e : fs::directory_iterator(dir / "pki")) backup |= e.path().filename().string().starts_with("callmanager.pem.bak-");
  EXPECT_TRUE(backup);
}

}  // namespace
}  // namespace cucm::signer
