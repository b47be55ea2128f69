// Devices: validation with one clear error each, no partial writes, CAPF state, recorded
// certificates and config versions.
#include "db/device_store.hpp"

#include "db/profile_store.hpp"
#include "db/settings_store.hpp"
#include "db_fixture.hpp"

namespace cucm::db {
namespace {

using test::DbTest;

Device phone(const std::string& name = "SEP001122334455") {
  Device d;
  d.name = name;
  d.product = "Cisco 7942";
  d.protocol = "SCCP";
  d.profile = test::kEncryptedProfile;
  d.description = "Lab phone <1> & \"friends\"";
  d.lines = {Line{1, "1001", "Alice", "alice", "secret"}};
  return d;
}

std::int64_t version(Database& db, const std::string& name) { return DeviceStore(db).get(name)->config_version; }

TEST_F(DbTest, AddGetListUpdateDelete) {
  DeviceStore s(db());
  ASSERT_TRUE(s.add(phone()));
  auto d = s.get("sep001122334455");  // lower case is accepted on lookup
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->name, "SEP001122334455");
  EXPECT_EQ(d->description, "Lab phone <1> & \"friends\"");
  EXPECT_EQ(d->profile, test::kEncryptedProfile);
  EXPECT_EQ(d->md5hash, "");
  EXPECT_FALSE(d->cert);
  ASSERT_EQ(d->lines.size(), 1u);
  EXPECT_EQ(d->lines[0].auth_password, "secret");
  EXPECT_EQ(d->capf.operation, "none");

  Device changed = *d;
  changed.description = "moved";
  changed.lines.push_back(Line{2, "1002", "Bob", "", ""});
  ASSERT_TRUE(s.update(changed));
  auto after = s.get(d->name);
  EXPECT_EQ(after->description, "moved");
  EXPECT_EQ(after->lines.size(), 2u);
  EXPECT_GT(after->config_version, d->config_version);

  ASSERT_TRUE(s.add(phone("SEP0011223344AA")));
  EXPECT_EQ(s.list()->size(), 2u);
  ASSERT_TRUE(s.remove("SEP0011223344AA"));
  EXPECT_EQ(s.get("SEP0011223344AA").error().code, Errc::NotFound);
  EXPECT_EQ(s.remove("SEP0011223344AA").error().code, Errc::NotFound);
}

struct BadDevice {
  const char* name;
  void (*mutate)(Device&);
  const char* message;
};

TEST_F(DbTest, BadDevicesGetOneClearErrorAndWriteNothing) {
  const BadDevice cases[] = {
      {"short name", [](Device& d) { d.name = "SEP0011"; }, "invalid device name"},
      {"not hex", [](Device& d) { d.name = "SEP00112233445G"; }, "invalid device name"},
      {"wrong prefix", [](Device& d) { d.name = "ATA001122334455"; }, "invalid device name"},
      {"unknown profile", [](Device& d) { d.profile = "nope"; }, "unknown phone security profile 'nope'"},
      {"profile for another model", [](Device& d) { d.product = "Cisco 8845"; }, "is for Cisco 7942 and cannot be used by a Cisco 8845"},
      {"profile for another protocol", [](Device& d) { d.protocol = "SIP"; }, "is for SCCP phones"},
      {"bad protocol", [](Device& d) { d.protocol = "H323"; }, "invalid device protocol 'H323'"},
      {"control character", [](Device& d) { d.description = "a\x01" "b"; }, "control character 0x01"},
      {"invalid utf-8", [](Device& d) { d.description = "caf\xc3"; }, "not valid UTF-8"},
      {"auth string too short", [](Device& d) { d.capf.auth_string = "123"; }, "4 to 10 digits"},
      {"auth string not digits", [](Device& d) { d.capf.auth_string = "12ab"; }, "4 to 10 digits"},
      {"auth string too long", [](Device& d) { d.capf.auth_string = "12345678901"; }, "4 to 10 digits"},
      {"line without number", [](Device& d) { d.lines[0].directory_number = ""; }, "directory number is empty"},
      {"duplicate line", [](Device& d) { d.lines.push_back(d.lines[0]); }, "line 1 is given twice"},
      {"empty product", [](Device& d) { d.product = ""; }, "product is empty"},
      {"unknown vpn group", [](Device& d) { d.vpn_group = "nope"; }, "FOREIGN KEY"},
  };
  DeviceStore s(db());
  for (const auto& c : cases) {
    Device d = phone();
    c.mutate(d);
    auto st = s.add(d);
    ASSERT_FALSE(st) << c.name;
    EXPECT_NE(st.error().message.find(c.message), std::string::npos) << c.name << ": " << st.error().message;
    EXPECT_EQ(s.list()->size(), 0u) << c.name;
  }
  auto lines = db().prepare("SELECT count(*) FROM line");
  ASSERT_TRUE(lines && *lines->step());
  EXPECT_EQ(lines->int64(0), 0);
}

TEST_F(DbTest, DuplicateNameIsAlreadyExists) {
  DeviceStore s(db());
  ASSERT_TRUE(s.add(phone()));
  auto again = s.add(phone());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::AlreadyExists);
  EXPECT_EQ(again.error().message, "device SEP001122334455 already exists");
}

