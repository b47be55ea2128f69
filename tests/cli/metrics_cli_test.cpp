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
    "--sip-address 127.0.0.1 --sip-tls-port 0 --sip-port 0 --admin-port 0";

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

// The admin site's answers are counted by status class in the same scrape; with --no-admin there
// is no cucm_admin_ family at all.
TEST_F(Cli, ServeMetricsCountTheAdminSitesAnswers) {
  std::string why;
  auto serve = ChildProcess::start({"/bin/sh", "-c", "exec " + emu(std::string(kLoopbackServe) + " --metrics-port 0")}, why);
  ASSERT_TRUE(serve) << why;
  ASSERT_TRUE(serve->wait_for("serving ", 60s)) << serve->output();
  std::smatch metrics, admin;
  const std::string& out = serve->output();
  ASSERT_TRUE(std::regex_search(out, metrics, std::regex(R"(metrics: listening on http://127\.0\.0\.1:(\d+)/metrics)"))) << out;
  ASSERT_TRUE(std::regex_search(out, admin, std::regex(R"(admin: listening on https://127\.0\.0\.1:(\d+)/)"))) << out;
  const std::string site = "https://127.0.0.1:" + admin[1].str();
  auto page = run_raw("curl -sS -k -o /dev/null -w '%{http_code}' " + site + "/");
  ASSERT_EQ(page.out, "200") << page.out;
  auto refused = run_raw("curl -sS -k -o /dev/null -w '%{http_code}' " + site + "/api/v1/devices");
  ASSERT_EQ(refused.out, "401") << refused.out;
  auto scrape = run_raw("curl -sS -f http://127.0.0.1:" + metrics[1].str() + "/metrics");
  ASSERT_EQ(scrape.rc, 0) << scrape.out;
  for (const char* line : {"cucm_admin_requests_total{outcome=\"ok\"} 1\n", "cucm_admin_requests_total{outcome=\"client_error\"} 1\n",
                           "cucm_admin_requests_total{outcome=\"server_error\"} 0\n",
                           "cucm_admin_connections_refused_total 0\n", "cucm_admin_event_streams_total 0\n"}) {
    EXPECT_NE(scrape.out.find(line), std::string::npos) << line << scrape.out;
  }
  EXPECT_NE(scrape.out.find("# TYPE cucm_admin_connections_open gauge\n"), std::string::npos) << scrape.out;
  // The whole text, the site's families with it, through a parser that is not ours.
  auto parsed = run("curl -sS -f http://127.0.0.1:" + metrics[1].str() + "/metrics | python3 " + CUCM_SOURCE_DIR +
                    "/tests/cluster/check_prometheus_text.py cucm_admin_requests_total cucm_admin_connections_open "
                    "cucm_admin_connections_refused_total cucm_admin_event_streams_open cucm_admin_event_streams_total");
  if (parsed.rc != 77) {
    EXPECT_EQ(parsed.rc, 0) << parsed.out;
  }

  std::string no_admin = std::string(kLoopbackServe) + " --no-admin --metrics-port 0";
  auto plain = ChildProcess::start({"/bin/sh", "-c", "exec " + emu(no_admin)}, why);
  ASSERT_TRUE(plain) << why;
  ASSERT_TRUE(plain->wait_for("serving ", 60s)) << plain->output();
  ASSERT_TRUE(std::regex_search(plain->output(), metrics, std::regex(R"(metrics: listening on http://127\.0\.0\.1:(\d+)/metrics)")));
  scrape = run_raw("curl -sS -f http://127.0.0.1:" + metrics[1].str() + "/metrics");
  ASSERT_EQ(scrape.rc, 0) << scrape.out;
  EXPECT_EQ(scrape.out.find("cucm_admin_"), std::string::npos) << scrape.out;
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
