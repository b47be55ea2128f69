// `cucm-emu scenario`: the fault catalog as text and JSON, arming, showing and clearing faults, and
// every bad request refused with one line on stderr, exit code 1 and nothing in armed_fault.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace cucm {
namespace {

class ScenarioCli : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    auto r = run(emu("device add SEP001122334455 --product 'Cisco 7942'"));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
  std::string sql(const std::string& query) const {
    return run_stdout("sqlite3 " + path("data/cucm.db") + " '" + query + "'").out;
  }
  std::string armed_rows() const { return sql("select count(*) from armed_fault"); }
};

using ScenarioCatalogCli = Cli;

TEST_F(ScenarioCatalogCli, ListNamesEveryFaultInTextAndJsonWithoutTouchingTheDataFolder) {
  auto text = run(emu("scenario list"));
  ASSERT_EQ(text.rc, 0) << text.out;
  for (const char* s : {"sgn-bad-signature", "applied", "refuses the file", "port 1..65535 (3805)",
                        "tvs-wrong-roles"}) {
    EXPECT_NE(text.out.find(s), std::string::npos) << s;
  }
  auto json = run_stdout(emu("scenario list --json"));
  ASSERT_EQ(json.rc, 0);
  auto all = nlohmann::json::parse(json.out);
  ASSERT_GE(all.size(), 41u);
  for (const auto& f : all) {
    for (const char* key : {"name", "layer", "ready", "reaction", "simulated_reaction", "reaction_text", "reproduces",
                            "description", "params"}) {
      EXPECT_TRUE(f.contains(key)) << f.dump() << " " << key;
    }
  }
  auto port = std::find_if(all.begin(), all.end(), [](const auto& f) { return f["name"] == "capf-wrong-port"; });
  ASSERT_NE(port, all.end());
  EXPECT_EQ((*port)["ready"], true);
  EXPECT_EQ((*port)["layer"], "file");
  EXPECT_EQ((*port)["reaction"], "gives up");
  EXPECT_EQ((*port)["params"][0]["name"], "port");
  EXPECT_EQ((*port)["params"][0]["min"], 1);
  EXPECT_EQ((*port)["params"][0]["max"], 65535);
  EXPECT_EQ((*port)["params"][0]["default"], 3805);
  auto expired = std::find_if(all.begin(), all.end(), [](const auto& f) { return f["name"] == "sgn-expired-signer"; });
  ASSERT_NE(expired, all.end());
  EXPECT_EQ((*expired)["reaction"], "unknown");
  EXPECT_EQ((*expired)["simulated_reaction"], "completes");
  EXPECT_FALSE(fs::exists(dir_ / "data")) << "the catalog needs no cluster";
}

