// Issue 18, item 3: for every fault this build applies, our simulator (the reference firmware) boots against the
// real servers with the fault armed and shows the reaction the catalog states, naming the fault it
// detected. And what a fault must not do: change another device's files, or outlive its count.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "db/event_log.hpp"
#include "db/model.hpp"
#include "fault/catalog.hpp"
#include "fault/store.hpp"
#include "phone/phone_state.hpp"
#include "tests/phone/loopback_cluster.hpp"

namespace cucm::phone {
namespace {
using namespace test;  // NOLINT: the fixture and its helpers

struct Case {
  const char* fault;
  std::vector<std::string> params;
  bool second_boot = false;  // the phone booted once before: it holds an ITL, its key is on record
  int timeout_ms = 0;        // the phone's timeout, when not the fixture's 5 s
  bool tftp_only = false;    // the phone asks over TFTP only (as a 79xx)
  bool until_cleared = false;  // armed without a count (a TFTP error must reach the ITL, past the CTL)
  bool ask_tvs = false;        // BootOptions::ask_tvs: after the full config, one TVS query (TVS faults)
  const char* op = "none";     // the device's certificate operation (the LSC faults need an install)
};

// capf-wrong-port names port 1, where nothing listens. TVS faults: the phone asks TVS about its
// ITL's CCM+TFTP certificate once the full config is in; tvs-no-answer with a phone that waits 500 ms.
const std::vector<Case> kCases = {
    {"sgn-bad-signature", {}, false},
    {"sgn-wrong-filename", {}, false},
    {"sgn-signer-not-in-itl", {}, false},
    {"sgn-expired-signer", {}, true},  // enrolled: a phone holding the normal ITL takes the one with the copy
    {"sgn-unknown-hash", {}, false},
    {"sgn-truncated", {}, false},
    {"itl-bad-signature", {}, true},
    {"itl-untrusted-signer", {}, true},
    {"itl-without-capf", {}, false},
    {"itl-without-tftp", {}, false},
    {"ctl-in-non-mixed-mode", {}, false},
    {"certhash-empty", {}, true},
    {"certhash-mismatch", {}, false},
    {"enc-wrong-key", {}, true},
    {"enc-bad-padding", {}, true},
    {"enc-bad-digest", {}, true},
    {"enc-missing", {}, false},
    {"partial-without-capf", {}, false},
    {"capf-wrong-port", {"port=1"}, false},
    {"http-status", {"code=503"}, false},
    {"http-slow", {"ms=1500"}, false, 1000},
    {"http-truncated", {}, false},
    {"http-wrong-length", {}, false},
    {"tftp-drop-block", {"block=1"}, false, 500, true},  // the phone times out before the server resends
    {"tftp-duplicate-block", {"block=1"}, false, 0, true},
    {"tftp-delay", {"ms=700"}, false, 500, true},  // each block comes after the phone has sent its ACK again
    {"tftp-error", {"code=2"}, false, 0, true, true},
    {"tftp-ignore-options", {}, false, 0, true},
    {"tftp-blksize-mismatch", {}, false, 0, true},
    {"capf-refuse", {"reason=7"}, false},
    {"capf-stall-after-hello", {}, false, 500},  // the phone gives up on the silence after 500 ms
    {"capf-tls-1.0-only", {}, false},            // the 88xx profile's floor is TLS 1.2
    {"capf-cipher-mismatch", {}, false},
    {"capf-lsc-wrong-cn", {}, false, 0, false, false, false, "install"},
    {"capf-lsc-expired", {}, false, 0, false, false, false, "install"},
    {"capf-lsc-wrong-eku", {}, false, 0, false, false, false, "install"},
    {"capf-lsc-unknown-ca", {}, false, 0, false, false, false, "install"},
    {"capf-drop-before-store", {}, false, 0, false, false, false, "install"},
    {"tvs-invalid", {}, false, 0, false, false, true},
    {"tvs-no-answer", {}, false, 500, false, false, true},
    {"tvs-wrong-roles", {}, false, 0, false, false, true},
};

Status arm(Cluster& c, const std::string& fault, const std::string& device, std::optional<std::int64_t> count,
           std::vector<std::string> params = {}) {
  fault::ArmRequest r;
  r.fault = fault;
  r.device = device;
  r.count = count;
  r.params = std::move(params);
  CUCM_TRY(auto armed, fault::FaultStore(*c.db).arm(r, std::chrono::system_clock::now()));
  c.cl->faults()->refresh();  // serve sees it within a poll; the test need not wait for one
  return Ok{};
}

bool asked_for(const BootResult& r, const std::string& name) {
  return std::any_of(r.ladder.begin(), r.ladder.end(), [&](const LadderStep& s) {
    return s.from == "phone" && s.to == "cucm" && s.what.find(name) != std::string::npos;
  });
}

// A TVS fault acts on the probe after the full config: the phone has its config, but the boot
// fails there, names the fault, and TVS recorded one application for the device.
void expect_tvs_reaction(Cluster& c, const fault::FaultSpec& spec, const BootResult& r, const std::string& device) {
  EXPECT_EQ(r.detected, spec.name) << r.failure;
  EXPECT_NE(r.failure.find("TVS probe"), std::string::npos) << r.failure;
  // Refused: an answer came and the phone would not take it. Gave up: none came in time.
  bool refused = fault::simulated_reaction(spec) == fault::Reaction::RefusesFile;
  EXPECT_TRUE(ladder_has(r, refused ? "VerifyResponse" : "gave no answer"));
  EXPECT_FALSE(refused && ladder_has(r, "gave no answer"));
  // tvs-no-answer: the server's side ends once the phone has gone (its event may come that late).
  EXPECT_TRUE(c.services->wait_tvs_sessions(std::chrono::seconds(10)));
  c.cl->events()->flush();
  auto events = db::EventLog(*c.db).tail(device, 200);
  ASSERT_TRUE(events) << events.error().message;
  std::string marker = "injected " + std::string(spec.name);
  auto injected = std::count_if(events->begin(), events->end(), [&](const db::Event& e) {
    return e.service == "tvs" && e.device == device && e.result.find(marker) != std::string::npos;
  });
  EXPECT_EQ(injected, 1);
  const auto& stats = c.services->tvs()->stats();
  EXPECT_EQ(stats.unanswered.load(), spec.name == "tvs-no-answer" ? 1u : 0u);
}

// What the catalog says of every fault but TVS's, checked on the boot that met it.
void expect_reaction(const Case& k, const fault::FaultSpec& spec, const BootResult& r,
                     const std::optional<Bytes>& itl_before, const fs::path& phone_dir, const char* phone) {
  switch (fault::simulated_reaction(spec)) {
    case fault::Reaction::RefusesFile:
      EXPECT_FALSE(r.full_config);
      EXPECT_EQ(r.detected, k.fault) << r.failure;
      EXPECT_FALSE(asked_for(r, ".enc.sgn")) << "went on past the refused config";
      EXPECT_FALSE(r.capf_ran);
      break;
    case fault::Reaction::KeepsOldTrust:
      EXPECT_FALSE(r.full_config);
      EXPECT_EQ(r.detected, k.fault) << r.failure;
      EXPECT_EQ(load_state(phone_dir, phone)->itl, itl_before) << "the phone took the bad ITL";
      break;
    case fault::Reaction::RunsCapf:
      EXPECT_TRUE(r.capf_ran);
      EXPECT_TRUE(r.full_config) << r.failure;  // the fault was used up: the file after CAPF is normal
      if (std::string_view(k.fault).starts_with("enc-")) {
        EXPECT_EQ(r.detected, k.fault);
        EXPECT_TRUE(ladder_has(r, "decrypt failed"));
      }
      break;
    case fault::Reaction::FallsBackToTftp: {
      EXPECT_TRUE(r.full_config) << r.failure;
      // To the phone a Content-Length that promises too much is a body cut short.
      EXPECT_EQ(r.detected, std::string_view(k.fault) == "http-wrong-length" ? "http-truncated" : k.fault);
      bool tftp = std::any_of(r.ladder.begin(), r.ladder.end(), [](const LadderStep& s) { return s.proto == "TFTP"; });
      EXPECT_TRUE(tftp) << "no request over TFTP";
      EXPECT_TRUE(ladder_has(r, "fall back to TFTP"));
      break;
    }
    case fault::Reaction::Retries:
    case fault::Reaction::Completes:
      EXPECT_TRUE(r.full_config) << r.failure;
      EXPECT_EQ(r.detected, k.fault);
      break;
    case fault::Reaction::GivesUp:
      EXPECT_FALSE(r.full_config);
      EXPECT_EQ(r.detected, k.fault) << r.failure;
      break;
    default:
      ADD_FAILURE() << "no check for reaction " << fault::reaction_name(fault::simulated_reaction(spec));
  }
}

class FaultReaction : public ::testing::TestWithParam<Case> {};

TEST_P(FaultReaction, TheSimulatorReactsAsTheCatalogSays) {
  const Case& k = GetParam();
  const fault::FaultSpec* spec = fault::find_fault(k.fault);
  ASSERT_NE(spec, nullptr);
  constexpr const char* kPhone = "SEP00AABBCC0018";
  std::string tag = std::string("fault-") + k.fault;
  bool tvs = spec->layer == fault::Layer::Tvs;
  Cluster c(temp(tag), true, true, 0, nullptr, tvs);  // TVS cases read the injection's event
  c.add(kPhone, kEncrypted, k.op);
  auto phone_dir = temp(tag + "-phone");
  fs::remove_all(phone_dir);
  auto opts = c.boot_options(kPhone, phone_dir);
  // No capfList: the phone goes to CAPF on its server at the CAPF port it knows (3804 for a real
  // phone; here the port the test's CAPF listens on).
  if (std::string_view(k.fault) == "partial-without-capf") opts.capf_port = c.services->capf_port();
  if (k.timeout_ms) opts.timeout = std::chrono::milliseconds(k.timeout_ms);
  if (k.tftp_only) opts.transport = "tftp";
  opts.ask_tvs = k.ask_tvs;
  std::optional<Bytes> itl_before;
  if (k.second_boot) {
    auto first = boot(opts);
    ASSERT_TRUE(first && first->full_config) << (first ? first->failure : first.error().message);
    itl_before = load_state(phone_dir, kPhone)->itl;
  }
  // Once: after its reaction the phone's next request gets the normal file, so a reaction that
  // retries (CAPF, then the config again) can complete.
  ASSERT_TRUE(arm(c, k.fault, kPhone, k.until_cleared ? std::nullopt : std::optional<std::int64_t>(1), k.params));
  auto r = boot(opts);
  ASSERT_TRUE(r) << r.error().message;
  std::string ladder;
  for (const auto& s : r->ladder) ladder += s.what + " | " + s.why + "\n";
  SCOPED_TRACE(ladder);
  if (tvs) {
    expect_tvs_reaction(c, *spec, *r, kPhone);
  } else {
    expect_reaction(k, *spec, *r, itl_before, phone_dir, kPhone);
  }
  // Used up (or cleared): the next boot is a normal one.
  ASSERT_TRUE(fault::FaultStore(*c.db).clear("", kPhone));
  c.cl->faults()->refresh();
  auto after = boot(opts);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->full_config) << after->failure;
  EXPECT_TRUE(after->detected.empty()) << after->detected;
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultReaction, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           std::string n = i.param.fault;
                           for (char& ch : n) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return n;
                         });

