// What serving one device reads: the device with its lines, its security profile and its VPN
// group, in one query.
#pragma once

#include <optional>
#include <string_view>

#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

struct DeviceView {
  Device device;  // with its lines
  SecurityProfile profile;
  // The VPN group the device names; nullopt when it names none, or one that is not there (only
  // possible with foreign keys off, as in the sqlite3 shell).
  std::optional<VpnGroup> vpn;
};

// One statement where DeviceStore::get, ProfileStore::get and VpnStore::get took four: a config
// build, CAPF's look-up and a decision each read a device once. The records are those the stores
// return. NotFound for an unknown device; other errors are SQLite's.
Result<DeviceView> view_device(const Database& db, std::string_view name);

}  // namespace cucm::db