TEST_F(ScenarioCli, SetShowClear) {
  auto set = run(emu("scenario set capf-wrong-port --device sep001122334455 --count 2 --until 2h --param port=4000"));
  ASSERT_EQ(set.rc, 0) << set.out;
  EXPECT_NE(set.out.find("armed capf-wrong-port for SEP001122334455: 2 times, until "), std::string::npos) << set.out;
  EXPECT_NE(set.out.find("(port=4000); a correct phone gives up"), std::string::npos) << set.out;
  auto every = run(emu("scenario set certhash-empty --all"));
  ASSERT_EQ(every.rc, 0) << every.out;
  EXPECT_EQ(every.out, "armed certhash-empty for every device: until cleared; a correct phone runs CAPF\n");
  EXPECT_EQ(sql("select fault, device, remaining, params from armed_fault order by id"),
            "capf-wrong-port|SEP001122334455|2|port=4000\ncerthash-empty|||\n");

  auto show = run(emu("scenario show"));
  ASSERT_EQ(show.rc, 0) << show.out;
  EXPECT_NE(show.out.find("until cleared"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("port=4000"), std::string::npos) << show.out;
  auto shown = nlohmann::json::parse(run_stdout(emu("scenario show --json")).out);
  ASSERT_EQ(shown.size(), 2u) << shown.dump();
  EXPECT_EQ(shown[0]["fault"], "capf-wrong-port");
  EXPECT_EQ(shown[0]["remaining"], 2);
  EXPECT_EQ(shown[0]["params"]["port"], 4000);
  EXPECT_TRUE(shown[0]["until"].is_string());
  EXPECT_EQ(shown[1]["device"], "all");
  EXPECT_TRUE(shown[1]["remaining"].is_null());
  EXPECT_TRUE(shown[1]["until"].is_null());

  // Re-arming replaces; nothing is added.
  ASSERT_EQ(run(emu("scenario set capf-wrong-port --device SEP001122334455")).rc, 0);
  EXPECT_EQ(sql("select remaining is null, until_unix is null, params from armed_fault "
                "where fault = \"capf-wrong-port\""),
            "1|1|port=3805\n");

  auto one = run(emu("scenario clear --device SEP001122334455"));
  ASSERT_EQ(one.rc, 0) << one.out;
  EXPECT_EQ(one.out, "cleared 1 armed fault (every fault for SEP001122334455)\n");
  auto rest = run(emu("scenario clear certhash-empty"));
  EXPECT_EQ(rest.rc, 0) << rest.out;
  EXPECT_EQ(rest.out, "cleared 1 armed fault (certhash-empty for any device)\n");
  EXPECT_EQ(armed_rows(), "0\n");
  EXPECT_EQ(run(emu("scenario show")).out,
            "no fault is armed (`cucm-emu scenario set FAULT --device SEP<MAC>` or `--all` arms one)\n");
  auto events = sql("select device, what from event where what like \"scenario %\" order by id");
  EXPECT_NE(events.find("SEP001122334455|scenario set capf-wrong-port for SEP001122334455: 2 times"), std::string::npos)
      << events;
  EXPECT_NE(events.find("|scenario clear certhash-empty for any device: 1 removed"), std::string::npos) << events;
}

struct BadSet {
  const char* args;
  const char* problem;  // in the one line
};

TEST_F(ScenarioCli, EveryBadRequestExitsOneWithOneLineAndStoresNothing) {
  const BadSet cases[] = {
      {"scenario set sgn-bad-sig --all", "unknown fault 'sgn-bad-sig' (did you mean sgn-bad-signature?)"},
      {"scenario set capf-wrong-port --all --param port=70000", "port=70000 is out of range 1..65535"},
      {"scenario set capf-wrong-port --all --param ms=10", "takes no parameter 'ms' (it takes: port)"},
      {"scenario set certhash-empty --all --param ms=10", "fault 'certhash-empty' takes no parameters"},
      {"scenario set capf-wrong-port --all --param port", "parameter 'port' is not name=value"},
      {"scenario set capf-wrong-port --device SEPAABBCCDDEEFF", "unknown device SEPAABBCCDDEEFF"},
      {"scenario set capf-wrong-port --device SEP12", "invalid device name 'SEP12'"},
      {"scenario set capf-wrong-port --device SEP001122334455 --all", "not both"},
      {"scenario set capf-wrong-port", "give --device SEP<MAC> or --all"},
      {"scenario set capf-wrong-port --all --count 0", "count 0 is out of range 1..1000000"},
      {"scenario set capf-wrong-port --all --count many", "--count many: expected how many times"},
      {"scenario set capf-wrong-port --all --until 2020-01-01T00:00:00Z",
       "until 2020-01-01 00:00:00 UTC is not after now"},
      {"scenario set capf-wrong-port --all --until soon", "until 'soon': expected a UTC time"},
      {"scenario clear sgn-bad-sig", "unknown fault 'sgn-bad-sig'"},
  };
  for (const auto& c : cases) {
    auto r = run(emu(c.args));
    EXPECT_EQ(r.rc, 1) << c.args << "\n" << r.out;
    EXPECT_TRUE(r.out.starts_with("cucm-emu: ")) << c.args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.problem), std::string::npos) << c.args << "\n" << r.out;
    EXPECT_EQ(armed_rows(), "0\n") << c.args;
  }
}

}  // namespace
}  // namespace cucm