TEST(FaultCatalogCoverage, EveryFaultThisBuildAppliesHasASimulatorCase) {
  for (const auto& f : fault::all_faults()) {
    if (!f.ready) continue;
    bool found = std::any_of(kCases.begin(), kCases.end(), [&](const Case& k) { return k.fault == f.name; });
    EXPECT_TRUE(found) << f.name;
  }
}

TEST(FaultIsolation, AFaultArmedForOneDeviceLeavesAnotherDevicesFilesAlone) {
  Cluster c(temp("fault-isolation"));
  c.add("SEP00AABBCC0001", kEncrypted);
  c.add("SEP00AABBCC0002", kEncrypted);
  auto before = c.cat->fetch("SEP00AABBCC0002.cnf.xml.sgn");
  ASSERT_TRUE(before);
  for (const char* f : {"sgn-bad-signature", "itl-without-tftp", "enc-missing"}) {
    ASSERT_TRUE(arm(c, f, "SEP00AABBCC0001", std::nullopt));
  }
  auto other = boot(c.boot_options("SEP00AABBCC0002", temp("fault-isolation-2")));
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->full_config) << other->failure;
  EXPECT_TRUE(other->detected.empty()) << other->detected;
  auto after = c.cat->fetch("SEP00AABBCC0002.cnf.xml.sgn");
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->injected.empty());
  auto armed = boot(c.boot_options("SEP00AABBCC0001", temp("fault-isolation-1")));
  ASSERT_TRUE(armed);
  EXPECT_FALSE(armed->full_config);
  EXPECT_EQ(armed->detected, "itl-without-tftp");  // the ITL comes before the config
  // Never into the cache: the normal bytes are still what a request without the fault gets.
  auto cached = c.cat->fetch("SEP00AABBCC0002.cnf.xml.sgn");
  ASSERT_TRUE(cached);
  EXPECT_TRUE(cached->cache_hit);
}

