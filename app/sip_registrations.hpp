// SIP registrations as `sip registrations` and `device show` print them (their JSON is
// admin/views.hpp).
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "db/sip_store.hpp"

namespace cucm::app {

// A table: device, line, number, contact, transport, certificate, expires in.
std::string registrations_table(const std::vector<db::SipRegistration>& regs, std::time_t now);

}  // namespace cucm::app
