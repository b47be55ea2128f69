// Printing SIP registrations.
#include "app/sip_registrations.hpp"

#include <fmt/format.h>

#include "app/table.hpp"
#include "signer/cert.hpp"

namespace cucm::app {

nlohmann::json registrations_json(const std::vector<db::SipRegistration>& regs, std::time_t now) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : regs) {
    out.push_back({{"device", r.device}, {"line", r.line_index}, {"directory_number", r.directory_number},
                   {"contact", r.contact}, {"transport", r.transport}, {"source", r.source},
                   {"certificate", r.cert_type}, {"user_agent", r.user_agent},
                   {"registered", signer::format_utc(r.registered_unix)}, {"expires", signer::format_utc(r.expires_unix)},
                   {"expires_in_seconds", r.expires_unix - now}});
  }
  return out;
}

std::string registrations_table(const std::vector<db::SipRegistration>& regs, std::time_t now) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : regs) {
    rows.push_back({r.device, std::to_string(r.line_index), r.directory_number, r.contact, r.transport,
                    r.cert_type.empty() ? "-" : r.cert_type, fmt::format("{} s", r.expires_unix - now)});
  }
  return format_table({"device", "line", "number", "contact", "transport", "certificate", "expires in"}, rows);
}

}  // namespace cucm::app
