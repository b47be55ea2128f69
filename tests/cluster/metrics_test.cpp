// serve's metrics as a scraper reads them: cluster::Services on loopback with the endpoint on an
// ephemeral port; a TFTP download (our client), HTTP requests and a phone's boot through HTTP,
// CAPF and TVS (our simulator); then /metrics read by curl, the counters and histograms checked
// against what was done, and the whole text parsed by Debian's python3-prometheus-client.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cluster/services.hpp"
#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "phone/boot.hpp"
#include "signer/lab_manufacturer.hpp"
#include "tftp/client.hpp"
#include "tests/support/shell.hpp"

namespace cucm::cluster {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;

using test::Run;
using test::run;

constexpr const char* kPhone = "SEPA45630BBFA40";

// The value of one series (`name{labels}` exactly as written) in a scrape; nullopt when absent.
std::optional<double> value(const std::string& text, const std::string& series) {
  std::string line_start = series + " ";
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, line_start.size(), line_start) == 0) {
      return std::stod(text.substr(at + line_start.size(), end - at - line_start.size()));
    }
    at = end + 1;
  }
  return std::nullopt;
}

class ServicesMetrics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cucm-metrics-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    Config cfg;
    cfg.cache_bytes = 16u << 20;
    auto c = Cluster::open(dir_, cfg);
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = c->release();
    auto sc = loopback_services();
    sc.metrics.emplace();
    sc.metrics->address = "127.0.0.1";
    sc.metrics->port = 0;
    services_ = new Services(*cluster_, sc);
    auto st = services_->start();
    ASSERT_TRUE(st) << st.error().message;
    // The phone's config must send it to the CAPF and TVS that really listen.
    db::SettingsStore settings(cluster_->db());
    ASSERT_TRUE(settings.set("capf_port", std::to_string(services_->capf_port())));
    ASSERT_TRUE(settings.set("tvs_port", std::to_string(services_->tvs_port())));
    db::Device d;
    d.name = kPhone;
    d.product = "Cisco 7942";
    d.protocol = "SCCP";
    d.profile = "Cisco 7942 - Standard SCCP Encrypted Config";
    ASSERT_TRUE(db::DeviceStore(cluster_->db()).add(d));
  }
  static void TearDownTestSuite() {
    delete services_;
    delete cluster_;
    fs::remove_all(dir_);
  }

  static std::string url(const std::string& path) {
    return fmt::format("http://127.0.0.1:{}{}", services_->metrics_port(), path);
  }
  static std::string http_url(const std::string& name) {
    return fmt::format("http://127.0.0.1:{}/{}", services_->http_port(), name);
  }
  static std::string curl_metrics() {
    auto r = run("curl -sS -f " + url("/metrics"));
    EXPECT_EQ(r.rc, 0) << r.out;
    return r.out;
  }
  // A scrape over a plain socket (HTTP/1.0: the server closes after it): cheaper than a curl
  // process, for waiting.
  static std::string scrape() {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), services_->metrics_port()});
    asio::write(s, asio::buffer(std::string_view("GET /metrics HTTP/1.0\r\n\r\n")));
    std::string got;
    std::array<char, 16384> buf{};
    boost::system::error_code ec;
    while (!ec) got.append(buf.data(), s.read_some(asio::buffer(buf), ec));
    auto body = got.find("\r\n\r\n");
    return body == std::string::npos ? std::string() : got.substr(body + 4);
  }
  // Until no connection or transfer is open: they count before they close, so what was done is
  // all in the next scrape. Bounded: a server that never closes fails the test, not hangs it.
  static void wait_idle() {
    for (int i = 0; i < 5000; ++i) {
      std::string t = scrape();
      bool idle = value(t, "cucm_tftp_transfers_active") == 0.0;
      for (const char* p : {"http", "https", "capf", "tvs"}) {
        idle = idle && value(t, fmt::format("cucm_connections_open{{protocol=\"{}\"}}", p)) == 0.0;
      }
      if (idle) return;
    }
    ADD_FAILURE() << "connections still open:\n" << scrape();
  }
  static double delta(const std::string& before, const std::string& after, const std::string& series) {
    auto a = value(after, series);
    EXPECT_TRUE(a) << series << " missing";
    return a.value_or(0) - value(before, series).value_or(0);
  }

  static inline fs::path dir_;
  static inline Cluster* cluster_ = nullptr;
  static inline Services* services_ = nullptr;
};

