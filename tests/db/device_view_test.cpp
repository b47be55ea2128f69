// The device view: the same records as the stores, lines in order, and what a device without
// lines, VPN group or certificate reads back as.
#include "db/device_view.hpp"

#include "db/device_store.hpp"
#include "db/profile_store.hpp"
#include "db/vpn_store.hpp"
#include "db_fixture.hpp"

namespace cucm::db {
namespace {

using test::DbTest;

Device phone(const std::string& name) {
  Device d;
  d.name = name;
  d.product = "Cisco 7942";
  d.protocol = "SCCP";
  d.profile = test::kEncryptedProfile;
  return d;
}

void expect_same_device(const Device& a, const Device& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.product, b.product);
  EXPECT_EQ(a.protocol, b.protocol);
  EXPECT_EQ(a.profile, b.profile);
  EXPECT_EQ(a.md5hash, b.md5hash);
  ASSERT_EQ(a.cert.has_value(), b.cert.has_value());
  if (a.cert) {
    EXPECT_EQ(a.cert->der, b.cert->der);
    EXPECT_EQ(a.cert->public_key, b.cert->public_key);
    EXPECT_EQ(a.cert->type, b.cert->type);
    EXPECT_EQ(a.cert->serial, b.cert->serial);
  }
  EXPECT_EQ(a.load_information, b.load_information);
  EXPECT_EQ(a.vpn_group, b.vpn_group);
  EXPECT_EQ(a.config_version, b.config_version);
  EXPECT_EQ(a.capf.operation, b.capf.operation);
  EXPECT_EQ(a.capf.status, b.capf.status);
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    EXPECT_EQ(a.lines[i].index, b.lines[i].index);
    EXPECT_EQ(a.lines[i].directory_number, b.lines[i].directory_number);
    EXPECT_EQ(a.lines[i].auth_password, b.lines[i].auth_password);
  }
}

TEST_F(DbTest, DeviceViewReadsWhatTheStoresRead) {
  ASSERT_TRUE(VpnStore(db()).put({"lab", "https://vpn.example/phone", {"fZ2xQHMBcWj/fSoNs5IkPbA2Pt8="}, "sha1"}));
  Device d = phone("SEP001122334455");
  d.protocol = "SIP";
  d.profile = test::kUniversal;
  d.vpn_group = "lab";
  d.load_information = "SIP42.9-4-2SR3-1S";
  d.lines = {Line{3, "1003", "Carol", "carol", "c"}, Line{1, "1001", "Alice", "alice", "a"}};
  ASSERT_TRUE(DeviceStore(db()).add(d));
  RecordedCert cert;
  cert.type = "LSC";
  cert.der = {0x30, 0x03, 0x02, 0x01, 0x01};
  cert.public_key = {0x30, 0x00};
  cert.md5hash = "6e566143c1c14566c9da943d949a79c8";
  cert.serial = "01";
  ASSERT_TRUE(DeviceStore(db()).record_certificate(d.name, cert));

  auto v = view_device(db(), "sep001122334455");  // lower case, as DeviceStore::get takes it
  ASSERT_TRUE(v) << v.error().message;
  expect_same_device(v->device, *DeviceStore(db()).get(d.name));
  ASSERT_EQ(v->device.lines.size(), 2u);
  EXPECT_EQ(v->device.lines[0].index, 1);  // in line order, whatever the insertion order
  EXPECT_EQ(v->device.lines[1].index, 3);
  auto p = *ProfileStore(db()).get(test::kUniversal);
  EXPECT_EQ(v->profile.id, p.id);
  EXPECT_EQ(v->profile.name, p.name);
  EXPECT_EQ(v->profile.security_mode, p.security_mode);
  EXPECT_EQ(v->profile.tftp_encrypted, p.tftp_encrypted);
  EXPECT_EQ(v->profile.capf_auth_mode, p.capf_auth_mode);
  EXPECT_EQ(v->profile.key_order, p.key_order);
  EXPECT_EQ(v->profile.rsa_key_size, p.rsa_key_size);
  EXPECT_EQ(v->profile.sip_phone_port, p.sip_phone_port);
  EXPECT_EQ(v->profile.builtin, p.builtin);
  ASSERT_TRUE(v->vpn);
  EXPECT_EQ(v->vpn->url, "https://vpn.example/phone");
  EXPECT_EQ(v->vpn->cert_hashes, std::vector<std::string>{"fZ2xQHMBcWj/fSoNs5IkPbA2Pt8="});
  EXPECT_EQ(v->vpn->hash_alg, "sha1");
}

TEST_F(DbTest, DeviceViewOfABareDeviceAndOfNone) {
  ASSERT_TRUE(DeviceStore(db()).add(phone("SEP0011223344AA")));
  auto v = view_device(db(), "SEP0011223344AA");
  ASSERT_TRUE(v) << v.error().message;
  expect_same_device(v->device, *DeviceStore(db()).get("SEP0011223344AA"));
  EXPECT_TRUE(v->device.lines.empty());
  EXPECT_FALSE(v->device.cert);
  EXPECT_FALSE(v->vpn);
  EXPECT_EQ(v->profile.name, test::kEncryptedProfile);
  EXPECT_TRUE(v->profile.tftp_encrypted);

  auto none = view_device(db(), "SEP0011223344BB");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::NotFound);
  EXPECT_NE(none.error().message.find("unknown device SEP0011223344BB"), std::string::npos);
  EXPECT_EQ(view_device(db(), "not-a-device").error().code, Errc::InvalidArgument);
}

TEST_F(DbTest, DeviceViewOfAVpnGroupThatIsGoneHasNone) {
  // Only with foreign keys off, as the sqlite3 shell has them by default.
  ASSERT_TRUE(VpnStore(db()).put({"gone", "https://vpn.example/phone", {}, "sha1"}));
  Device d = phone("SEP0011223344CC");
  d.vpn_group = "gone";
  ASSERT_TRUE(DeviceStore(db()).add(d));
  ASSERT_TRUE(db().exec("PRAGMA foreign_keys = OFF; DELETE FROM vpn_group; PRAGMA foreign_keys = ON"));
  auto v = view_device(db(), d.name);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->device.vpn_group, "gone");
  EXPECT_FALSE(v->vpn);
}

}  // namespace
}  // namespace cucm::db
