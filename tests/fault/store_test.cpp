// Armed faults on a real migrated database: arm, list, clear and consume round trips; every bad
// request refused with one actionable line and nothing written; the cached files' versions untouched.
#include "fault/store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "db/device_store.hpp"
#include "tests/db/db_fixture.hpp"

namespace cucm::fault {
namespace {

using namespace std::chrono_literals;

// 2026-12-05 22:00:00 UTC, and half a second.
const SystemTime kNow = SystemTime{std::chrono::sys_days{std::chrono::year{2026} / 12 / 5}} + 22h + 500ms;

class FaultStoreTest : public db::test::DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    for (const char* name : {"SEP001122334455", "SEP00112233AABB"}) {
      db::Device d;
      d.name = name;
      d.product = "Cisco 7942";
      d.protocol = "SCCP";
      d.profile = db::test::kEncryptedProfile;
      ASSERT_TRUE(db::DeviceStore(db()).add(d));
    }
  }
  std::int64_t scalar(const char* sql) {
    auto s = db().prepare(sql);
    EXPECT_TRUE(s);
    auto row = s->step();
    EXPECT_TRUE(row && *row);
    return s->int64(0);
  }
  std::int64_t rows() { return scalar("SELECT count(*) FROM armed_fault"); }
  std::vector<ArmedFault> listed() {
    auto l = FaultStore(db()).list();
    EXPECT_TRUE(l) << l.error().message;
    return l ? *l : std::vector<ArmedFault>{};
  }
};

ArmRequest request(std::string fault, std::string device) {
  ArmRequest r;
  r.fault = std::move(fault);
  r.device = std::move(device);
  r.all = r.device.empty();
  return r;
}

TEST_F(FaultStoreTest, ArmListClearRoundTrip) {
  FaultStore store(db());
  auto r = request("capf-wrong-port", "sep001122334455");  // any case
  r.count = 3;
  r.until = "2026-12-05T23:00:00Z";
  r.params = {"port=4000"};
  auto a = store.arm(r, kNow);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->device, "SEP001122334455");
  EXPECT_EQ(a->remaining, 3);
  EXPECT_EQ(format_time(*a->until), "2026-12-05 23:00:00");
  EXPECT_EQ(format_time(a->armed_at), "2026-12-05 22:00:00");
  ASSERT_TRUE(store.arm(request("certhash-empty", ""), kNow + 1s));

  auto l = listed();
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].id, a->id);
  EXPECT_EQ(l[0].fault, "capf-wrong-port");
  EXPECT_EQ(l[0].spec, find_fault("capf-wrong-port"));
  EXPECT_EQ(l[0].params, (std::map<std::string, std::int64_t>{{"port", 4000}}));
  EXPECT_EQ(l[0].until, a->until);
  EXPECT_EQ(l[0].armed_at, a->armed_at);
  EXPECT_TRUE(l[0].active_at(kNow));
  EXPECT_FALSE(l[0].active_at(*a->until));
  EXPECT_EQ(l[1].fault, "certhash-empty");
  EXPECT_EQ(l[1].device, "");
  EXPECT_FALSE(l[1].remaining);
  EXPECT_FALSE(l[1].until);
  EXPECT_TRUE(l[1].params.empty());
  // What sqlite3 shows: params as sorted name=value pairs, times in unix seconds.
  EXPECT_EQ(scalar("SELECT count(*) FROM armed_fault WHERE params = 'port=4000' AND until_unix = 1796511600"), 1);

  auto none = store.clear("certhash-empty", "SEP001122334455");  // armed for every device, not this one
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
  auto one = store.clear("", "sep001122334455");
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, 1);
  ASSERT_TRUE(store.arm(request("capf-wrong-port", "SEP00112233AABB"), kNow));
  auto all = store.clear("", "");
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, 2);
  EXPECT_EQ(rows(), 0);
}

TEST_F(FaultStoreTest, EveryParameterIsStoredWithItsDefaultFilledIn) {
  FaultStore store(db());
  auto a = store.arm(request("capf-wrong-port", ""), kNow);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->params, (std::map<std::string, std::int64_t>{{"port", 3805}}));
  EXPECT_EQ(scalar("SELECT count(*) FROM armed_fault WHERE params = 'port=3805'"), 1);
  EXPECT_EQ(listed().at(0).params, a->params);
}

TEST_F(FaultStoreTest, ReArmingReplacesTheRowWithANewId) {
  FaultStore store(db());
  auto r = request("certhash-mismatch", "SEP001122334455");
  r.count = 1;
  auto first = store.arm(r, kNow);
  ASSERT_TRUE(first);
  r.count.reset();
  r.until = "10m";
  auto second = store.arm(r, kNow + 5s);
  ASSERT_TRUE(second) << second.error().message;
  auto l = listed();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_NE(l[0].id, first->id);
  EXPECT_FALSE(l[0].remaining);
  EXPECT_EQ(format_time(*l[0].until), "2026-12-05 22:10:05");
  // A server's late application of the first arming does not count down the second.
  ASSERT_TRUE(store.consume(first->id));
  EXPECT_EQ(listed().size(), 1u);
}

