// cucm-emu trunk add|list|show|remove|ping: a trunk's fields as CUCM's SIP trunk and its security
// profile hold them, refusals in one line with exit code 1, and seed 003 end to end: two
// `cucm-emu serve` with their own nodes, each trusting the other's CallManager certificate, and
// `trunk ping` saying Full Service, or No Service and why.
#include <chrono>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/cli/child_process.hpp"
#include "tests/cli/cli_support.hpp"

namespace cucm {
namespace {

using namespace std::chrono_literals;

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// One line on stderr ("cucm-emu: ..."), nothing else.
void expect_one_line(const Run& r) {
  EXPECT_EQ(r.rc, 1) << r.out;
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;
  EXPECT_TRUE(r.out.starts_with("cucm-emu: ")) << r.out;
}

class TrunkCli : public Cli {
 protected:
  std::string emu_in(const std::string& data, const std::string& args) const {
    return std::string(CUCM_EMU) + " --data-dir " + path(data) + " " + args;
  }
};

TEST_F(TrunkCli, AddListShowRemove) {
  auto add = run(emu("trunk add to-b --peer cucm-b.example.com:5061 --x509-subject 'cucm-b.example.com, CUCM10' "
                     "--description 'CUCM 10.5 cluster'"));
  ASSERT_EQ(add.rc, 0) << add.out;
  EXPECT_TRUE(has(add.out, "trunk to-b: peer cucm-b.example.com:5061, X.509 subject names cucm-b.example.com, CUCM10"))
      << add.out;
  ASSERT_EQ(run(emu("trunk add to-c --peer 10.0.0.3 --x509-subject cucm-c --x509-subject cucm-c2 --incoming-port 5071")).rc, 0);

  auto ls = run_stdout(emu("trunk list"));
  ASSERT_EQ(ls.rc, 0);
  EXPECT_TRUE(has(ls.out, "name")) << ls.out;
  EXPECT_TRUE(has(ls.out, "cucm-b.example.com,CUCM10")) << ls.out;
  EXPECT_TRUE(has(ls.out, "10.0.0.3:5061")) << ls.out;  // 5061 when --peer names no port

  auto listed = run_stdout(emu("trunk list --json"));
  ASSERT_EQ(listed.rc, 0);
  auto j = nlohmann::json::parse(listed.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["name"], "to-b");
  EXPECT_EQ(j[0]["description"], "CUCM 10.5 cluster");
  EXPECT_EQ(j[1]["x509_subjects"], nlohmann::json({"cucm-c", "cucm-c2"}));
  EXPECT_EQ(j[1]["incoming_port"], 5071);

  auto show = run_stdout(emu("trunk show to-c"));
  ASSERT_EQ(show.rc, 0);
  EXPECT_TRUE(has(show.out, "x509 subject names: cucm-c, cucm-c2")) << show.out;
  EXPECT_TRUE(has(show.out, "incoming port:      5071")) << show.out;

  auto rm = run(emu("trunk remove to-b"));
  ASSERT_EQ(rm.rc, 0) << rm.out;
  auto after = nlohmann::json::parse(run_stdout(emu("trunk list --json")).out);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["name"], "to-c");
}

TEST_F(TrunkCli, RefusalsAreOneLineWithExitCode1) {
  ASSERT_EQ(run(emu("trunk add to-b --peer 127.0.0.1:5061 --x509-subject cucm-b")).rc, 0);
  struct Case {
    std::string args, message;
  };
  for (const auto& c : std::vector<Case>{
           {"trunk add to-b --peer 127.0.0.1:5061 --x509-subject cucm-b", "trunk 'to-b' exists"},
           {"trunk add to-x --peer 127.0.0.1:70000 --x509-subject cucm-b", "70000"},
           {"trunk add to-x --peer :5061 --x509-subject cucm-b", ":5061"},
           {"trunk add to-x --peer 127.0.0.1 --x509-subject ' , '", "--x509-subject needs at least one name"},
           {"trunk add to-x --peer 127.0.0.1 --x509-subject cucm-b --incoming-port 0", "port 0 vs 1..65535"},
           {"trunk add '' --peer 127.0.0.1 --x509-subject cucm-b", "trunk name is empty"},
           {"trunk show nope", "unknown trunk 'nope' (see 'cucm-emu trunk list')"},
           {"trunk remove nope", "unknown trunk 'nope'"},
           {"trunk ping nope", "unknown trunk 'nope'"},
           {"trunk ping to-b --timeout-ms 0", "--timeout-ms 0: at least 1"},
       }) {
    auto r = run(emu(c.args));
    SCOPED_TRACE(c.args);
    expect_one_line(r);
    EXPECT_TRUE(has(r.out, c.message)) << r.out;
  }
  EXPECT_EQ(nlohmann::json::parse(run_stdout(emu("trunk list --json")).out).size(), 1u) << "nothing added by a refusal";
}

TEST_F(TrunkCli, PingWithNothingListeningIsOneLine) {
  // A port the kernel gave and took back: nothing listens there.
  auto free_port = run_stdout("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])'");
  ASSERT_EQ(free_port.rc, 0);
  std::string port = free_port.out.substr(0, free_port.out.find('\n'));
  ASSERT_EQ(run(emu("trunk add dead --peer 127.0.0.1:" + port + " --x509-subject cucm-b")).rc, 0);
  auto r = run(emu("trunk ping dead --timeout-ms 2000"));
  expect_one_line(r);
  EXPECT_TRUE(has(r.out, "trunk dead: No Service: 127.0.0.1:" + port + ": connect failed")) << r.out;
}

// Seed 003 with two real servers: the names are the nodes given to `pki init`.
class TrunkServe : public TrunkCli {
 protected:
  void start(const std::string& data, std::unique_ptr<ChildProcess>& serve, std::string& port) {
    std::string why;
    serve = ChildProcess::start({CUCM_EMU, "--data-dir", path(data), "serve", "--exit-after", "120", "--no-tftp", "--no-http",
                                 "--no-https", "--no-capf", "--no-tvs", "--no-sip-plain", "--sip-address", "127.0.0.1",
                                 "--sip-tls-port", "0", "--no-admin"},
                                why);
    ASSERT_TRUE(serve) << why;
    ASSERT_TRUE(serve->wait_for("serving ", 60s)) << serve->output();
    std::smatch m;
    std::string out = serve->output();
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(sip: listening on 127\.0\.0\.1:(\d+)/tcp)"))) << out;
    port = m[1].str();
  }
};

TEST_F(TrunkServe, PingBetweenTwoServesIsFullServiceOrNamesTheRefusal) {
  for (const char* node : {"cucm-a", "cucm-b"}) ASSERT_EQ(run(emu_in(node, std::string("pki init --node ") + node)).rc, 0);
  // Each trusts the other's CallManager certificate before it serves: trust is read at start.
  auto ta = run(emu_in("cucm-a", "trust add " + path("cucm-b/pki/callmanager.pem") + " --store CallManager-trust"));
  ASSERT_EQ(ta.rc, 0) << ta.out;
  ASSERT_EQ(run(emu_in("cucm-b", "trust add " + path("cucm-a/pki/callmanager.pem") + " --store CallManager-trust")).rc, 0);
  std::unique_ptr<ChildProcess> a, b;
  std::string pa, pb;
  start("cucm-a", a, pa);
  start("cucm-b", b, pb);
  ASSERT_EQ(run(emu_in("cucm-a", "trunk add to-b --peer 127.0.0.1:" + pb + " --x509-subject cucm-b")).rc, 0);
  ASSERT_EQ(run(emu_in("cucm-b", "trunk add to-a --peer 127.0.0.1:" + pa + " --x509-subject cucm-a")).rc, 0);

  auto up = run(emu_in("cucm-a", "trunk ping to-b"));
  EXPECT_EQ(up.rc, 0) << up.out;
  for (const char* line : {"tls:          TLSv1.3", "chain:        trusted by CallManager-trust", "subject:      matches 'cucm-b'",
                           "sip:          200 OK", "round trip:", "status:       Full Service"}) {
    EXPECT_TRUE(has(up.out, line)) << line << "\n" << up.out;
  }
  // B's trunk now names cucm-x: B refuses A's OPTIONS, and B's own ping finds cucm-a named by none
  // of its trunk's subjects (A, whose trunk names cucm-b, still answers 200). Trunks are read per
  // request: no restart.
  ASSERT_EQ(run(emu_in("cucm-b", "trunk remove to-a")).rc, 0);
  ASSERT_EQ(run(emu_in("cucm-b", "trunk add to-a --peer 127.0.0.1:" + pa + " --x509-subject cucm-x")).rc, 0);
  auto refused = run(emu_in("cucm-a", "trunk ping to-b"));
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_TRUE(has(refused.out, "sip:          403 Forbidden (X.509 subject name)")) << refused.out;
  EXPECT_TRUE(has(refused.out, "status:       No Service")) << refused.out;
  EXPECT_TRUE(has(refused.out, "cucm-emu: trunk to-b: No Service: 127.0.0.1:" + pb + ": answered 403")) << refused.out;
  auto mismatch = run(emu_in("cucm-b", "trunk ping to-a"));
  EXPECT_EQ(mismatch.rc, 1) << mismatch.out;
  EXPECT_TRUE(has(mismatch.out, "subject:      no match for [cucm-a]")) << mismatch.out;
  EXPECT_TRUE(has(mismatch.out, "sip:          200 OK")) << mismatch.out;
  EXPECT_TRUE(has(mismatch.out, "status:       No Service")) << mismatch.out;

  auto js = run_stdout(emu_in("cucm-a", "trunk ping to-b --json"));
  EXPECT_EQ(js.rc, 1);
  auto j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["status"], "No Service");
  EXPECT_EQ(j["sip_code"], 403);
  EXPECT_EQ(j["matched_subject"], "cucm-b");
}

}  // namespace
}  // namespace cucm
