// The scrape endpoint on loopback, read by curl: GET /metrics with the format's media type, 404
// and 405 for anything else, HEAD, a render error, a head too large; a client that connects and
// says nothing holds no one up and is closed at its deadline; past the cap, connections are
// closed at once.
#include "metrics/endpoint.hpp"

#include <poll.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <cstdio>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "metrics/text_writer.hpp"
#include "tests/support/shell.hpp"

namespace cucm::metrics {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;

using test::Run;
using test::run;

constexpr const char* kText = "# HELP t_total a test\n# TYPE t_total counter\nt_total 7\n";

// Waits (for at most `limit`, so a broken server fails the test instead of hanging it) until the
// server closes `s`; true when it did.
bool closed_by_server(tcp::socket& s, std::chrono::milliseconds limit) {
  pollfd pfd{s.native_handle(), POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(limit.count())) <= 0) return false;
  std::array<char, 256> buf{};
  boost::system::error_code ec;
  s.read_some(asio::buffer(buf), ec);
  return ec == asio::error::eof || ec == asio::error::connection_reset;
}

class EndpointTest : public ::testing::Test {
 protected:
  void start(EndpointConfig cfg) {
    cfg.address = "127.0.0.1";
    cfg.port = 0;
    endpoint_ = std::make_unique<Endpoint>(cfg, [this]() -> Result<std::string> {
      ++renders_;
      if (fail_) return make_error(Errc::Internal, "metrics: test: render failed");
      return std::string(kText);
    });
    auto st = endpoint_->start();
    ASSERT_TRUE(st) << st.error().message;
  }
  std::string url(const std::string& path) const {
    return fmt::format("http://127.0.0.1:{}{}", endpoint_->local_endpoint().port(), path);
  }
  tcp::socket connect() {
    tcp::socket s(io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), endpoint_->local_endpoint().port()));
    return s;
  }

  asio::io_context io_;
  std::unique_ptr<Endpoint> endpoint_;
  std::atomic<int> renders_{0};
  std::atomic<bool> fail_{false};
};

TEST_F(EndpointTest, ServesMetricsWithTheFormatsMediaType) {
  start({});
  auto r = run("curl -sS -D - " + url("/metrics"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(r.out.find("\r\n\r\n") + 4), kText);
  // A query string is allowed (and ignored).
  r = run("curl -sS -f " + url("/metrics?name[]=x"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out, kText);
  EXPECT_EQ(endpoint_->stats().scrapes.value(), 2u);
}

TEST_F(EndpointTest, OtherPathsAndMethods) {
  start({});
  auto r = run("curl -s -o /dev/null -w '%{http_code}' " + url("/other"));
  EXPECT_EQ(r.out, "404");
  r = run("curl -s -o /dev/null -w '%{http_code}' " + url("/metrics/extra"));
  EXPECT_EQ(r.out, "404");
  r = run("curl -s -D - -o /dev/null -X DELETE " + url("/metrics"));
  EXPECT_NE(r.out.find("405 Method Not Allowed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Allow: GET, HEAD"), std::string::npos) << r.out;
  // HEAD: the length of what GET would send, and no body.
  r = run("curl -sS -I " + url("/metrics"));
  EXPECT_NE(r.out.find(fmt::format("Content-Length: {}\r\n", std::string_view(kText).size())), std::string::npos) << r.out;
  EXPECT_EQ(endpoint_->stats().not_found.value(), 2u);
  EXPECT_EQ(endpoint_->stats().bad.value(), 1u);
}

TEST_F(EndpointTest, RenderErrorIsA500) {
  start({});
  fail_ = true;
  auto r = run("curl -s -o /dev/null -w '%{http_code}' " + url("/metrics"));
  EXPECT_EQ(r.out, "500");
}

TEST_F(EndpointTest, KeepsTheConnectionForTheNextScrape) {
  start({});
  auto r = run("curl -sS -v " + url("/metrics") + " " + url("/metrics"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("Re-using existing connection"), std::string::npos) << r.out;
  EXPECT_EQ(renders_.load(), 2);
}

TEST_F(EndpointTest, HeadTooLargeIsRefused) {
  start({});
  auto s = connect();
  std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(8 * 1024, 'a') + "\r\n\r\n";
  boost::system::error_code ec;
  asio::write(s, asio::buffer(req), ec);
  // The answer is 400, unless the kernel resets the connection first: the server closes with the
  // rest of the head unread, and Linux answers that with RST, which may overtake the 400.
  std::string got;
  std::array<char, 512> buf{};
  while (!ec) got.append(buf.data(), s.read_some(asio::buffer(buf), ec));
  EXPECT_TRUE(got.rfind("HTTP/1.1 400", 0) == 0 || ec == asio::error::connection_reset) << got << ec.message();
  EXPECT_EQ(endpoint_->stats().bad.value(), 1u);
  EXPECT_EQ(renders_.load(), 0);
}

// A client that connects and sends nothing: another client is answered meanwhile, and the silent
// one is closed once its deadline passes.
TEST_F(EndpointTest, SilentClientHoldsNoOneUp) {
  EndpointConfig cfg;
  cfg.io_timeout = std::chrono::milliseconds(300);
  start(cfg);
  auto silent = connect();
  auto r = run("curl -sS -f --max-time 5 " + url("/metrics"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out, kText);
  EXPECT_TRUE(closed_by_server(silent, std::chrono::seconds(10)));
}

TEST_F(EndpointTest, ConnectionsPastTheCapAreClosed) {
  EndpointConfig cfg;
  cfg.max_connections = 2;
  start(cfg);
  auto a = connect();
  auto b = connect();
  auto c = connect();  // accepted after the two above, on the same loop: over the cap
  EXPECT_TRUE(closed_by_server(c, std::chrono::seconds(10)));
  EXPECT_EQ(endpoint_->stats().refused.value(), 1u);
  EXPECT_EQ(endpoint_->stats().open.value(), 2);
}

TEST_F(EndpointTest, PortInUseNamesTheFlag) {
  start({});
  EndpointConfig cfg;
  cfg.address = "127.0.0.1";
  cfg.port = endpoint_->local_endpoint().port();
  Endpoint second(cfg, [] { return Result<std::string>(std::string()); });
  auto st = second.start();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::Unavailable);
  EXPECT_NE(st.error().message.find("--metrics-port"), std::string::npos) << st.error().message;
  Endpoint bad({.address = "not-an-address", .port = 0, .io_timeout = std::chrono::seconds(1), .max_connections = 1},
               [] { return Result<std::string>(std::string()); });
  auto st2 = bad.start();
  ASSERT_FALSE(st2);
  EXPECT_NE(st2.error().message.find("--metrics-address"), std::string::npos) << st2.error().message;
}

}  // namespace
}  // namespace cucm::metrics
