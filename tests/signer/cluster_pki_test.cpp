// The cluster PKI: created once, reloaded as it was, never partly regenerated, imports checked.
#include <sys/stat.h>

#include <filesystem>

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
    EXPECT_EQ(describe_key(*pki->identity(r).key), "RSA 2048");
  }
  EXPECT_EQ(subject_name(*pki->identity(PkiRole::CallManager).cert), "CN=cucm-emu,OU=Phone Security,O=cucm-emu Lab");
  EXPECT_EQ(pki->itl_entries().size(), 4u);
  EXPECT_EQ(pki->ctl_entries().size(), 3u);
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
