// A TCP service whose port is taken does not start, and says what to change: the address and
// port, the system's reason, the port flag and the flag that turns the service off
// (core::listen_error), in the same words for HTTP, HTTPS, CAPF and TVS.
#include <filesystem>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cluster/services.hpp"

namespace cucm::cluster {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;

TEST(ListenErrors, ATakenPortNamesThePortAndTheOffFlagForEveryTcpService) {
  const fs::path dir = fs::temp_directory_path() / "listen-errors";
  Config cfg;
  cfg.events = false;
  auto cl = Cluster::open(dir, cfg);
  ASSERT_TRUE(cl) << cl.error().message;

  asio::io_context io;
  asio::ip::tcp::acceptor taken(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t port = taken.local_endpoint().port();

  struct Case {
    std::string family;
    std::function<void(ServicesConfig&)> keep_only;
  };
  const Case cases[] = {
      {"http", [&](ServicesConfig& s) { s.http->port = port; s.https.reset(); s.capf.reset(); s.tvs.reset(); }},
      {"https", [&](ServicesConfig& s) { s.https->port = port; s.http.reset(); s.capf.reset(); s.tvs.reset(); }},
      {"capf", [&](ServicesConfig& s) { s.capf->port = port; s.http.reset(); s.https.reset(); s.tvs.reset(); }},
      {"tvs", [&](ServicesConfig& s) { s.tvs->port = port; s.http.reset(); s.https.reset(); s.capf.reset(); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.family);
    auto sc = loopback_services();
    sc.tftp.reset();
    sc.sip.reset();
    c.keep_only(sc);
    Services services(**cl, sc);
    auto started = services.start();
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().code, Errc::Unavailable);
    EXPECT_EQ(started.error().message,
              fmt::format("{0}: cannot listen on TCP 127.0.0.1:{1}: Address already in use (the port is in use; "
                          "choose another with --{0}-port, or --no-{0})",
                          c.family, port));
  }
}

}  // namespace
}  // namespace cucm::cluster