TEST_F(FaultStoreTest, ConsumeCountsDownAndTheRowGoesAtZero) {
  FaultStore store(db());
  auto r = request("sgn-bad-signature", "SEP001122334455");
  r.count = 2;
  auto a = store.arm(r, kNow);
  ASSERT_TRUE(a);
  auto forever = store.arm(request("sgn-truncated", ""), kNow);
  ASSERT_TRUE(forever);
  ASSERT_TRUE(store.consume(a->id));
  EXPECT_EQ(listed().at(0).remaining, 1);
  ASSERT_TRUE(store.consume(a->id));
  ASSERT_TRUE(store.consume(forever->id));  // no count: left as it is
  auto l = listed();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].fault, "sgn-truncated");
  EXPECT_TRUE(store.consume(a->id));  // gone already
  EXPECT_TRUE(store.consume(12345));
}

TEST_F(FaultStoreTest, ArmingChangesNoCachedFileVersion) {
  std::int64_t epoch = scalar("SELECT version FROM cluster_epoch");
  std::int64_t versions = scalar("SELECT sum(config_version) FROM device");
  FaultStore store(db());
  ASSERT_TRUE(store.arm(request("certhash-empty", "SEP001122334455"), kNow));
  ASSERT_TRUE(store.arm(request("certhash-empty", ""), kNow));
  ASSERT_TRUE(store.clear("", ""));
  EXPECT_EQ(scalar("SELECT version FROM cluster_epoch"), epoch);
  EXPECT_EQ(scalar("SELECT sum(config_version) FROM device"), versions);
}

TEST_F(FaultStoreTest, ADeletedDeviceTakesItsFaultsWithIt) {
  FaultStore store(db());
  ASSERT_TRUE(store.arm(request("certhash-empty", "SEP001122334455"), kNow));
  ASSERT_TRUE(store.arm(request("certhash-empty", ""), kNow));
  ASSERT_TRUE(db::DeviceStore(db()).remove("SEP001122334455"));
  auto l = listed();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].device, "");
}

TEST_F(FaultStoreTest, UnknownRowsAreSkippedAndHandEditedParamsKeepTheirDefault) {
  ASSERT_TRUE(db().exec("INSERT INTO armed_fault (fault, params, armed_at_unix) VALUES ('from-a-newer-build', '', 1), "
                        "('capf-wrong-port', 'port=0,x=1,junk', 2)"));
  auto l = listed();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].params, (std::map<std::string, std::int64_t>{{"port", 3805}}));
}

struct BadArm {
  const char* name;
  void (*mutate)(ArmRequest&);
  Errc code;
  const char* message;  // the whole line
};

