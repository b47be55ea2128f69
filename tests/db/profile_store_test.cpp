// Phone security profiles: CUCM's rules for predefined and in-use profiles.
#include "db/profile_store.hpp"

#include "db/device_store.hpp"
#include "db_fixture.hpp"

namespace cucm::db {
namespace {

using test::DbTest;

TEST_F(DbTest, StandardProfilesAreThere) {
  ProfileStore s(db());
  for (const char* name : {test::kUniversal, "Cisco 7942 - Standard SCCP Non-Secure Profile", test::kEncryptedProfile}) {
    EXPECT_TRUE(s.get(name)) << name;
  }
  auto enc = s.get(test::kEncryptedProfile);
  EXPECT_TRUE(enc->tftp_encrypted);
  EXPECT_EQ(enc->capf_auth_mode, "null-string");
}

TEST_F(DbTest, PredefinedProfilesCannotChangeOrGo) {
  ProfileStore s(db());
  auto p = s.get("Cisco 7942 - Standard SCCP Non-Secure Profile");
  ASSERT_TRUE(p);
  p->tftp_encrypted = true;
  auto st = s.update(*p);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::PermissionDenied);
  EXPECT_NE(st.error().message.find("copy it first"), std::string::npos);
  EXPECT_EQ(s.remove(p->name).error().code, Errc::PermissionDenied);
  auto copy = s.copy(p->name, "Lab 7942");
  ASSERT_TRUE(copy);
  EXPECT_FALSE(copy->builtin);
  copy->tftp_encrypted = true;
  EXPECT_TRUE(s.update(*copy));
  EXPECT_TRUE(s.get("Lab 7942")->tftp_encrypted);
}

TEST_F(DbTest, ProfileInUseCannotBeDeleted) {
  ProfileStore s(db());
  ASSERT_TRUE(s.copy(test::kEncryptedProfile, "Lab"));
  Device d;
  d.name = "SEP001122334455";
  d.product = "Cisco 7942";
  d.protocol = "SCCP";
  d.profile = "Lab";
  ASSERT_TRUE(DeviceStore(db()).add(d));
  auto st = s.remove("Lab");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("used by 1 device"), std::string::npos);
  ASSERT_TRUE(DeviceStore(db()).remove(d.name));
  EXPECT_TRUE(s.remove("Lab"));
}

TEST_F(DbTest, ProfileValidation) {
  ProfileStore s(db());
  SecurityProfile p;
  p.name = "x";
  p.product = "Cisco 7942";
  p.protocol = "SCCP";
  auto check = [&](auto mutate, const char* msg) {
    SecurityProfile q = p;
    mutate(q);
    auto r = s.add(q);
    ASSERT_FALSE(r) << msg;
    EXPECT_NE(r.error().message.find(msg), std::string::npos) << r.error().message;
  };
  check([](SecurityProfile& q) { q.rsa_key_size = 512; }, "invalid RSA key size 512");
  check([](SecurityProfile& q) { q.ec_key_size = 192; }, "invalid EC key size 192");
  check([](SecurityProfile& q) { q.security_mode = 4; }, "invalid device security mode 4");
  check([](SecurityProfile& q) { q.capf_auth_mode = "psk"; }, "invalid CAPF authentication mode");
  check([](SecurityProfile& q) { q.key_order = "dsa"; }, "invalid key order");
  check([](SecurityProfile& q) { q.name = ""; }, "profile name is empty");
  check([](SecurityProfile& q) { q.name = test::kUniversal; }, "already exists");
  EXPECT_TRUE(s.add(p));
}

}  // namespace
}  // namespace cucm::db
