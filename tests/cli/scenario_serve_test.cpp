// Faults armed with `cucm-emu scenario` while a real `cucm-emu serve` runs (issue 18): serve takes
// them up from the database within a second and lets them go likewise, curl gets the status they
// set, every injection is an event, and `cucm-emu phone boot` names the fault it detected, then
// boots normally once the fault's count is used up.
#include <chrono>
#include <cstdio>
#include <optional>
#include <regex>
#include <thread>

#include "tests/cli/child_process.hpp"
#include "tests/cli/cli_support.hpp"

namespace cucm {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kA = "SEP00AABBCC0181";
constexpr const char* kB = "SEP00AABBCC0182";
// Encrypted: a first boot gets the partial signed config, runs CAPF, then gets the .enc.sgn.
constexpr const char* kProfile = "Cisco 7942 - Standard SCCP Encrypted Config";
// fault/board.hpp: serve reads the armed faults every 250 ms, so a change is seen within a second.
// The margin is for a loaded machine (a curl process per poll, two cores shared with builds).
constexpr auto kPickup = 1000ms;
constexpr auto kMargin = 500ms;
// Between two curls: paces the poll (a process each), it does not wait for anything.
constexpr auto kPollPace = 20ms;

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

class ScenarioServe : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    std::vector<std::string> argv = {CUCM_EMU, "--data-dir", path("data"), "serve", "--exit-after", "120"};
    for (const char* svc : {"tftp", "http", "https", "capf", "tvs", "admin"}) {
      for (const std::string& a : {std::string("--") + svc + "-address", std::string("127.0.0.1"),
                                   std::string("--") + svc + "-port", std::string("0")}) {
        argv.push_back(a);
      }
    }
    for (const char* a : {"--sip-address", "127.0.0.1", "--sip-tls-port", "0", "--sip-port", "0"}) argv.push_back(a);
    std::string why;
    serve_ = ChildProcess::start(argv, why);
    ASSERT_TRUE(serve_) << why;
    ASSERT_TRUE(serve_->wait_for("serving ", 60s)) << serve_->output();
    tftp_ = port("tftp", "udp");
    http_ = port("http", "tcp");
    https_ = port("https", "tcp");
    capf_ = port("capf", "tcp");
    ASSERT_FALSE(tftp_.empty() || http_.empty() || https_.empty() || capf_.empty()) << serve_->output();
    // Added while serve runs: serve reads devices from the database per request.
    for (const char* d : {kA, kB}) {
      auto r = run(emu(std::string("device add ") + d + " --product 'Cisco 7942' --protocol SCCP --profile '" +
                       kProfile + "'"));
      ASSERT_EQ(r.rc, 0) << r.out;
    }
  }
  void TearDown() override {
    if (serve_) serve_->stop();
    Cli::TearDown();
  }

  // The port serve printed for `svc` ("" when it printed none).
  std::string port(const std::string& svc, const std::string& proto) const {
    std::smatch m;
    std::regex re(svc + R"(: listening on 127\.0\.0\.1:(\d+)/)" + proto);
    return std::regex_search(serve_->output(), m, re) ? m[1].str() : "";
  }
  // The status curl gets for the device's signed config on HTTP 6970 ("000": no answer).
  std::string status(const std::string& device) {
    auto r = run_stdout("curl -s -o /dev/null --max-time 5 -w '%{http_code}' http://127.0.0.1:" + http_ + "/" + device +
                        ".cnf.xml.sgn");
    if (device == kA && r.out == "503") ++answered_503_;
    return r.out;
  }
  // Polls until the device's file is answered with `want`: the time from `since` to that answer,
  // or nullopt when kPickup + kMargin passed first (the last status seen is in `last`).
  std::optional<std::chrono::milliseconds> until_status(const std::string& device, const std::string& want,
                                                        Clock::time_point since, std::string& last) {
    while (Clock::now() < since + kPickup + kMargin) {
      last = status(device);
      if (last == want) return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
      std::this_thread::sleep_for(kPollPace);
    }
    return std::nullopt;
  }
  std::string sql(const std::string& query) const {
    auto r = run_stdout("sqlite3 " + path("data/cucm.db") + " \"" + query + "\"");
    return r.out.empty() ? r.out : r.out.substr(0, r.out.find_last_not_of('\n') + 1);
  }
  // Polls (bounded) until the query answers `want`; the last answer either way. The event writer
  // writes its batches every 200 ms, and a window of suppressed refusals is told when it ends.
  std::string sql_until(const std::string& query, const std::string& want) const {
    std::string got;
    for (auto end = Clock::now() + 10s; Clock::now() < end; std::this_thread::sleep_for(50ms)) {
      got = sql(query);
      if (got == want) break;
    }
    return got;
  }
  std::string boot_cmd(const std::string& device) const {
    return "phone boot " + device + " --server 127.0.0.1 --tftp-port " + tftp_ + " --http-port " + http_ +
           " --https-port " + https_ + " --capf-port " + capf_;
  }
  static void report(const char* what, std::chrono::milliseconds ms) {
    ::testing::Test::RecordProperty(what, static_cast<int>(ms.count()));
    std::printf("[ measured ] %s: %lld ms\n", what, static_cast<long long>(ms.count()));
  }

  std::unique_ptr<ChildProcess> serve_;
  std::string tftp_, http_, https_, capf_;
  int answered_503_ = 0;  // curls of kA's file answered 503
};

