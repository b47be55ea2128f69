// VPN group rows.
#include "db/vpn_store.hpp"

#include <fmt/format.h>

#include "core/encoding.hpp"

namespace cucm::db {

Status VpnStore::put(const VpnGroup& g) {
  if (g.name.empty() || g.url.empty()) return make_error(Errc::InvalidArgument, "vpn group needs a name and a URL");
  CUCM_CHECK(validate_text("vpn group name", g.name, 64));
  CUCM_CHECK(validate_text("vpn URL", g.url, 255));
  if (!g.cert_hash1.empty() && !from_base64(g.cert_hash1)) {
    return make_error(Errc::InvalidArgument, fmt::format("certHash1 '{}' is not base64", g.cert_hash1));
  }
  CUCM_TRY(auto s, db_.prepare("INSERT INTO vpn_group (name, url, cert_hash1) VALUES (?1, ?2, ?3) "
                               "ON CONFLICT (name) DO UPDATE SET url = excluded.url, cert_hash1 = excluded.cert_hash1"));
  s.bind(1, std::string_view(g.name)).bind(2, std::string_view(g.url)).bind(3, std::string_view(g.cert_hash1));
  return s.run();
}

Result<VpnGroup> VpnStore::get(std::string_view name) const {
  CUCM_TRY(auto s, db_.prepare("SELECT name, url, cert_hash1 FROM vpn_group WHERE name = ?1"));
  s.bind(1, name);
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::NotFound, fmt::format("unknown vpn group '{}'", name));
  return VpnGroup{s.text(0), s.text(1), s.text(2)};
}

Result<std::vector<VpnGroup>> VpnStore::list() const {
  CUCM_TRY(auto s, db_.prepare("SELECT name, url, cert_hash1 FROM vpn_group ORDER BY name"));
  std::vector<VpnGroup> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back(VpnGroup{s.text(0), s.text(1), s.text(2)});
  }
}

Status VpnStore::remove(std::string_view name) {
  CUCM_TRY(auto used, db_.prepare("SELECT count(*) FROM device WHERE vpn_group = ?1"));
  used.bind(1, name);
  CUCM_TRY(bool row, used.step());
  if (row && used.int64(0) > 0) {
    return make_error(Errc::PermissionDenied, fmt::format("vpn group '{}' is used by {} device(s)", name, used.int64(0)));
  }
  CUCM_TRY(auto s, db_.prepare("DELETE FROM vpn_group WHERE name = ?1"));
  s.bind(1, name);
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) return make_error(Errc::NotFound, fmt::format("unknown vpn group '{}'", name));
  return Ok{};
}

}  // namespace cucm::db
