// CAPF operations per phone (the phone page's "Certification Authority Proxy Function (CAPF)
// Information"), and cluster settings: the paths the CLI's `capf` and `cluster set` and the admin
// site share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "admin/audit.hpp"
#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::admin {

struct CapfRequest {
  std::string operation;    // install (upgrade), delete, troubleshoot, or CUCM's words for them
  std::string auth_string;  // 4..10 digits, for "By Authentication String" profiles
  std::string deadline;     // 'YYYY-MM-DD HH:MM:SS' UTC, or empty
  int days = 0;             // completes within this many days (instead of deadline), 0: not given
};

// Sets the operation "Operation Pending". InvalidArgument for "none" (use cancel), a bad auth
// string or deadline; NotFound for an unknown device. Returns the device as it now is.
Result<db::Device> schedule_capf(const db::Database& db, std::string_view name, const CapfRequest& r, const Actor& by);
// Back to "No Pending Operation".
Result<db::Device> cancel_capf(const db::Database& db, std::string_view name, const Actor& by);
// The devices with an operation pending or a status to show, by name.
Result<std::vector<db::Device>> capf_operations(const db::Database& db);

// One cluster setting (cucm-emu cluster set): the store's checks and messages.
Status set_setting(const db::Database& db, const std::string& key, const std::string& value, const Actor& by);

}  // namespace cucm::admin
