// The column lists of a device, of a security profile and of a VPN group, and the functions that read a row of
// them: shared by the stores and the device view, so that a query and its reader never disagree
// on an index.
#pragma once

#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::db::rows {

// A device's columns over `device d JOIN security_profile p ON p.id = d.profile_id` (the profile's
// name included), first in the select list; lines are not among them.
extern const char* const kDeviceColumns;
inline constexpr int kDeviceColumnCount = 21;
Device device(const Statement& s);

// A profile's columns over `security_profile p`, starting at column `first` of the select list.
extern const char* const kProfileColumns;
inline constexpr int kProfileColumnCount = 13;
SecurityProfile profile(const Statement& s, int first = 0);

// A VPN group's columns over `vpn_group v`, starting at column `first`: name, url, hash_alg, then
// cert_hash1 ... cert_hash10, of which the reader keeps those that are not empty, in order.
extern const char* const kVpnColumns;
inline constexpr int kVpnColumnCount = 13;
VpnGroup vpn_group(const Statement& s, int first = 0);

}  // namespace cucm::db::rows
