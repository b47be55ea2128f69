// CAPF scheduling and settings.
#include "admin/capf_ops.hpp"

#include <ctime>

#include <fmt/format.h>

#include "db/device_store.hpp"
#include "db/settings_store.hpp"

namespace cucm::admin {
namespace {

std::string utc_in_days(int days) {
  std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400;
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace

Result<db::Device> schedule_capf(const db::Database& db, std::string_view name, const CapfRequest& r, const Actor& by) {
  db::CapfState s;
  CUCM_TRY(s.operation, db::normalise_capf_operation(r.operation));
  if (s.operation == "none") return make_error(Errc::InvalidArgument, "use 'cucm-emu capf cancel' to clear an operation");
  if (r.days < 0 || r.days > 3650) return make_error(Errc::InvalidArgument, fmt::format("{} days is out of range: 1..3650 (or give a deadline)", r.days));
  s.auth_string = r.auth_string;
  s.deadline = r.days > 0 ? utc_in_days(r.days) : r.deadline;
  s.status = "Operation Pending";
  db::DeviceStore store(db);
  CUCM_CHECK(store.set_capf(name, s));
  CUCM_TRY(auto d, store.get(name));
  audit(db, by, d.name, fmt::format("CAPF {} scheduled", s.operation));
  return d;
}

Result<db::Device> cancel_capf(const db::Database& db, std::string_view name, const Actor& by) {
  db::DeviceStore store(db);
  CUCM_CHECK(store.set_capf(name, db::CapfState{}));
  CUCM_TRY(auto d, store.get(name));
  audit(db, by, d.name, "CAPF operation cancelled");
  return d;
}

Result<std::vector<db::Device>> capf_operations(const db::Database& db) {
  CUCM_TRY(auto all, db::DeviceStore(db).list());
  std::vector<db::Device> out;
  for (auto& d : all) {
    if (d.capf.operation != "none" || !d.capf.status.empty()) out.push_back(std::move(d));
  }
  return out;
}

Status set_setting(const db::Database& db, const std::string& key, const std::string& value, const Actor& by) {
  CUCM_CHECK(db::SettingsStore(db).set(key, value));
  audit(db, by, "", fmt::format("cluster setting {} = {}", key, value));
  return Ok{};
}

}  // namespace cucm::admin
