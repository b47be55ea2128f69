// A bind probe and the rights to low ports, with plain sockets: nothing here runs on a loop.
#include "core/port_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/file_io.hpp"

namespace cucm::core {
namespace {

BindOutcome outcome_of(int err) {
  switch (err) {
    case EADDRINUSE: return BindOutcome::InUse;
    case EACCES: return BindOutcome::NotPermitted;
    case EADDRNOTAVAIL: return BindOutcome::AddressNotHere;
    default: return BindOutcome::Failed;
  }
}

BindProbe failure(int err) { return BindProbe{outcome_of(err), std::strerror(err)}; }

// Binds an already filled address of `len` bytes: the socket closes when `fd` goes.
BindProbe bind_to(Transport t, int family, const sockaddr_storage& addr, socklen_t len) {
  FileHandle fd(::socket(family, (t == Transport::Tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0));
  if (!fd) return failure(errno);
  int on = 1, off = 0;
  if (t == Transport::Tcp && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) return failure(errno);
  if (family == AF_INET6 && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0) {
    return failure(errno);
  }
  // sockaddr_storage is the one type the socket calls take for both families.
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0) return failure(errno);  // NOLINT
  return BindProbe{BindOutcome::Free, ""};
}

}  // namespace

BindProbe probe_bind(Transport t, const std::string& address, std::uint16_t port) {
  sockaddr_storage storage{};
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (::inet_pton(AF_INET, address.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&storage, &v4, sizeof v4);
    return bind_to(t, AF_INET, storage, sizeof v4);
  }
  if (::inet_pton(AF_INET6, address.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&storage, &v6, sizeof v6);
    return bind_to(t, AF_INET6, storage, sizeof v6);
  }
  return BindProbe{BindOutcome::BadAddress, "not an IPv4 or IPv6 address"};
}

std::optional<std::uint64_t> parse_cap_eff(std::string_view status) {
  constexpr std::string_view kKey = "CapEff:";
  for (std::size_t at = 0; at < status.size();) {
    auto nl = status.find('\n', at);
    std::string_view line = status.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? status.size() : nl + 1;
    if (!line.starts_with(kKey)) continue;
    line.remove_prefix(kKey.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    std::uint64_t caps = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), caps, 16);
    if (line.empty() || ec != std::errc{} || end != line.data() + line.size()) return std::nullopt;
    return caps;
  }
  return std::nullopt;
}

Result<LowPortRights> low_port_rights(const std::filesystem::path& proc) {
  CUCM_TRY(std::string status, read_proc_file(proc / "self/status"));
  LowPortRights r;
  auto caps = parse_cap_eff(status);
  r.cap_net_bind_service = caps && ((*caps >> kCapNetBindService) & 1U) != 0;
  if (auto start = read_proc_file(proc / "sys/net/ipv4/ip_unprivileged_port_start")) {
    unsigned v = 0;
    std::string_view text = *start;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
    if (!text.empty() && ec == std::errc{} && end == text.data() + text.size()) r.unprivileged_port_start = v;
  }
  return r;
}

bool may_bind(const LowPortRights& rights, std::uint16_t port) {
  unsigned start = rights.unprivileged_port_start.value_or(1024);
  return port == 0 || port >= start || rights.cap_net_bind_service;  // 0: the kernel picks a free one
}

}  // namespace cucm::core
