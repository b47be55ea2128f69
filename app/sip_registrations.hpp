// SIP registrations as `sip registrations` and `device show` print them.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/sip_store.hpp"

namespace cucm::app {

nlohmann::json registrations_json(const std::vector<db::SipRegistration>& regs, std::time_t now);
// A table: device, line, number, contact, transport, certificate, expires in.
std::string registrations_table(const std::vector<db::SipRegistration>& regs, std::time_t now);

}  // namespace cucm::app
