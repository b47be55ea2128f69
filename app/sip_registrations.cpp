// Printing SIP registrations.
#include "app/sip_registrations.hpp"

#include <fmt/format.h>

#include "app/table.hpp"

namespace cucm::app {

std::string registrations_table(const std::vector<db::SipRegistration>& regs, std::time_t now) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : regs) {
    rows.push_back({r.device, std::to_string(r.line_index), r.directory_number, r.contact, r.transport,
                    r.cert_type.empty() ? "-" : r.cert_type, fmt::format("{} s", r.expires_unix - now)});
  }
  return format_table({"device", "line", "number", "contact", "transport", "certificate", "expires in"}, rows);
}

}  // namespace cucm::app
