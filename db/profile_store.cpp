// Profile rows.
#include "db/profile_store.hpp"

#include <fmt/format.h>

#include "db/rows.hpp"

namespace cucm::db {
namespace {

void bind_fields(Statement& s, const SecurityProfile& p) {
  s.bind(1, std::string_view(p.name))
      .bind(2, std::string_view(p.description))
      .bind(3, std::string_view(p.product))
      .bind(4, std::string_view(p.protocol))
      .bind(5, std::int64_t{p.security_mode})
      .bind(6, std::int64_t{p.tftp_encrypted})
      .bind(7, std::string_view(p.capf_auth_mode))
      .bind(8, std::string_view(p.key_order))
      .bind(9, std::int64_t{p.rsa_key_size})
      .bind(10, std::int64_t{p.ec_key_size})
      .bind(11, std::int64_t{p.sip_phone_port});
}

}  // namespace

Result<SecurityProfile> ProfileStore::add(SecurityProfile p) {
  CUCM_CHECK(validate_profile(p));
  if (get(p.name)) return make_error(Errc::AlreadyExists, fmt::format("profile '{}' already exists", p.name));
  CUCM_TRY(auto s, db_.prepare("INSERT INTO security_profile (name, description, product, protocol, security_mode, "
                               "tftp_encrypted, capf_auth_mode, key_order, rsa_key_size, ec_key_size, sip_phone_port, "
                               "builtin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0)"));
  bind_fields(s, p);
  CUCM_CHECK(s.run());
  return get(p.name);
}

Result<SecurityProfile> ProfileStore::get(std::string_view name) const {
  static const std::string sql =
      fmt::format("SELECT {} FROM security_profile p WHERE p.name = ?1", rows::kProfileColumns);
  CUCM_TRY(auto s, db_.prepare(sql));
  s.bind(1, name);
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::NotFound, fmt::format("unknown phone security profile '{}' (see 'cucm-emu profile list')", name));
  return rows::profile(s);
}

Result<std::vector<SecurityProfile>> ProfileStore::list() const {
  static const std::string sql = fmt::format("SELECT {} FROM security_profile p ORDER BY p.name", rows::kProfileColumns);
  CUCM_TRY(auto s, db_.prepare(sql));
  std::vector<SecurityProfile> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back(rows::profile(s));
  }
}

Status ProfileStore::update(const SecurityProfile& p) {
  CUCM_CHECK(validate_profile(p));
  CUCM_TRY(auto old, get(p.name));
  if (old.builtin) {
    return make_error(Errc::PermissionDenied,
                      fmt::format("profile '{}' is a predefined profile and cannot be changed; copy it first "
                                  "('cucm-emu profile copy')", p.name));
  }
  // Editing a profile changes every phone that uses it: the trigger bumps their config versions.
  CUCM_TRY(auto s, db_.prepare("UPDATE security_profile SET name = ?1, description = ?2, product = ?3, protocol = ?4, "
                               "security_mode = ?5, tftp_encrypted = ?6, capf_auth_mode = ?7, key_order = ?8, "
                               "rsa_key_size = ?9, ec_key_size = ?10, sip_phone_port = ?11 WHERE id = ?12"));
  bind_fields(s, p);
  s.bind(12, old.id);
  return s.run();
}

Result<SecurityProfile> ProfileStore::copy(std::string_view from, std::string_view new_name) {
  CUCM_TRY(auto p, get(from));
  p.name = std::string(new_name);
  p.builtin = false;
  return add(std::move(p));
}

Status ProfileStore::remove(std::string_view name) {
  CUCM_TRY(auto p, get(name));
  if (p.builtin) {
    return make_error(Errc::PermissionDenied, fmt::format("profile '{}' is a predefined profile and cannot be deleted", name));
  }
  CUCM_TRY(auto tx, Transaction::begin(db_));
  CUCM_TRY(auto count, db_.prepare("SELECT count(*) FROM device WHERE profile_id = ?1"));
  count.bind(1, p.id);
  CUCM_TRY(bool row, count.step());
  if (row && count.int64(0) > 0) {
    return make_error(Errc::PermissionDenied,
                      fmt::format("profile '{}' is used by {} device(s); move them to another profile first", name,
                                  count.int64(0)));
  }
  CUCM_TRY(auto del, db_.prepare("DELETE FROM security_profile WHERE id = ?1"));
  del.bind(1, p.id);
  CUCM_CHECK(del.run());
  return tx.commit();
}

}  // namespace cucm::db