TEST_F(ScenarioServe, AFaultArmedWhileServeRunsIsAppliedWithinASecondAndClearedLikewise) {
  ASSERT_EQ(status(kA), "200");
  ASSERT_EQ(status(kB), "200");

  auto set = run(emu(std::string("scenario set http-status --device ") + kA + " --param code=503"));
  auto armed = Clock::now();  // run() returns once the CLI has exited: the row is committed
  ASSERT_EQ(set.rc, 0) << set.out;
  std::string last;
  auto pickup = until_status(kA, "503", armed, last);
  ASSERT_TRUE(pickup) << "still " << last << " " << (kPickup + kMargin).count() << " ms after arming";
  report("pickup_ms", *pickup);
  EXPECT_LT(*pickup, kPickup + kMargin);
  EXPECT_EQ(status(kB), "200") << "a fault armed for " << kA << " changed " << kB << "'s answer";

  auto clear = run(emu(std::string("scenario clear http-status --device ") + kA));
  auto cleared = Clock::now();
  ASSERT_EQ(clear.rc, 0) << clear.out;
  EXPECT_EQ(clear.out, std::string("cleared 1 armed fault (http-status for ") + kA + ")\n");
  auto release = until_status(kA, "200", cleared, last);
  ASSERT_TRUE(release) << "still " << last << " " << (kPickup + kMargin).count() << " ms after clearing";
  report("release_ms", *release);
  EXPECT_LT(*release, kPickup + kMargin);

  // Every 503 is an event naming the fault, the device and the request. The writer's refusal
  // limiter (10 a second per source and result class) folds the rest of a burst into one event
  // "N similar events suppressed", so the two together account for every answer.
  ASSERT_GE(answered_503_, 1);
  std::string injected = "select count(*) from event where result like '%injected http-status%' and device='" +
                         std::string(kA) + "'";
  std::string suppressed = "select coalesce(sum(cast(what as integer)), 0) from event where service='http' and "
                           "result='status 503' and what like '% similar events suppressed'";
  std::string accounted = sql_until("select (" + injected + ") + (" + suppressed + ")", std::to_string(answered_503_));
  EXPECT_EQ(accounted, std::to_string(answered_503_))
      << "injected: " << sql(injected) << ", suppressed: " << sql(suppressed);
  EXPECT_NE(sql(injected), "0");
  EXPECT_EQ(sql("select count(*) from event where result like '%injected http-status%' and (device!='" +
                std::string(kA) + "' or service!='http' or what!='GET " + kA + ".cnf.xml.sgn' or " +
                "result!='status 503: injected http-status')"),
            "0")
      << sql("select service, device, what, result from event where result like '%injected%'");
}

TEST_F(ScenarioServe, PhoneBootNamesTheFaultItDetected) {
  ASSERT_EQ(run(emu(std::string("scenario set sgn-bad-signature --device ") + kA + " --count 1")).rc, 0);
  // Knowing serve holds the fault without using it up: any request for kA's config would take
  // the one application. serve reads every armed row in one query, so once it answers kB with a
  // fault armed after kA's, it holds kA's too.
  auto sentinel = run(emu(std::string("scenario set http-status --device ") + kB + " --count 1 --param code=503"));
  auto armed = Clock::now();
  ASSERT_EQ(sentinel.rc, 0) << sentinel.out;
  std::string last;
  auto pickup = until_status(kB, "503", armed, last);
  ASSERT_TRUE(pickup) << "still " << last << " " << (kPickup + kMargin).count() << " ms after arming";
  report("pickup_ms", *pickup);

  auto refused = run(emu(boot_cmd(kA)));
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_TRUE(has(refused.out, "detected sgn-bad-signature")) << refused.out;
  EXPECT_TRUE(has(refused.out, "result: no full config")) << refused.out;
  EXPECT_FALSE(has(refused.out, "result: full config")) << refused.out;
  EXPECT_FALSE(has(refused.out, ".enc.sgn")) << "went on past the refused config\n" << refused.out;
  EXPECT_EQ(sql_until("select count(*) from event where device='" + std::string(kA) +
                          "' and result like '%injected sgn-bad-signature%'",
                      "1"),
            "1");

  // The count of 1 is used up (the row is deleted once serve has counted it): a normal boot,
  // CAPF included, to the encrypted config.
  auto booted = run(emu(boot_cmd(kA)));
  EXPECT_EQ(booted.rc, 0) << booted.out;
  EXPECT_TRUE(has(booted.out, "result: full config (encrypted)")) << booted.out;
  EXPECT_FALSE(has(booted.out, "detected ")) << booted.out;
  EXPECT_EQ(sql_until("select count(*) from armed_fault where device='" + std::string(kA) + "'", "0"), "0");
}

}  // namespace
}  // namespace cucm
