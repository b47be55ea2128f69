// Adding, changing, deleting, importing and exporting phones: the one path that the CLI's
// `device` commands and the admin site's /api/v1/devices share, so both validate alike, answer
// with the same messages and write the same rows and audit events.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/audit.hpp"
#include "db/device_store.hpp"
#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::admin {

// The profile a device gets when none is named, as CUCM's Universal Device Template.
inline constexpr const char* kUniversalProfile = "Universal Device Template - Model-independent Security Profile";

// The fields of a device that an administrator sets; a field left empty is not changed (on add:
// takes its default).
struct DeviceChanges {
  std::optional<std::string> description, product, protocol, profile, load_information, vpn_group;
  std::optional<std::vector<db::Line>> lines;  // replaces every line, in button order
};

// "DN[,display[,auth name[,password]]]" per line, in button order (the CLI's --line).
Result<std::vector<db::Line>> parse_line_specs(const std::vector<std::string>& specs);

// InvalidArgument (validation, naming the field), AlreadyExists, NotFound (an unknown profile);
// nothing written on an error.
Result<db::Device> add_device(const db::Database& db, std::string_view name, const DeviceChanges& c, const Actor& by);
Result<db::Device> change_device(const db::Database& db, std::string_view name, const DeviceChanges& c,
                                 const Actor& by);
// The normalised name of the device deleted.
Result<std::string> delete_device(const db::Database& db, std::string_view name, const Actor& by);

// A CSV import: all rows or none. On InvalidArgument, `errors` has every bad row (1-based data
// row numbers) and nothing was written. `from` names the source in the audit event.
Result<std::size_t> import_devices_csv(const db::Database& db, std::string_view csv, const std::string& from,
                                       const Actor& by, std::vector<db::RowError>& errors,
                                       const std::function<void(std::size_t)>& progress = {});
Result<std::string> export_devices_csv(const db::Database& db);

}  // namespace cucm::admin
