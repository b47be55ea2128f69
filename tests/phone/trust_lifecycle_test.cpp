// The trust-list lifecycle as a phone lives it (issue 17, item 5), with our phone simulator
// against our real servers on loopback: identities rotated with and without TVS, the two eras of
// the ITL's signer, and the cluster prepared for rollback.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include "phone/phone_state.hpp"
#include "phone/tvs_memory.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "signer/pki_rotation.hpp"
#include "tests/phone/loopback_cluster.hpp"
#include "tvs/proto/explain.hpp"

namespace cucm::phone {
namespace {
using namespace test;  // NOLINT: the fixture and its helpers


constexpr const char* kPhone = "SEP0011223344CC";
constexpr const char* kNonSecure = "Cisco 7942 - Standard SCCP Non-Secure Profile";

// A new ITLRecovery, written while the cluster is down (an import, named so the ladder shows it);
// with `and_tvs`, a new TVS identity too, as `pki rotate --force` makes.
void rotate_itl_recovery(const fs::path& dir, bool and_tvs = false) {
  auto pki = signer::ClusterPki::load(dir);
  ASSERT_TRUE(pki) << pki.error().message;
  auto key = signer::generate_key({});
  signer::CertRequest r;
  r.subject = {{"CN", "ITLRECOVERY_rotated"}};
  auto cert = signer::make_self_signed(**key, r);
  ASSERT_TRUE(pki->import(signer::PkiRole::ItlRecovery, signer::cert_pem(**cert), *signer::private_key_pem(**key), {}));
  if (and_tvs) {
    ASSERT_TRUE(signer::rotate_identity(*pki, signer::PkiRole::Tvs));
  }
}

// The phone boots once against the cluster (and learns its TVS), the ITLRecovery is rotated, and
// the phone boots again against the cluster reopened with or without TVS.
Result<BootResult> boot_after_rotation(const std::string& name, bool tvs, bool and_tvs_identity = false) {
  auto dir = temp(name);
  auto phone_dir = temp(name + "-phone");
  fs::remove_all(phone_dir);
  std::uint16_t tvs_port = 0;
  {
    Cluster c(dir);
    c.add(kPhone, kNonSecure);
    auto r = boot(c.boot_options(kPhone, phone_dir));
    EXPECT_TRUE(r && r->full_config);
    tvs_port = c.services->tvs_port();
  }
  rotate_itl_recovery(dir, and_tvs_identity);
  // The same TVS address as before, as a real cluster keeps 2445: the phone knows it from its
  // last config.
  Cluster again(dir, false, tvs, tvs_port);
  return boot(again.boot_options(kPhone, phone_dir));
}

TEST(TvsLifecycle, ANewItlSignerIsAcceptedWhenTvsVouchesForIt) {
  auto r = boot_after_rotation("rotate-tvs", true);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(ladder_has(*r, "VerifyRequest CN=ITLRECOVERY_rotated as CP-8845-SEP0011223344CC"));
  EXPECT_TRUE(ladder_has(*r, "VerifyResponse valid SAST, ttl 86400 s"));
  EXPECT_TRUE(ladder_has(*r, "TVS vouches for its signer"));
  // Issue 19 item 4: the ladder keeps both messages as sent, for phone boot --explain and --hex.
  std::vector<std::string> lines;
  for (const auto& s : r->ladder) {
    if (s.proto != "TVS") continue;
    auto e = tvs::explain_message(s.wire);
    lines.insert(lines.end(), e.begin(), e.end());
  }
  auto has = [&](const std::string& l) { return std::find(lines.begin(), lines.end(), l) != lines.end(); };
  EXPECT_TRUE(has("Status (tag 7, 1 bytes): 0 (valid)")) << ::testing::PrintToString(lines);
  EXPECT_TRUE(has("Roles (tag 8, 1 bytes): 0 (SAST)"));
  EXPECT_TRUE(has("TTL (tag 9, 4 bytes): 86400 s"));
  EXPECT_TRUE(has("DeviceName (tag 1, 24 bytes): leading byte 01, \"CP-8845-SEP0011223344CC\""));
}

TEST(TvsLifecycle, WithoutTvsTheRotationStrandsThePhoneUntilItsTrustIsReset) {
  auto r = boot_after_rotation("rotate-no-tvs", false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->full_config);
  EXPECT_NE(r->failure.find("Trust List Update Failed"), std::string::npos) << r->failure;
  EXPECT_NE(r->failure.find("no TVS server answered"), std::string::npos) << r->failure;
  auto state = load_state(temp("rotate-no-tvs-phone"), kPhone);
  ASSERT_TRUE(state);
  ASSERT_TRUE(reset_trust(*state));
  Cluster c(temp("rotate-no-tvs"), false, false);
  auto after = boot(c.boot_options(kPhone, temp("rotate-no-tvs-phone")));
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->full_config) << after->failure;
  EXPECT_TRUE(ladder_has(*after, "trusted on first use"));
}

TEST(TvsLifecycle, RotatingItlRecoveryAndTvsTogetherStrandsThePhone) {
  auto r = boot_after_rotation("rotate-both", true, true);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->full_config);
  // The TVS it reaches presents a certificate its ITL does not hold.
  EXPECT_NE(r->failure.find("Trust List Update Failed"), std::string::npos) << r->failure;
  EXPECT_NE(r->failure.find("not a TVS certificate of the ITL"), std::string::npos) << r->failure;
}

