// The ports serve would listen on: free, held by serve itself, or held by something to stop; and
// the right to bind those below 1024.
#include <unistd.h>

#include <fmt/format.h>

#include "cluster/doctor_checks.hpp"
#include "core/port_owner.hpp"
#include "core/port_probe.hpp"

namespace cucm::cluster::doctor {
namespace {

std::string endpoint(const Listener& l) {
  bool v6 = l.address.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}/{}", v6 ? "[" : "", l.address, v6 ? "]" : "", l.port, core::transport_name(l.transport));
}

bool is_wildcard(const std::string& a) { return a == "0.0.0.0" || a == "::"; }

// A socket on the port conflicts when the addresses overlap; others are listed only when none does.
bool overlaps(const Listener& l, const core::PortHolder& h) {
  return is_wildcard(l.address) || is_wildcard(h.socket.local_address) || l.address == h.socket.local_address ||
         h.socket.local_address == "::ffff:" + l.address;
}

std::string change_port(const Listener& l) {
  return fmt::format("serve with {} set to another port (what connects to it must then use it too), or {}",
                     l.port_flag, l.off_flag.empty() ? "without " + l.port_flag : "with " + l.off_flag);
}

std::string ss_command(const Listener& l) {
  return fmt::format("sudo ss -{}lnp 'sport = :{}'", l.transport == core::Transport::Tcp ? "t" : "u", l.port);
}

// Who holds a port that would not bind. `held_by_serve` is set when it is serve itself.
Finding holder_finding(const DoctorInput& in, const Listener& l, core::BindOutcome outcome, bool& held_by_serve) {
  const std::string check = "port " + l.service;
  auto holders = core::find_port_holders(l.transport, l.port, in.proc);
  if (!holders) {
    return {check, Verdict::Problem, fmt::format("{} is in use, and {}", endpoint(l), holders.error().message),
            fmt::format("{} names the holder; stop it, or {}", ss_command(l), change_port(l))};
  }
  const core::PortHolder* h = nullptr;
  for (const auto& c : *holders) {
    if (overlaps(l, c) && (!h || (!h->pid && c.pid))) h = &c;  // prefer one whose process is known
  }
  if (!h && !holders->empty()) h = &holders->front();
  if (!h && outcome == core::BindOutcome::NotPermitted) {
    return {check, Verdict::Ok, fmt::format("{}: nothing holds it (binding it needs the right checked under \"low "
                                            "ports\")", endpoint(l)), ""};
  }
  if (!h) {
    return {check, Verdict::Problem,
            fmt::format("{} is in use, but no socket on that port shows in /proc/net (another network namespace?)",
                        endpoint(l)),
            fmt::format("{} may name the holder; or {}", ss_command(l), change_port(l))};
  }
  std::string at = fmt::format("{}:{}", h->socket.local_address, h->socket.local_port);
  if (h->pid && h->program == in.program) {
    held_by_serve = true;
    return {check, Verdict::Ok, fmt::format("{} is held by {} pid {} ({}): serve is running", endpoint(l), h->program,
                                            *h->pid, at), ""};
  }
  if (h->pid) {
    return {check, Verdict::Problem, fmt::format("{} is held by {} pid {} (bound to {})", endpoint(l), h->program, *h->pid, at),
            fmt::format("stop {} (a packaged server: systemctl stop and disable its unit), or {}", h->program,
                        change_port(l))};
  }
  return {check, Verdict::Problem,
          fmt::format("{} is held by a process of {} that this user cannot see (bound to {})", endpoint(l),
                      describe_uid(h->socket.uid), at),
          fmt::format("run doctor as root, or {}, to name it; then stop it, or {}", ss_command(l), change_port(l))};
}

Finding check_port(const DoctorInput& in, const Listener& l, bool& held_by_serve) {
  const std::string check = "port " + l.service;
  if (l.port == 0) return {check, Verdict::Ok, "port 0: the system picks a free one", ""};
  auto probe = core::probe_bind(l.transport, l.address, l.port);
  std::string other_address = fmt::format("give {} an address of this host, or 0.0.0.0 (every IPv4 address) or :: "
                                          "(IPv6 and IPv4)", l.address_flag);
  switch (probe.outcome) {
    case core::BindOutcome::Free:
      return {check, Verdict::Ok, fmt::format("{} is free", endpoint(l)), ""};
    case core::BindOutcome::BadAddress:
      return {check, Verdict::Problem, fmt::format("{} '{}' is not an IP address", l.address_flag, l.address), other_address};
    case core::BindOutcome::AddressNotHere:
      return {check, Verdict::Problem, fmt::format("{}: {} is not an address of this host ({})", endpoint(l),
                                                   l.address, probe.message), other_address};
    case core::BindOutcome::InUse:
    case core::BindOutcome::NotPermitted:
      return holder_finding(in, l, probe.outcome, held_by_serve);
    case core::BindOutcome::Failed:
      break;
  }
  return {check, Verdict::Problem, fmt::format("cannot bind {}: {}", endpoint(l), probe.message), change_port(l)};
}

void check_low_ports(const DoctorInput& in, const std::vector<const Listener*>& low, std::vector<Finding>& out) {
  const std::string check = "low ports";
  if (low.empty()) {
    out.push_back({check, Verdict::Ok, "no port below 1024 to bind", ""});
    return;
  }
  auto rights = core::low_port_rights(in.proc);
  if (!rights) {
    out.push_back({check, Verdict::Warning, fmt::format("cannot tell: {}", rights.error().message), ""});
    return;
  }
  std::string blocked, allowed, first_flag;
  for (const Listener* l : low) {
    std::string name = endpoint(*l) + " (" + l->service + ")";
    std::string& list = core::may_bind(*rights, l->port) ? allowed : blocked;
    list += (list.empty() ? "" : ", ") + name;
    if (!core::may_bind(*rights, l->port) && first_flag.empty()) first_flag = l->port_flag;
  }
  std::string start = rights->unprivileged_port_start
                          ? fmt::format("net.ipv4.ip_unprivileged_port_start = {}", *rights->unprivileged_port_start)
                          : "no net.ipv4.ip_unprivileged_port_start";
  if (blocked.empty()) {
    out.push_back({check, Verdict::Ok,
                   fmt::format("{} allowed ({})", allowed,
                               rights->cap_net_bind_service ? "CAP_NET_BIND_SERVICE in the effective set" : start),
                   ""});
    return;
  }
  out.push_back({check, Verdict::Problem,
                 fmt::format("{} cannot bind {}: below 1024, without CAP_NET_BIND_SERVICE ({})",
                             describe_uid(static_cast<unsigned>(::geteuid())), blocked, start),
                 fmt::format("sudo setcap cap_net_bind_service=+ep $(command -v cucm-emu); under systemd, "
                             "AmbientCapabilities=CAP_NET_BIND_SERVICE in the unit; or serve with {} 1024 or above "
                             "(the phones must then use it)", first_flag)});
}

}  // namespace

void check_ports(const DoctorInput& in, std::vector<Finding>& out) {
  for (std::size_t i = 0; i < in.listeners.size(); ++i) {
    for (std::size_t j = i + 1; j < in.listeners.size(); ++j) {
      const Listener &a = in.listeners[i], &b = in.listeners[j];
      if (a.port == 0 || a.port != b.port || a.transport != b.transport) continue;
      out.push_back({"port " + b.service, Verdict::Problem,
                     fmt::format("{} and {} both ask for port {}/{}", a.service, b.service, b.port,
                                 core::transport_name(b.transport)),
                     fmt::format("give {} another port", b.port_flag)});
    }
  }
  std::vector<const Listener*> low;
  for (const auto& l : in.listeners) {
    bool held_by_serve = false;
    out.push_back(check_port(in, l, held_by_serve));
    if (l.port != 0 && l.port < 1024 && !held_by_serve) low.push_back(&l);
  }
  check_low_ports(in, low, out);
}

}  // namespace cucm::cluster::doctor
