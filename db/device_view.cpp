// The device view's query: one row per line (one row when there are none), the device's columns
// repeated on each.
#include "db/device_view.hpp"

#include <fmt/format.h>

#include "db/rows.hpp"

namespace cucm::db {
namespace {

constexpr int kProfileAt = rows::kDeviceColumnCount;
constexpr int kVpnAt = kProfileAt + rows::kProfileColumnCount;
constexpr int kLineAt = kVpnAt + rows::kVpnColumnCount;

const std::string& view_sql() {
  static const std::string sql = fmt::format(
      "SELECT {}, {}, {}, "
      "l.line_index, l.directory_number, l.display_name, l.auth_name, l.auth_password "
      "FROM device d JOIN security_profile p ON p.id = d.profile_id "
      "LEFT JOIN vpn_group v ON v.name = d.vpn_group "
      "LEFT JOIN line l ON l.device_name = d.name "
      "WHERE d.name = ?1 ORDER BY l.line_index",
      rows::kDeviceColumns, rows::kProfileColumns, rows::kVpnColumns);
  return sql;
}

}  // namespace

Result<DeviceView> view_device(const Database& db, std::string_view name_in) {
  CUCM_TRY(std::string name, normalise_device_name(name_in));
  CUCM_TRY(auto s, db.prepare(view_sql()));
  s.bind(1, std::string_view(name));
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::NotFound, fmt::format("unknown device {} (see 'cucm-emu device list')", name));
  DeviceView v{rows::device(s), rows::profile(s, kProfileAt), std::nullopt};
  if (!s.is_null(kVpnAt)) v.vpn = rows::vpn_group(s, kVpnAt);
  while (row) {
    if (!s.is_null(kLineAt)) {
      v.device.lines.push_back(Line{static_cast<int>(s.int64(kLineAt)), s.text(kLineAt + 1), s.text(kLineAt + 2),
                                    s.text(kLineAt + 3), s.text(kLineAt + 4)});
    }
    CUCM_TRY(row, s.step());
  }
  return v;
}

}  // namespace cucm::db
