// Host and port parsing for the command line and for URLs.
#include "core/host_port.hpp"

#include <charconv>

#include <fmt/format.h>

namespace cucm::core {

Result<HostPort> parse_host_port(std::string_view text, std::uint16_t default_port) {
  auto bad = [&](std::string_view why) {
    return make_error(Errc::InvalidArgument, fmt::format("'{}' is not HOST:PORT: {}", text, why));
  };
  HostPort hp;
  std::string_view port;
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return bad("no ']' after the IPv6 address");
    hp.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return bad("text after ']'");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      return bad("an IPv6 address with a port goes in brackets, [::1]:443");
    }
    hp.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  if (hp.host.empty()) return bad("no host");
  if (port.empty() && text.ends_with(':')) return bad("no port after ':'");
  if (port.empty()) {
    if (default_port == 0) return bad("no port");
    hp.port = default_port;
    return hp;
  }
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (ec != std::errc{} || p != port.data() + port.size() || v < 1 || v > 65535) {
    return bad(fmt::format("port '{}' vs 1..65535", port));
  }
  hp.port = static_cast<std::uint16_t>(v);
  return hp;
}

Result<HostPort> url_host_port(std::string_view url, std::uint16_t default_port) {
  std::string_view rest = url;
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos) rest = rest.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);  // user:password@
  auto hp = parse_host_port(rest, default_port);
  if (!hp) return make_error(Errc::InvalidArgument, fmt::format("URL '{}': {}", url, hp.error().message));
  return hp;
}

std::string to_string(const HostPort& hp) {
  return hp.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", hp.host, hp.port)
                                                : fmt::format("{}:{}", hp.host, hp.port);
}

}  // namespace cucm::core
