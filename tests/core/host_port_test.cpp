// HOST:PORT and URL authorities, as the VPN headend check takes them.
#include "core/host_port.hpp"

#include <gtest/gtest.h>

namespace cucm::core {
namespace {

TEST(HostPort, ParsesWhatALabEngineerTypes) {
  struct Case {
    const char* text;
    std::uint16_t default_port;
    const char* host;
    std::uint16_t port;
  };
  for (const Case& c : std::initializer_list<Case>{{"127.0.0.1:4433", 0, "127.0.0.1", 4433},
                                                   {"vpn.lab", 443, "vpn.lab", 443},
                                                   {"vpn.lab:8443", 443, "vpn.lab", 8443},
                                                   {"[::1]:443", 0, "::1", 443},
                                                   {"[fe80::1]", 443, "fe80::1", 443}}) {
    auto hp = parse_host_port(c.text, c.default_port);
    ASSERT_TRUE(hp) << c.text << ": " << hp.error().message;
    EXPECT_EQ(hp->host, c.host) << c.text;
    EXPECT_EQ(hp->port, c.port) << c.text;
  }
  EXPECT_EQ(to_string(HostPort{"::1", 443}), "[::1]:443");
  EXPECT_EQ(to_string(HostPort{"127.0.0.1", 4433}), "127.0.0.1:4433");
}

TEST(HostPort, RefusesWithOneLineSayingWhy) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"vpn.lab", "'vpn.lab' is not HOST:PORT: no port"},
           {"vpn.lab:", "'vpn.lab:' is not HOST:PORT: no port after ':'"},
           {":443", "':443' is not HOST:PORT: no host"},
           {"vpn.lab:70000", "'vpn.lab:70000' is not HOST:PORT: port '70000' vs 1..65535"},
           {"vpn.lab:0", "'vpn.lab:0' is not HOST:PORT: port '0' vs 1..65535"},
           {"vpn.lab:https", "'vpn.lab:https' is not HOST:PORT: port 'https' vs 1..65535"},
           {"::1:443", "'::1:443' is not HOST:PORT: an IPv6 address with a port goes in brackets, [::1]:443"},
           {"[::1", "'[::1' is not HOST:PORT: no ']' after the IPv6 address"},
       }) {
    auto hp = parse_host_port(c.text);
    ASSERT_FALSE(hp) << c.text;
    EXPECT_EQ(hp.error().code, Errc::InvalidArgument);
    EXPECT_EQ(hp.error().message, c.message);
  }
}

TEST(HostPort, TheAuthorityOfAUrl) {
  struct Case {
    const char* url;
    const char* host;
    std::uint16_t port;
  };
  for (const Case& c : std::initializer_list<Case>{{"https://10.201.160.201/SSLVPNphone", "10.201.160.201", 443},
                                                   {"https://127.0.0.1:4433/SSLVPNphone", "127.0.0.1", 4433},
                                                   {"https://vpn.lab", "vpn.lab", 443},
                                                   {"https://user:pw@vpn.lab:8443/svc?x=1", "vpn.lab", 8443},
                                                   {"https://[::1]:4433/svc", "::1", 4433},
                                                   {"vpn.lab/svc", "vpn.lab", 443}}) {
    auto hp = url_host_port(c.url, 443);
    ASSERT_TRUE(hp) << c.url << ": " << hp.error().message;
    EXPECT_EQ(hp->host, c.host) << c.url;
    EXPECT_EQ(hp->port, c.port) << c.url;
  }
  auto bad = url_host_port("https:///svc", 443);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "URL 'https:///svc': '' is not HOST:PORT: no host");
}

}  // namespace
}  // namespace cucm::core
