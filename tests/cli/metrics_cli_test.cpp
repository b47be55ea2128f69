// serve --metrics-port: off unless given, on loopback by default, the address it listens on
// printed, the text read by curl; a port that cannot be one is one line of error naming the flag.
#include <chrono>
#include <regex>

#include "child_process.hpp"
#include "cli_support.hpp"

namespace cucm {
namespace {

using namespace std::chrono_literals;

const char* const kLoopbackServe =
    "serve --tftp-address 127.0.0.1 --http-address 127.0.0.1 --capf-address 127.0.0.1 --https-address 127.0.0.1 "
    "--tvs-address 127.0.0.1 --tftp-port 0 --http-port 0 --https-port 0 --capf-port 0 --tvs-port 0 "
    "--sip-address 127.0.0.1 --sip-tls-port 0 --sip-port 0";

TEST_F(Cli, ServeMetricsOnLoopbackWhenAPortIsGiven) {
  std::string why;
  auto serve = ChildProcess::start({"/bin/sh", "-c", "exec " + emu(std::string(kLoopbackServe) + " --metrics-port 0")}, why);
  ASSERT_TRUE(serve) << why;
  ASSERT_TRUE(serve->wait_for("serving ", 60s)) << serve->output();
  std::smatch m;
  const std::string& out = serve->output();
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(metrics: listening on http://127\.0\.0\.1:(\d+)/metrics)"))) << out;
  auto scrape = run_raw("curl -sS -f -D - http://127.0.0.1:" + m[1].str() + "/metrics");
  ASSERT_EQ(scrape.rc, 0) << scrape.out;
  EXPECT_NE(scrape.out.find("Content-Type: text/plain; version=0.0.4; charset=utf-8"), std::string::npos) << scrape.out;
  EXPECT_NE(scrape.out.find("cucm_requests_total{protocol=\"tftp\",outcome=\"ok\"} 0\n"), std::string::npos) << scrape.out;
  EXPECT_NE(scrape.out.find("cucm_connections_open{protocol=\"capf\"} 0\n"), std::string::npos) << scrape.out;
}

TEST_F(Cli, ServeHasNoMetricsUnlessAsked) {
  auto r = run_stdout(emu(std::string(kLoopbackServe) + " --exit-after 1"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("tvs: listening on"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("metrics"), std::string::npos) << r.out;
}

TEST_F(Cli, ABadMetricsPortNamesTheFlag) {
  for (const char* port : {"70000", "-2"}) {
    auto r = run_raw(emu(std::string(kLoopbackServe) + " --metrics-port " + port) + " 2>&1 >/dev/null");
    EXPECT_EQ(r.rc, 1) << r.out;
    EXPECT_EQ(r.out.rfind("cucm-emu: invalid --metrics-port " + std::string(port), 0), 0u) << r.out;
  }
  auto r = run_raw(emu(std::string(kLoopbackServe) + " --metrics-port 0 --metrics-address no.such.address") +
                   " 2>&1 >/dev/null");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_NE(r.out.find("--metrics-address"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cucm
