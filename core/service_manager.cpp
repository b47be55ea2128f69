// sd_notify from libsystemd: it finds $NOTIFY_SOCKET, speaks the datagram protocol (abstract and
// path sockets) and is a no-op without one.
#include "core/service_manager.hpp"

#include <time.h>

#include <string>

#include <systemd/sd-daemon.h>
#include <fmt/format.h>

namespace cucm::core {
namespace {

// A STATUS= value is one line: a newline would start another assignment.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

void send(const std::string& message) {
  // The result is not checked: a service manager that cannot be told must not stop the service.
  (void)sd_notify(0, message.c_str());
}

}  // namespace

void notify_ready(std::string_view status) { send(fmt::format("READY=1\nSTATUS={}", one_line(status))); }

void notify_reloading(std::string_view status) {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1'000'000ULL + static_cast<unsigned long long>(ts.tv_nsec) / 1000;
  send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS={}", usec, one_line(status)));
}

void notify_stopping() { send("STOPPING=1\nSTATUS=stopping"); }

void notify_status(std::string_view status) { send(fmt::format("STATUS={}", one_line(status))); }

}  // namespace cucm::core
