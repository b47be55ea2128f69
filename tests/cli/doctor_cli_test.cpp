// cucm-emu --version, and cucm-emu doctor run as a lab engineer (or a package's CI) runs it: on a
// folder made by the commands, on each problem with exit code 1, beside a running serve, and on
// a folder that is not there (which it must not make).
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <regex>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "cli_support.hpp"
#include "tests/support/listening_socket.hpp"

namespace cucm {
namespace {
using namespace std::chrono_literals;

class DoctorCli : public Cli {
 protected:
  // serve's config file with every port 0 (nothing to check) but those given, on loopback.
  std::string config(const std::string& lines = "") const {
    std::string text = "tftp-address = 127.0.0.1\nhttp-address = 127.0.0.1\nhttps-address = 127.0.0.1\n"
                       "capf-address = 127.0.0.1\ntvs-address = 127.0.0.1\nsip-address = 127.0.0.1\n";
    for (const char* p : {"tftp-port", "http-port", "https-port", "capf-port", "tvs-port", "sip-tls-port", "sip-port", "admin-port"}) {
      if (lines.find(p) == std::string::npos) text += std::string(p) + " = 0\n";
    }
    write("lab.ini", as_bytes(text + lines));
    return path("lab.ini");
  }
  void make_cluster() const {
    ASSERT_EQ(run(emu("pki init")).rc, 0);
    auto r = run(emu("device add SEPA45630BBFA40 --product \"Cisco 7942\" --protocol SCCP --profile "
                     "\"Cisco 7942 - Standard SCCP Encrypted Config\""));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
  static bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }
};

TEST_F(DoctorCli, VersionNamesTheReleaseAndTheGitRevision) {
  auto r = run_stdout(std::string(CUCM_EMU) + " --version");
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(cucm-emu [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]+(-dirty)?|unknown)\)\n)")))
      << r.out;
}

TEST_F(DoctorCli, AFolderMadeByTheCommandsIsReadyToServe) {
  make_cluster();
  auto r = run(emu("doctor --config " + config()));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_FALSE(has(r.out, "PROBLEM")) << r.out;
  EXPECT_FALSE(has("\n" + r.out, "\nwarning ")) << r.out;
  EXPECT_TRUE(has(r.out, "ok       database: integrity ok, schema ")) << r.out;
  EXPECT_TRUE(has(r.out, "ok       pki callmanager: callmanager.pem and callmanager.key match: RSA 2048")) << r.out;
  EXPECT_TRUE(has(r.out, "doctor: ready to serve")) << r.out;

  auto j = run_stdout(emu("doctor --json --config " + config()));
  EXPECT_EQ(j.rc, 0) << j.out;
  auto arr = nlohmann::json::parse(j.out);
  ASSERT_TRUE(arr.is_array());
  EXPECT_GE(arr.size(), 12u);
  for (const auto& f : arr) EXPECT_EQ(f["verdict"], "ok") << f.dump();
}

TEST_F(DoctorCli, AnAbsentFolderIsOneProblemAndIsNotMade) {
  auto r = run(emu("doctor --config " + config()));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(has(r.out, "PROBLEM  data folder: " + path("data") + " does not exist; fix: make it with 'cucm-emu "
                             "--data-dir " + path("data") + " pki init'"))
      << r.out;
  EXPECT_FALSE(has(r.out, "PROBLEM  pki")) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "data"));
}

TEST_F(DoctorCli, AKeyOthersCanReadFailsWithTheChmodToRun) {
  make_cluster();
  fs::permissions(dir_ / "data/pki/callmanager.key", fs::perms(0644), fs::perm_options::replace);
  auto r = run(emu("doctor --config " + config()));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(has(r.out, "PROBLEM  permissions: " + path("data/pki/callmanager.key") + " is mode 0644")) << r.out;
  EXPECT_TRUE(has(r.out, "fix: chmod 600 " + path("data/pki/callmanager.key"))) << r.out;
  EXPECT_TRUE(has(r.out, "doctor: 1 problem(s)")) << r.out;
}

TEST_F(DoctorCli, APortThisTestHoldsIsAProblemNamingItsProcess) {
  make_cluster();
  test::ListeningSocket held;
  std::string port = std::to_string(held.port);
  auto r = run(emu("doctor --config " + config("capf-port = " + port + "\n")));
  EXPECT_EQ(r.rc, 1) << r.out;
  std::string me = fs::read_symlink("/proc/self/exe").filename().string();
  EXPECT_TRUE(has(r.out, "PROBLEM  port capf: 127.0.0.1:" + port + "/tcp is held by " + me + " pid " +
                             std::to_string(::getpid())))
      << r.out;
  EXPECT_TRUE(has(r.out, "--capf-port")) << r.out;
}

TEST_F(DoctorCli, ThePortsOfARunningServeAreItsOwn) {
  make_cluster();
  std::string why;
  auto serve = ChildProcess::start({CUCM_EMU, "--data-dir", path("data"), "serve", "--config", config()}, why);
  ASSERT_TRUE(serve) << why;
  ASSERT_TRUE(serve->wait_for("serving ", 60s)) << serve->output();
  std::smatch m;
  const std::string& out = serve->output();
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(tftp: listening on 127\.0\.0\.1:(\d+)/udp)"))) << out;
  std::string tftp = m[1];
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(http: listening on 127\.0\.0\.1:(\d+)/tcp)"))) << out;
  std::string http = m[1];
  auto r = run(emu("doctor --config " + config("tftp-port = " + tftp + "\nhttp-port = " + http + "\n")));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(has(r.out, "ok       port tftp: 127.0.0.1:" + tftp + "/udp is held by cucm-emu pid ")) << r.out;
  EXPECT_TRUE(has(r.out, "ok       port http: 127.0.0.1:" + http + "/tcp is held by cucm-emu pid ")) << r.out;
  EXPECT_TRUE(has(r.out, "ok       database: integrity ok")) << r.out;  // read beside serve's connections
  EXPECT_TRUE(has(r.out, "ok       lab CA: ca.pem and ca.key match")) << r.out;  // serve made it
}

TEST_F(DoctorCli, AConfigFileServeRefusesIsAProblemLine) {
  make_cluster();
  auto r = run(emu("doctor --config " + config("tftp-prot = 6969\n")));
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(has(r.out, "PROBLEM  config: --config " + path("lab.ini") + ": 'tftp-prot' is not an option of serve"))
      << r.out;
  EXPECT_TRUE(has(r.out, "ok       database: integrity ok")) << r.out;  // the folder is still checked
  EXPECT_FALSE(has(r.out, "port tftp")) << r.out;                         // which ports serve opens is not known
  auto missing = run(emu("doctor --config " + path("nope.ini")));
  EXPECT_EQ(missing.rc, 2) << missing.out;  // a flag CLI11 refuses, as for any command
  EXPECT_TRUE(has(missing.out, "nope.ini")) << missing.out;
}

TEST_F(DoctorCli, TheMetricsPortIsCheckedWhenServeWouldOpenIt) {
  make_cluster();
  auto off = run(emu("doctor --config " + config()));
  EXPECT_FALSE(has(off.out, "port metrics")) << off.out;
  auto on = run(emu("doctor --config " + config("metrics-port = 0\n")));
  EXPECT_EQ(on.rc, 0) << on.out;
  EXPECT_TRUE(has(on.out, "ok       port metrics: port 0: the system picks a free one")) << on.out;
}

}  // namespace
}  // namespace cucm