TEST_F(FaultStoreTest, EveryBadRequestGetsItsLineAndStoresNothing) {
  const BadArm cases[] = {
      {"unknown fault", [](ArmRequest& r) { r.fault = "sgn-bad-sig"; }, Errc::InvalidArgument,
       "unknown fault 'sgn-bad-sig' (did you mean sgn-bad-signature?): `cucm-emu scenario list` names them"},
      {"unknown fault, no guess", [](ArmRequest& r) { r.fault = "nope"; }, Errc::InvalidArgument,
       "unknown fault 'nope': `cucm-emu scenario list` names them"},
      {"parameter not taken", [](ArmRequest& r) { r.params = {"ms=10"}; }, Errc::InvalidArgument,
       "fault 'capf-wrong-port' takes no parameter 'ms' (it takes: port)"},
      {"no parameters", [](ArmRequest& r) { r.fault = "certhash-empty"; r.params = {"code=1"}; }, Errc::InvalidArgument,
       "fault 'certhash-empty' takes no parameters"},
      {"out of range", [](ArmRequest& r) { r.params = {"port=70000"}; }, Errc::InvalidArgument,
       "fault 'capf-wrong-port': port=70000 is out of range 1..65535"},
      {"below range", [](ArmRequest& r) { r.params = {"port=0"}; }, Errc::InvalidArgument,
       "fault 'capf-wrong-port': port=0 is out of range 1..65535"},
      {"not an integer", [](ArmRequest& r) { r.params = {"port=38o5"}; }, Errc::InvalidArgument,
       "fault 'capf-wrong-port': port=38o5 is not an integer (1..65535: the phonePort the config names)"},
      {"no equals sign", [](ArmRequest& r) { r.params = {"port"}; }, Errc::InvalidArgument,
       "fault 'capf-wrong-port': parameter 'port' is not name=value (e.g. port=3805)"},
      {"given twice", [](ArmRequest& r) { r.params = {"port=4000", "port=4001"}; }, Errc::InvalidArgument,
       "fault 'capf-wrong-port': parameter 'port' is given twice"},
      {"device and all", [](ArmRequest& r) { r.all = true; }, Errc::InvalidArgument,
       "fault 'capf-wrong-port': give one device (--device SEP<MAC>) or every device (--all), not both"},
      {"neither", [](ArmRequest& r) { r.device.clear(); }, Errc::InvalidArgument,
       "fault 'capf-wrong-port': for which phone? give --device SEP<MAC> or --all"},
      {"bad device name", [](ArmRequest& r) { r.device = "SEP0011"; }, Errc::InvalidArgument,
       "invalid device name 'SEP0011': expected SEP followed by the 12 hex digits of the MAC, e.g. SEPA45630BBFA40"},
      {"device not there", [](ArmRequest& r) { r.device = "sepaabbccddeeff"; }, Errc::NotFound,
       "unknown device SEPAABBCCDDEEFF: add it with `cucm-emu device add SEPAABBCCDDEEFF` first (see `cucm-emu device "
       "list`)"},
      {"count 0", [](ArmRequest& r) { r.count = 0; }, Errc::InvalidArgument,
       "fault 'capf-wrong-port': count 0 is out of range 1..1000000"},
      {"count too big", [](ArmRequest& r) { r.count = 1'000'001; }, Errc::InvalidArgument,
       "fault 'capf-wrong-port': count 1000001 is out of range 1..1000000"},
      {"until in the past", [](ArmRequest& r) { r.until = "2026-12-05 21:59:59"; }, Errc::InvalidArgument,
       "until 2026-12-05 21:59:59 UTC is not after now (2026-12-05 22:00:00 UTC)"},
      {"until now", [](ArmRequest& r) { r.until = "0s"; }, Errc::InvalidArgument,
       "until 2026-12-05 22:00:00 UTC is not after now (2026-12-05 22:00:00 UTC)"},
      {"until not a time", [](ArmRequest& r) { r.until = "tomorrow"; }, Errc::InvalidArgument,
       "until 'tomorrow': expected a UTC time (2026-12-05T23:00:00Z or \"2026-12-05 23:00:00\") or a duration from "
       "now (90s, 10m, 2h, 1d)"},
      {"until a day that does not exist", [](ArmRequest& r) { r.until = "2027-02-30T10:00:00Z"; },
       Errc::InvalidArgument, "until '2027-02-30T10:00:00Z': expected a UTC time (2026-12-05T23:00:00Z or "
                              "\"2026-12-05 23:00:00\") or a duration from now (90s, 10m, 2h, 1d)"},
      {"until too far", [](ArmRequest& r) { r.until = "400d"; }, Errc::InvalidArgument,
       "until '400d' is more than 366 days away: arm the fault without an end and clear it when done"},
      {"until huge", [](ArmRequest& r) { r.until = "99999999999999999999999s"; }, Errc::InvalidArgument,
       "until '99999999999999999999999s' is more than 366 days away: arm the fault without an end and clear it when "
       "done"},
  };
  FaultStore store(db());
  auto kept = request("certhash-empty", "");
  ASSERT_TRUE(store.arm(kept, kNow));
  for (const auto& c : cases) {
    auto r = request("capf-wrong-port", "SEP001122334455");
    c.mutate(r);
    auto a = store.arm(r, kNow);
    ASSERT_FALSE(a) << c.name;
    EXPECT_EQ(a.error().code, c.code) << c.name;
    EXPECT_EQ(a.error().message, c.message) << c.name;
    EXPECT_EQ(rows(), 1) << c.name;
  }
  EXPECT_EQ(listed().at(0).fault, "certhash-empty");
}

TEST_F(FaultStoreTest, ClearRefusesAnUnknownFaultOrDeviceName) {
  FaultStore store(db());
  ASSERT_TRUE(store.arm(request("certhash-empty", ""), kNow));
  auto bad = store.clear("certhash-emtpy", "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "unknown fault 'certhash-emtpy' (did you mean certhash-empty?): `cucm-emu scenario list` names them");
  EXPECT_FALSE(store.clear("", "SEP12"));
  EXPECT_EQ(rows(), 1);
}

// A fault of the catalog this build does not apply yet (none, once every one is built).
const FaultSpec* first_planned() {
  for (const auto& f : all_faults()) {
    if (!f.ready) return &f;
  }
  return nullptr;
}

TEST_F(FaultStoreTest, APlannedFaultIsRefusedButClearedAsAKnownName) {
  const FaultSpec* planned = first_planned();
  if (!planned) GTEST_SKIP() << "this build applies every fault of the catalog: none is planned";
  FaultStore store(db());
  auto armed = store.arm(request(std::string(planned->name), ""), kNow);
  ASSERT_FALSE(armed);
  EXPECT_EQ(armed.error().message, fmt::format("fault '{}' is planned, not yet applied by this build", planned->name));
  auto cleared = store.clear(planned->name, "");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(*cleared, 0);
  EXPECT_EQ(rows(), 0);
}

TEST(FaultTime, FormatsUtcSeconds) {
  EXPECT_EQ(format_time(SystemTime{}), "1970-01-01 00:00:00");
  EXPECT_EQ(format_time(kNow), "2026-12-05 22:00:00");
}

}  // namespace
}  // namespace cucm::fault