TEST_F(ServicesMetrics, DownloadsMoveTheCountersAndHistograms) {
  wait_idle();
  std::string before = curl_metrics();
  auto got = tftp::tftp_get(*services_->tftp_endpoint(), "ITLFile.tlv", {});
  ASSERT_TRUE(got) << got.error().message;
  auto ok = run("curl -sS -f -o /dev/null " + http_url("ITLFile.tlv"));  // built by the TFTP request: a hit
  EXPECT_EQ(ok.rc, 0) << ok.out;
  auto missing = run("curl -s -o /dev/null -w '%{http_code}' " + http_url("no-such-file.bin"));
  EXPECT_EQ(missing.out, "404");
  wait_idle();
  std::string after = curl_metrics();

  EXPECT_EQ(delta(before, after, R"(cucm_requests_total{protocol="tftp",outcome="ok"})"), 1);
  EXPECT_EQ(delta(before, after, R"(cucm_requests_total{protocol="http",outcome="ok"})"), 1);
  EXPECT_EQ(delta(before, after, R"(cucm_requests_total{protocol="http",outcome="not_found"})"), 1);
  EXPECT_EQ(delta(before, after, R"(cucm_requests_total{protocol="https",outcome="ok"})"), 0);
  // TFTP counts DATA bytes: exactly the file.
  EXPECT_EQ(delta(before, after, R"(cucm_sent_bytes_total{protocol="tftp",outcome="ok"})"),
            static_cast<double>(got->data.size()));
  EXPECT_GT(delta(before, after, R"(cucm_sent_bytes_total{protocol="http",outcome="ok"})"),
            static_cast<double>(got->data.size()));  // the file and its head
  EXPECT_GT(delta(before, after, R"(cucm_sent_bytes_total{protocol="http",outcome="error"})"), 0);
  EXPECT_EQ(delta(before, after, R"(cucm_http_request_duration_seconds_count{protocol="http"})"), 2);
  EXPECT_EQ(delta(before, after, R"(cucm_http_request_duration_seconds_bucket{protocol="http",le="+Inf"})"), 2);
  EXPECT_GT(delta(before, after, R"(cucm_http_request_duration_seconds_sum{protocol="http"})"), 0);
  EXPECT_EQ(delta(before, after, "cucm_tftp_transfer_duration_seconds_count"), 1);
  EXPECT_EQ(delta(before, after, "cucm_tftp_transfers_started_total"), 1);
  EXPECT_GE(delta(before, after, "cucm_cache_hits_total"), 1);
  // Every build a worker ran is timed.
  EXPECT_EQ(delta(before, after, R"(cucm_cache_misses_total{result="built"})"),
            delta(before, after, "cucm_catalog_build_duration_seconds_count"));
  EXPECT_EQ(run("curl -s -o /dev/null -w '%{http_code}' " + url("/other")).out, "404");
}

TEST_F(ServicesMetrics, APhoneBootCountsItsCapfAndTvsSessions) {
  auto manufacturer = signer::LabManufacturer::open(dir_);
  ASSERT_TRUE(manufacturer) << manufacturer.error().message;
  phone::BootOptions o;
  o.device = kPhone;
  o.tftp_port = services_->tftp_port();
  o.http_port = services_->http_port();
  o.https_port = services_->https_port();
  o.state_dir = dir_ / "phone";
  o.profile = *phone::firmware_profile("88xx");
  o.manufacturer = &*manufacturer;
  o.ask_tvs = true;
  wait_idle();
  std::string before = curl_metrics();
  auto r = phone::boot(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  ASSERT_TRUE(r->capf_ran);
  wait_idle();
  std::string after = curl_metrics();
  // No operation pending: CAPF records the MIC the phone proves (seed 004).
  EXPECT_EQ(delta(before, after, R"(cucm_capf_sessions_total{operation="none",outcome="ok"})"), 1);
  EXPECT_EQ(delta(before, after, R"(cucm_capf_sessions_total{operation="unknown",outcome="disconnected"})"), 0);
  EXPECT_EQ(delta(before, after, "cucm_capf_session_duration_seconds_count"), 1);
  EXPECT_EQ(delta(before, after, R"(cucm_tvs_sessions_total{outcome="valid"})"), 1);
  EXPECT_EQ(delta(before, after, "cucm_tvs_session_duration_seconds_count"), 1);
  EXPECT_GE(delta(before, after, R"(cucm_requests_total{protocol="http",outcome="ok"})"), 2);  // the ITL, the configs
  EXPECT_EQ(delta(before, after, R"(cucm_tls_handshake_failures_total{protocol="capf"})"), 0);
}

// Read by a parser that is not ours. Skipped only when Debian's python3-prometheus-client is
// missing (scripts/bootstrap.sh installs it).
TEST_F(ServicesMetrics, TheScrapeParsesAsPrometheusText) {
  std::string python;
  for (const char* candidate : {"python3", "/usr/bin/python3"}) {
    if (run(std::string(candidate) + " -c 'import prometheus_client'").rc == 0) {
      python = candidate;
      break;
    }
  }
  if (python.empty()) GTEST_SKIP() << "python3-prometheus-client is not installed (apt-get install python3-prometheus-client)";
  std::string families;
  for (const char* f : {"cucm_build_info", "cucm_requests_total", "cucm_sent_bytes_total", "cucm_http_request_duration_seconds",
                        "cucm_tftp_transfers_started_total", "cucm_tftp_transfers_active", "cucm_tftp_retransmissions_total",
                        "cucm_tftp_transfer_duration_seconds", "cucm_connections_open", "cucm_connections_refused_total",
                        "cucm_tls_handshake_failures_total", "cucm_capf_sessions_total", "cucm_capf_session_duration_seconds",
                        "cucm_tvs_sessions_total", "cucm_tvs_session_duration_seconds", "cucm_cache_hits_total",
                        "cucm_cache_misses_total", "cucm_catalog_build_duration_seconds", "cucm_events_written_total"}) {
    families += std::string(" ") + f;
  }
  auto r = run("curl -sS -f " + url("/metrics") + " | " + python + " " + CUCM_SOURCE_DIR +
               "/tests/cluster/check_prometheus_text.py" + families);
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find(" families, "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cucm::cluster
