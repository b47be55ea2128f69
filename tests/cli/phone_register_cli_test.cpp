// Issue 21 item 4 from the command line: `phone boot` against a real `serve` says how the SIP
// registration went and exits 1 when it failed; `phone fleet` counts the phones that registered.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/cli/child_process.hpp"
#include "tests/cli/cli_support.hpp"

namespace cucm {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPhone = "SEP00AABBCC0301";
constexpr const char* kFleetPhone = "SEPF10000000000";  // phone fleet's first name for the prefix SEPF1
constexpr const char* kProfile = "Cisco 8845 - Standard SIP Non-Secure Profile";

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// A UDP port nothing listens on: bound by the kernel's choice, then closed again.
std::string closed_udp_port() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  auto* sa = reinterpret_cast<sockaddr*>(&a);  // NOLINT: the socket API's own type
  EXPECT_EQ(::bind(fd, sa, len), 0);
  EXPECT_EQ(::getsockname(fd, sa, &len), 0);
  ::close(fd);
  return std::to_string(ntohs(a.sin_port));
}

class PhoneRegisterCli : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    std::vector<std::string> argv = {CUCM_EMU, "--data-dir", path("data"), "serve", "--exit-after", "120"};
    for (const char* svc : {"tftp", "http", "https", "capf", "tvs", "sip", "admin"}) {
      for (const std::string& a : {std::string("--") + svc + "-address", std::string("127.0.0.1"),
                                   std::string("--") + svc + "-port", std::string("0")}) {
        argv.push_back(a);
      }
    }
    argv.insert(argv.end(), {"--sip-tls-port", "0"});
    std::string why;
    serve_ = ChildProcess::start(argv, why);
    ASSERT_TRUE(serve_) << why;
    ASSERT_TRUE(serve_->wait_for("serving ", 60s)) << serve_->output();
    std::smatch m;
    const std::string& out = serve_->output();
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(tftp: listening on 127\.0\.0\.1:(\d+)/udp)"))) << out;
    tftp_ = m[1];
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(http: listening on 127\.0\.0\.1:(\d+)/tcp)"))) << out;
    http_ = m[1];
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(https: listening on 127\.0\.0\.1:(\d+)/tcp)"))) << out;
    https_ = m[1];
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(sip: listening on .*127\.0\.0\.1:(\d+)/udp\+tcp)"))) << out;
    sip_ = m[1];
    for (const char* d : {kPhone, kFleetPhone}) {
      auto r = run(emu(std::string("device add ") + d + " --product 'Cisco 8845' --protocol SIP --profile '" + kProfile +
                       "' --line 4001,Ann"));
      ASSERT_EQ(r.rc, 0) << r.out;
    }
  }
  void TearDown() override {
    if (serve_) serve_->stop();
    Cli::TearDown();
  }
  std::string ports() const {
    return " --server 127.0.0.1 --tftp-port " + tftp_ + " --http-port " + http_ + " --https-port " + https_;
  }

  std::unique_ptr<ChildProcess> serve_;
  std::string tftp_, http_, https_, sip_;
};

TEST_F(PhoneRegisterCli, PhoneBootSaysHowTheRegistrationWentAndFailsWhenItDid) {
  auto ok = run(emu(std::string("phone boot ") + kPhone + ports() + " --sip-port " + sip_));
  EXPECT_EQ(ok.rc, 0) << ok.out;
  EXPECT_TRUE(has(ok.out, "registered: 1 of 1 line(s) over udp")) << ok.out;
  EXPECT_TRUE(has(ok.out, "REGISTER 4001")) << ok.out;

  auto json = run_stdout(emu(std::string("phone boot ") + kPhone + ports() + " --sip-port " + sip_ + " --json"));
  ASSERT_EQ(json.rc, 0) << json.out;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["registered"], 1);
  EXPECT_EQ(j["sip_transport"], "udp");
  EXPECT_EQ(j["sip_failure"], "");

  std::string closed = closed_udp_port();
  auto refused = run(emu(std::string("phone boot ") + kPhone + ports() + " --sip-port " + closed));
  EXPECT_EQ(refused.rc, 1) << refused.out;
  EXPECT_TRUE(has(refused.out, "result: full config")) << refused.out;
  EXPECT_TRUE(has(refused.out, "registration failed over udp: 0 of 1 line(s) registered: sip: udp 127.0.0.1:" + closed))
      << refused.out;
  EXPECT_TRUE(has(refused.out, "the phone did not register")) << refused.out;

  auto off = run(emu(std::string("phone boot ") + kPhone + ports() + " --sip-port " + closed + " --no-register"));
  EXPECT_EQ(off.rc, 0) << off.out;
  EXPECT_FALSE(has(off.out, "registered:")) << off.out;
  EXPECT_FALSE(has(off.out, "registration failed")) << off.out;
}

TEST_F(PhoneRegisterCli, PhoneFleetCountsThePhonesThatRegistered) {
  std::string fleet = "phone fleet --count 1 --concurrency 1 --prefix SEPF1" + ports();
  auto text = run(emu(fleet + " --sip-port " + sip_));
  EXPECT_EQ(text.rc, 0) << text.out;
  EXPECT_TRUE(has(text.out, "registration: 1 of 1 phones registered every line (1 lines)")) << text.out;

  auto json = run_stdout(emu(fleet + " --sip-port " + sip_ + " --json"));
  ASSERT_EQ(json.rc, 0) << json.out;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["full_config"], 1);
  EXPECT_EQ(j["registration"]["registered"], 1);
  EXPECT_EQ(j["registration"]["lines_registered"], 1);

  auto refused = run_stdout(emu(fleet + " --sip-port " + closed_udp_port() + " --json"));
  EXPECT_EQ(refused.rc, 1) << refused.out;
  auto r = nlohmann::json::parse(refused.out.substr(0, refused.out.rfind('}') + 1));
  EXPECT_EQ(r["full_config"], 1);
  EXPECT_EQ(r["registration"]["attempted"], 1);
  EXPECT_EQ(r["registration"]["registered"], 0);
  EXPECT_EQ(r["registration"]["failures"].size(), 1u) << r.dump();
}

}  // namespace
}  // namespace cucm