TEST_F(DbTest, RecordedCertificateAndConfigVersions) {
  DeviceStore s(db());
  ASSERT_TRUE(s.add(phone()));
  auto v0 = version(db(), "SEP001122334455");
  RecordedCert c{"LSC", {0x30, 0x01}, {0x30, 0x02}, "0123456789abcdef0123456789abcdef", "0a", "CN=CAPF", "a", "b"};
  ASSERT_TRUE(s.record_certificate("SEP001122334455", c));
  auto d = s.get("SEP001122334455");
  ASSERT_TRUE(d->cert);
  EXPECT_EQ(d->cert->type, "LSC");
  EXPECT_EQ(d->cert->public_key, (Bytes{0x30, 0x02}));
  EXPECT_EQ(d->md5hash, c.md5hash);
  auto v1 = d->config_version;
  EXPECT_GT(v1, v0);
  // A profile change reaches every device that uses it.
  auto p = ProfileStore(db()).get(test::kEncryptedProfile);
  p->tftp_encrypted = false;
  ASSERT_TRUE(ProfileStore(db()).update(*p));
  auto v2 = version(db(), "SEP001122334455");
  EXPECT_GT(v2, v1);
  // So does a cluster setting.
  ASSERT_TRUE(SettingsStore(db()).set("node_address", "10.0.0.5"));
  EXPECT_GT(version(db(), "SEP001122334455"), v2);
  ASSERT_TRUE(s.clear_certificate("SEP001122334455"));
  d = s.get("SEP001122334455");
  EXPECT_FALSE(d->cert);
  EXPECT_EQ(d->md5hash, "");
}

TEST_F(DbTest, CapfScheduling) {
  DeviceStore s(db());
  ASSERT_TRUE(s.add(phone()));
  CapfState c{"install", "", "2026-12-01 00:00:00", "Operation Pending", ""};
  ASSERT_TRUE(s.set_capf("SEP001122334455", c));
  auto d = s.get("SEP001122334455");
  EXPECT_EQ(d->capf.operation, "install");
  EXPECT_EQ(d->capf.status, "Operation Pending");
  EXPECT_EQ(d->capf.deadline, "2026-12-01 00:00:00");
  EXPECT_FALSE(s.set_capf("SEP001122334455", CapfState{"reinstall", "", "", "", ""}));
  // A profile that authenticates by string needs one.
  auto p = ProfileStore(db()).copy(test::kEncryptedProfile, "By string");
  ASSERT_TRUE(p);
  p->capf_auth_mode = "auth-string";
  ASSERT_TRUE(ProfileStore(db()).update(*p));
  Device d2 = phone("SEP0011223344BB");
  d2.profile = "By string";
  ASSERT_TRUE(s.add(d2));
  auto missing = s.set_capf(d2.name, CapfState{"install", "", "", "", ""});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("authentication string"), std::string::npos);
  EXPECT_TRUE(s.set_capf(d2.name, CapfState{"install", "123456", "", "Operation Pending", ""}));
}

