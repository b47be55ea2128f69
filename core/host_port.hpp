// "HOST:PORT" as a lab engineer types it, and the host and port of an https:// URL: for the
// clients that connect where a flag or a config says (the VPN headend check).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cucm::core {

struct HostPort {
  std::string host;  // a name or an address literal, IPv6 without brackets
  std::uint16_t port = 0;
};

// "host:port", "[v6]:port", or a host alone when `default_port` is not 0. InvalidArgument naming
// `text` for an empty host, a port that is not 1..65535, or a bare IPv6 literal with a port.
Result<HostPort> parse_host_port(std::string_view text, std::uint16_t default_port = 0);
// The authority of "scheme://host[:port]/path" (or of "host[:port]/path"): `default_port` when the
// URL names none (443 for a VPN headend). InvalidArgument as parse_host_port.
Result<HostPort> url_host_port(std::string_view url, std::uint16_t default_port);
// "host:port", "[v6]:port".
std::string to_string(const HostPort& hp);

}  // namespace cucm::core