namespace cucm {
namespace {

// Issue 18, item 4: the runner with our simulator in place of a real phone judges every fault this
// build applies "as expected", reports in text, JSON and JUnit, and leaves the data folder as it
// was (it works in a copy).
class ScenarioRunCli : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    auto r = run(emu("device add SEP001122334466 --product 'Cisco 7942' --protocol SCCP "
                     "--profile 'Cisco 7942 - Standard SCCP Encrypted Config'"));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
};

TEST_F(ScenarioRunCli, SimulateAllJudgesEveryAppliedFaultAsExpected) {
  auto before = run_stdout("sqlite3 " + path("data/cucm.db") + " 'select count(*) from event'").out;
  auto r = run_stdout(emu("scenario run SEP001122334466 --all --simulate --json --junit " + path("junit.xml")));
  ASSERT_EQ(r.rc, 0) << r.out;
  auto report = nlohmann::json::parse(r.out);
  int judged = 0;
  for (const auto& f : report) {
    if (f["verdict"] == "skipped (planned)") continue;
    ++judged;
    EXPECT_EQ(f["verdict"], "as expected") << f.dump(2);
    EXPECT_FALSE(f["sequence"].empty()) << f["fault"];
  }
  auto catalog = nlohmann::json::parse(run_stdout(emu("scenario list --json")).out);
  auto ready = std::count_if(catalog.begin(), catalog.end(), [](const auto& f) { return f["ready"] == true; });
  EXPECT_EQ(judged, ready);
  EXPECT_GE(judged, 21);
  EXPECT_EQ(run("xmllint --noout " + path("junit.xml")).rc, 0);
  auto failures = run_stdout("xmllint --xpath 'string(/testsuite/@failures)' " + path("junit.xml"));
  EXPECT_EQ(failures.out, "0\n");
  auto cases = run_stdout("xmllint --xpath 'count(/testsuite/testcase)' " + path("junit.xml"));
  EXPECT_EQ(cases.out, std::to_string(report.size()) + "\n");
  EXPECT_EQ(run_stdout("sqlite3 " + path("data/cucm.db") + " 'select count(*) from event'").out, before)
      << "the simulation wrote into the lab's event log";
  EXPECT_EQ(run_stdout("sqlite3 " + path("data/cucm.db") + " 'select count(*) from armed_fault'").out, "0\n");
}

TEST_F(ScenarioRunCli, BadRequestsGetOneLineAndExitOne) {
  const std::pair<const char*, const char*> cases[] = {
      {"scenario run SEP001122334466 --faults sgn-bad-sig --simulate", "unknown fault 'sgn-bad-sig'"},
      {"scenario run SEP001122334466 --simulate", "--faults a,b,... or --all"},
      {"scenario run SEP001122334466 --all --faults enc-missing --simulate", "--faults a,b,... or --all"},
      {"scenario run SEPAABBCCDDEEFF --all --simulate", "SEPAABBCCDDEEFF"},
      {"scenario run SEP001122334466 --all --per-boot-timeout 0", "--per-boot-timeout must be 1..3600 s"},
      {"scenario run SEP001122334466 --all --quiet 0", "--quiet must be 1..300 s (at most --per-boot-timeout)"},
  };
  for (const auto& [args, problem] : cases) {
    auto r = run(emu(args));
    EXPECT_EQ(r.rc, 1) << args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << "\n" << r.out;
    EXPECT_NE(r.out.find(problem), std::string::npos) << args << "\n" << r.out;
  }
}

}  // namespace
}  // namespace cucm
