// Armed faults (issue 18's scenarios): arming and clearing them, as `scenario set|clear` and the
// admin site's /api/v1/faults do, and their JSON.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "admin/audit.hpp"
#include "db/sqlite.hpp"
#include "fault/catalog.hpp"
#include "fault/store.hpp"

namespace cucm::admin {

// "3 times, until 2026-12-05 23:00:00 UTC at the latest", "until cleared", ...
std::string how_long(const fault::ArmedFault& a);
// What a correct phone does once it is armed.
std::string expected_reaction(const fault::FaultSpec& f);

// The store's checks and messages; the audit event says for whom and how long.
Result<fault::ArmedFault> arm_fault(const db::Database& db, const fault::ArmRequest& r, const Actor& by);
// How many were removed. `name` or `device` empty: any.
Result<int> clear_faults(const db::Database& db, const std::string& name, const std::string& device, const Actor& by);

nlohmann::json fault_spec_json(const fault::FaultSpec& f);
nlohmann::json armed_fault_json(const fault::ArmedFault& a, fault::SystemTime now);

}  // namespace cucm::admin