// A CAPF session's outcome applies only while the operation it started with is still the one
// scheduled: a delete scheduled during an install session stays pending, and nothing of the
// install is recorded.
TEST_F(DbTest, CapfOutcomeIsComparedWithTheScheduledOperation) {
  DeviceStore s(db());
  ASSERT_TRUE(s.add(phone()));
  ASSERT_TRUE(s.set_capf("SEP001122334455", CapfState{"install", "", "", "Operation Pending", ""}));
  ASSERT_TRUE(s.set_capf("SEP001122334455", CapfState{"delete", "", "", "Operation Pending", ""}));  // mid-session
  CapfOutcome done;
  done.status = "Upgrade Success";
  done.operation_done = true;
  done.expected_operation = "install";
  auto r = s.apply_capf_outcome("SEP001122334455", done);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::AlreadyExists);
  EXPECT_NE(r.error().message.find("'delete' stays pending"), std::string::npos) << r.error().message;
  auto d = s.get("SEP001122334455");
  EXPECT_EQ(d->capf.operation, "delete");
  EXPECT_EQ(d->capf.status, "Operation Pending");
  done.expected_operation = "delete";  // the same outcome, for the operation that is scheduled
  done.status = "Delete Success";
  EXPECT_TRUE(s.apply_capf_outcome("SEP001122334455", done));
  EXPECT_EQ(s.get("SEP001122334455")->capf.operation, "none");
}

TEST_F(DbTest, CapfOutcomeWritesCertificateAndStatusTogether) {
  DeviceStore s(db());
  ASSERT_TRUE(s.add(phone()));
  ASSERT_TRUE(s.set_capf("SEP001122334455", CapfState{"install", "", "2026-12-01 00:00:00", "Operation Pending", ""}));
  auto v0 = version(db(), "SEP001122334455");

  // A failure keeps the operation pending and the certificate as it was.
  CapfOutcome failed;
  failed.status = "Failed: phone did not store the LSC";
  failed.at = "2026-11-23 05:00:00";
  ASSERT_TRUE(s.apply_capf_outcome("SEP001122334455", failed));
  auto d = s.get("SEP001122334455");
  EXPECT_EQ(d->capf.operation, "install");
  EXPECT_EQ(d->capf.deadline, "2026-12-01 00:00:00");
  EXPECT_EQ(d->capf.status, failed.status);
  EXPECT_EQ(d->capf.last_attempt, "2026-11-23 05:00:00");
  EXPECT_FALSE(d->cert);

  // A bad certificate row fails the whole outcome: the status is not written either.
  CapfOutcome bad;
  bad.certificate = CapfOutcome::Certificate::Record;
  bad.recorded = RecordedCert{"XYZ", {0x30}, {0x30}, "00", "", "", "", ""};
  bad.status = "Upgrade Success";
  bad.operation_done = true;
  EXPECT_FALSE(s.apply_capf_outcome("SEP001122334455", bad));
  d = s.get("SEP001122334455");
  EXPECT_EQ(d->capf.status, failed.status);
  EXPECT_EQ(d->capf.operation, "install");

  // Success: certificate, MD5 and status at once; the operation is done.
  CapfOutcome ok;
  ok.certificate = CapfOutcome::Certificate::Record;
  ok.recorded = RecordedCert{"LSC", {0x30, 0x01}, {0x30, 0x02}, "0123456789abcdef0123456789abcdef", "0a", "CN=CAPF", "a", "b"};
  ok.status = "Upgrade Success";
  ok.at = "2026-11-23 05:01:00";
  ok.operation_done = true;
  ASSERT_TRUE(s.apply_capf_outcome("sep001122334455", ok));
  d = s.get("SEP001122334455");
  ASSERT_TRUE(d->cert);
  EXPECT_EQ(d->md5hash, ok.recorded.md5hash);
  EXPECT_EQ(d->capf.operation, "none");
  EXPECT_EQ(d->capf.deadline, "");
  EXPECT_EQ(d->capf.auth_string, "");
  EXPECT_EQ(d->capf.status, "Upgrade Success");
  EXPECT_GT(d->config_version, v0);

  CapfOutcome deleted;
  deleted.certificate = CapfOutcome::Certificate::Clear;
  deleted.status = "Delete Success";
  deleted.operation_done = true;
  ASSERT_TRUE(s.apply_capf_outcome("SEP001122334455", deleted));
  d = s.get("SEP001122334455");
  EXPECT_FALSE(d->cert);
  EXPECT_EQ(d->md5hash, "");
  EXPECT_EQ(d->capf.status, "Delete Success");

  auto unknown = s.apply_capf_outcome("SEP0000000000AA", ok);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::NotFound);
}

}  // namespace
}  // namespace cucm::db