TEST(FaultIsolation, AFaultForEveryDeviceGivesWayToOneArmedForTheDevice) {
  Cluster c(temp("fault-all"));
  c.add("SEP00AABBCC0003", kEncrypted);
  c.add("SEP00AABBCC0004", kEncrypted);
  fault::ArmRequest all;
  all.fault = "sgn-truncated";
  all.all = true;
  ASSERT_TRUE(fault::FaultStore(*c.db).arm(all, std::chrono::system_clock::now()));
  ASSERT_TRUE(arm(c, "sgn-bad-signature", "SEP00AABBCC0004", std::nullopt));
  auto three = boot(c.boot_options("SEP00AABBCC0003", temp("fault-all-3")));
  auto four = boot(c.boot_options("SEP00AABBCC0004", temp("fault-all-4")));
  ASSERT_TRUE(three && four);
  EXPECT_EQ(three->detected, "sgn-truncated");
  EXPECT_EQ(four->detected, "sgn-bad-signature");
}

TEST(FaultEvents, EveryInjectionIsAnEventNamingTheFaultTheDeviceAndTheRequest) {
  Cluster c(temp("fault-events"), true, true, 0, nullptr, true);
  c.add("SEP00AABBCC0005", kEncrypted);
  ASSERT_TRUE(arm(c, "sgn-bad-signature", "SEP00AABBCC0005", 2));
  auto http = boot(c.boot_options("SEP00AABBCC0005", temp("fault-events-phone")));
  ASSERT_TRUE(http);
  auto opts = c.boot_options("SEP00AABBCC0005", temp("fault-events-phone"));
  opts.transport = "tftp";
  auto tftp = boot(opts);
  ASSERT_TRUE(tftp);
  EXPECT_EQ(tftp->detected, "sgn-bad-signature");
  EXPECT_TRUE(c.services->wait_transfers(std::chrono::seconds(10)));  // the transfer's event comes at its last ACK
  c.cl->events()->flush();
  auto events = db::EventLog(*c.db).tail("SEP00AABBCC0005", 200);
  ASSERT_TRUE(events) << events.error().message;
  int http_injected = 0, tftp_injected = 0;
  for (const auto& e : *events) {
    if (e.result.find("injected sgn-bad-signature") == std::string::npos) continue;
    EXPECT_EQ(e.device, "SEP00AABBCC0005");
    EXPECT_NE(e.what.find("SEP00AABBCC0005.cnf.xml.sgn"), std::string::npos) << e.what;
    (e.service == "tftp" ? tftp_injected : http_injected)++;
  }
  EXPECT_EQ(http_injected, 1);
  EXPECT_EQ(tftp_injected, 1);
  // Both applications used up: the row is gone.
  c.cl->faults()->refresh();
  auto rows = fault::FaultStore(*c.db).list();
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
}

}  // namespace
}  // namespace cucm::phone