TEST(TvsLifecycle, AnAnswerIsRememberedForItsTtl) {
  auto phone_dir = temp("rotate-remember-phone");
  auto r = boot_after_rotation("rotate-remember", true);
  ASSERT_TRUE(r && r->full_config);
  auto memory = load_tvs_memory(phone_dir);
  ASSERT_EQ(memory.servers.size(), 1u);
  ASSERT_EQ(memory.answers.size(), 1u);
  auto remembered = memory.answers.begin()->second;
  EXPECT_EQ(remembered.roles, std::vector<std::uint8_t>{0});
  EXPECT_GT(remembered.expires, std::time(nullptr) + 86'000);
}

// --- The two eras of the ITL's signer (cluster set itl_signer) -------------------------------

// The roles of the ITL the cluster serves to kPhone now, in record order.
std::vector<std::string> itl_roles(Cluster& c, std::string* signer_name = nullptr) {
  std::vector<std::string> roles;
  auto served = c.cat->fetch(std::string("ITL") + kPhone + ".tlv");
  EXPECT_TRUE(served) << served.error().message;
  if (!served) return roles;
  auto itl = signer::parse_trust_list(*served->bytes);
  EXPECT_TRUE(itl) << itl.error().message;
  if (!itl) return roles;
  EXPECT_TRUE(signer::verify_trust_list(*served->bytes, *itl));
  if (signer_name) *signer_name = itl->parsed.header.signer_name;
  for (const auto& rec : itl->records) roles.push_back(rec.role ? signer::role_name(*rec.role) : "?");
  return roles;
}

// Boots kPhone once on a new cluster of the given era, rotates `roles` while the cluster is down
// (as `pki rotate --force` does), then boots again against the cluster reopened with or without
// TVS on the port the phone knows.
Result<BootResult> boot_across(const std::string& name, bool callmanager_era, std::vector<signer::PkiRole> roles,
                               bool tvs = true) {
  auto dir = temp(name);
  auto phone_dir = temp(name + "-phone");
  fs::remove_all(phone_dir);
  std::uint16_t tvs_port = 0;
  {
    Cluster c(dir);
    if (callmanager_era) {
      EXPECT_TRUE(db::SettingsStore(*c.db).set("itl_signer", "callmanager"));
    }
    c.add(kPhone, kNonSecure);
    auto r = boot(c.boot_options(kPhone, phone_dir));
    EXPECT_TRUE(r && r->full_config);
    tvs_port = c.services->tvs_port();
  }
  {
    auto pki = signer::ClusterPki::load(dir);
    EXPECT_TRUE(pki) << pki.error().message;
    for (auto role : roles) EXPECT_TRUE(signer::rotate_identity(*pki, role));
  }
  Cluster again(dir, false, tvs, tvs_port);
  return boot(again.boot_options(kPhone, phone_dir));
}

// Before CUCM 12.0 the CallManager certificate signs the ITL: its record is listed as SAST (the
// signer) and again as CCM+TFTP. A phone that holds the 12.0 ITL takes it without TVS, since it
// holds that certificate as CCM+TFTP.
TEST(ItlEras, BeforeTwelveTheCallManagerCertificateSignsTheItl) {
  Cluster c(temp("era-switch"));
  c.add(kPhone, kNonSecure);
  std::string signer_name;
  EXPECT_EQ(itl_roles(c, &signer_name), (std::vector<std::string>{"SAST", "CCM+TFTP", "CAPF", "TVS", "TFTP"}));
  EXPECT_EQ(signer_name, signer::subject_name(*c.pki->identity(signer::PkiRole::ItlRecovery).cert));
  auto first = boot(c.boot_options(kPhone, temp("era-switch-phone")));
  ASSERT_TRUE(first && first->full_config);

  ASSERT_TRUE(db::SettingsStore(*c.db).set("itl_signer", "callmanager"));
  EXPECT_EQ(itl_roles(c, &signer_name), (std::vector<std::string>{"SAST", "SAST", "CCM+TFTP", "CAPF", "TVS", "TFTP"}));
  EXPECT_EQ(signer_name, signer::subject_name(*c.pki->identity(signer::PkiRole::CallManager).cert));
  auto r = boot(c.boot_options(kPhone, temp("era-switch-phone")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(ladder_has(*r, "signed by a certificate already trusted"));
  EXPECT_FALSE(ladder_has(*r, "ask TVS"));
}

// Before 12.0 a new CallManager certificate signs the next ITL: the phone holds only the old one,
// and takes the ITL because TVS vouches for the new certificate as CCM+TFTP.
TEST(ItlEras, BeforeTwelveANewCallManagerIsTakenThroughTvs) {
  auto r = boot_across("era-cm", true, {signer::PkiRole::CallManager});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(ladder_has(*r, "VerifyResponse valid CCM+TFTP"));
  EXPECT_TRUE(ladder_has(*r, "TVS vouches for its signer"));
}

// ... so without TVS the same rotation strands the phone, which a 12.0 cluster survives: there
// ITLRecovery, unchanged, signs the new ITL.
TEST(ItlEras, BeforeTwelveANewCallManagerWithoutTvsStrandsThePhone) {
  auto r = boot_across("era-cm-no-tvs", true, {signer::PkiRole::CallManager}, false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->full_config);
  EXPECT_NE(r->failure.find("Trust List Update Failed"), std::string::npos) << r->failure;

  auto later = boot_across("era12-cm-no-tvs", false, {signer::PkiRole::CallManager}, false);
  ASSERT_TRUE(later) << later.error().message;
  EXPECT_TRUE(later->full_config) << later->failure;
  EXPECT_TRUE(ladder_has(*later, "signed by a certificate already trusted"));
}

// Before 12.0, CallManager and TVS rotated together leave the phone no way to the new ITL.
TEST(ItlEras, BeforeTwelveRotatingCallManagerAndTvsTogetherStrandsThePhone) {
  auto r = boot_across("era-cm-tvs", true, {signer::PkiRole::CallManager, signer::PkiRole::Tvs});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->full_config);
  EXPECT_NE(r->failure.find("Trust List Update Failed"), std::string::npos) << r->failure;
  EXPECT_NE(r->failure.find("not a TVS certificate of the ITL"), std::string::npos) << r->failure;
}

// Before 12.0 ITLRecovery signs nothing a phone checks: rotating it, even without TVS, changes a
// record of the ITL and nothing else.
TEST(ItlEras, BeforeTwelveANewItlRecoveryNeedsNoTvs) {
  auto r = boot_across("era-itlr", true, {signer::PkiRole::ItlRecovery}, false);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(ladder_has(*r, "signed by a certificate already trusted"));
}

// --- Prepare Cluster for Rollback (cluster set rollback_prep 1) ------------------------------

// The phone takes the empty ITL (its signer is the one it trusts), then configs unchecked; the
// cluster then changes both ways a phone could trust a new ITL (ITLRecovery and TVS, which strands
// a phone otherwise: RotatingItlRecoveryAndTvsTogetherStrandsThePhone), and the phone takes the
// new cluster's ITL on first use, with no reset by hand.
TEST(Rollback, AnEmptyItlLetsThePhoneTakeTheNextClusterWithoutAReset) {
  auto dir = temp("rollback");
  auto phone_dir = temp("rollback-phone");
  fs::remove_all(phone_dir);
  std::uint16_t tvs_port = 0;
  {
    Cluster c(dir);
    c.add(kPhone, kNonSecure);
    auto first = boot(c.boot_options(kPhone, phone_dir));
    ASSERT_TRUE(first && first->full_config);
    ASSERT_TRUE(db::SettingsStore(*c.db).set("rollback_prep", "1"));
    EXPECT_EQ(itl_roles(c), (std::vector<std::string>{"SAST", "CAPF"}));
    auto r = boot(c.boot_options(kPhone, phone_dir));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->full_config) << r->failure;
    EXPECT_TRUE(ladder_has(*r, "accept the new ITL"));
    EXPECT_TRUE(ladder_has(*r, "ITL is empty"));
    EXPECT_TRUE(ladder_has(*r, "signature not checked"));
    tvs_port = c.services->tvs_port();
  }
  rotate_itl_recovery(dir, true);
  Cluster again(dir, false, true, tvs_port);
  ASSERT_TRUE(db::SettingsStore(*again.db).set("rollback_prep", "0"));
  auto r = boot(again.boot_options(kPhone, phone_dir));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(ladder_has(*r, "my ITL is empty"));
  EXPECT_TRUE(ladder_has(*r, "signature OK"));
  EXPECT_FALSE(ladder_has(*r, "ask TVS"));
}

}  // namespace
}  // namespace cucm::phone
