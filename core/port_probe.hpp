// Could a server listen here now? A bind tried and undone at once, and the rights a port below
// 1024 needs: for `cucm-emu doctor`, which checks before `serve` fails.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/port_owner.hpp"

namespace cucm::core {

enum class BindOutcome {
  Free,            // bound and closed again
  InUse,           // EADDRINUSE: another socket holds it
  NotPermitted,    // EACCES: a port below 1024 without the right
  AddressNotHere,  // EADDRNOTAVAIL: no interface of this host has the address
  BadAddress,      // not an IPv4 or IPv6 literal
  Failed,          // anything else (the message says what)
};

struct BindProbe {
  BindOutcome outcome = BindOutcome::Failed;
  std::string message;  // the system's words for a failure, "" when free
};

// Binds `address`:`port` as the servers do (TCP with SO_REUSEADDR, so a TIME_WAIT left by a
// stopped server does not count; UDP without it; IPv6 sockets also taking IPv4) and closes it.
// Nothing listens meanwhile: a bound TCP socket that never listened takes no connection.
BindProbe probe_bind(Transport t, const std::string& address, std::uint16_t port);

// What lets this process bind a port below 1024.
struct LowPortRights {
  bool cap_net_bind_service = false;  // in the effective set (root has it unless it was dropped)
  // net.ipv4.ip_unprivileged_port_start: ports from it up need no right (1024 by default; 0 in
  // some containers). nullopt when the kernel has no such setting.
  std::optional<unsigned> unprivileged_port_start;
};

// The effective capability set from the text of /proc/<pid>/status ("CapEff:\t00000000a80425fb").
std::optional<std::uint64_t> parse_cap_eff(std::string_view status);
inline constexpr int kCapNetBindService = 10;  // linux/capability.h

// This process's rights, from `proc`. Unavailable when /proc/self/status cannot be read.
Result<LowPortRights> low_port_rights(const std::filesystem::path& proc = "/proc");
// Whether `rights` allow binding `port`.
bool may_bind(const LowPortRights& rights, std::uint16_t port);

}  // namespace cucm::core
